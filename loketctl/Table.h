#pragma once
#include <ostream>
#include <string>
#include <vector>

namespace Loketctl {

/// Rows printed either as an aligned table for people or as CSV for machines.
class Table
{
public:
    explicit Table(std::vector<std::string> header) : _header(std::move(header)) {}
    void add(std::vector<std::string> row) { _rows.push_back(std::move(row)); }
    void print(std::ostream& out, bool csv) const;

private:
    std::vector<std::string> _header;
    std::vector<std::vector<std::string>> _rows;
};

} // namespace Loketctl
