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
    // Columns whose every value is a whole number (ids, amounts, counts) are
    // right-aligned, the rest left-aligned; no line ends in spaces.  A leading
    // zero marks a code, not a quantity ("0812...", RC "00"): left-aligned.
    std::vector<std::size_t> width(_header.size());
    std::vector<bool> numeric(_header.size(), false);
    for (std::size_t i = 0; i < _header.size(); ++i)
    {
        width[i] = _header[i].size();
        bool any = false, all = true;
        for (const auto& r : _rows)
        {
            if (i >= r.size() || r[i].empty()) continue;
            any = true;
            const std::string& v = r[i];
            std::size_t digits = v[0] == '-' ? 1 : 0;
            all = all && v.size() > digits && v.find_first_not_of("0123456789", digits) == std::string::npos &&
                  (v[digits] != '0' || v.size() == digits + 1);
        }
        numeric[i] = any && all;
    }
    for (const auto& r : _rows)
        for (std::size_t i = 0; i < r.size() && i < width.size(); ++i) width[i] = std::max(width[i], r[i].size());
    auto line = [&](const std::vector<std::string>& row) {
        std::string text;
        for (std::size_t i = 0; i < row.size(); ++i)
        {
            std::size_t pad = i < width.size() && width[i] > row[i].size() ? width[i] - row[i].size() : 0;
            if (i > 0) text += "  ";
            if (i < numeric.size() && numeric[i]) text += std::string(pad, ' ') + row[i];
            else text += row[i] + std::string(pad, ' ');
        }
        text.erase(text.find_last_not_of(' ') + 1);
        out << text << "\n";
    };
    line(_header);
    for (const auto& r : _rows) line(r);
}

} // namespace Loketctl
