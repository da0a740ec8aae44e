#include "Table.h"
#include <algorithm>

namespace Loketctl {
namespace {

std::string csvField(const std::string& v)
{
    if (v.find_first_of(",\"\n") == std::string::npos) return v;
    std::string q = "\"";
    for (char c : v) q += c == '"' ? std::string("\"\"") : std::string(1, c);
    return q + "\"";
}

} // namespace

void Table::print(std::ostream& out, bool csv) const
{
    if (csv)
    {
        auto line = [&out](const std::vector<std::string>& row) {
            for (std::size_t i = 0; i < row.size(); ++i) out << (i ? "," : "") << csvField(row[i]);
            out << "\n";
        };
        line(_header);
        for (const auto& r : _rows) line(r);
        return;
    }
    std::vector<std::size_t> width(_header.size());
    for (std::size_t i = 0; i < _header.size(); ++i) width[i] = _header[i].size();
    for (const auto& r : _rows)
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    auto line = [&](const std::vector<std::string>& row) {
        for (std::size_t i = 0; i < row.size(); ++i)
        {
            out << row[i];
            if (i + 1 < row.size()) out << std::string(width[i] - row[i].size() + 2, ' ');
        }
        out << "\n";
    };
    line(_header);
    for (const auto& r : _rows) line(r);
}

} // namespace Loketctl
