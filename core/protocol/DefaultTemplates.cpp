#include "DefaultTemplates.h"
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <sstream>

using namespace Poco::Data::Keywords;

namespace Loket {
namespace DefaultTemplates {
namespace {

std::string defaults(const std::string& sqlDir)
{
    Poco::FileInputStream in(sqlDir + "/response_codes.sql");
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return text;
}

/// The INSERT lines of the defaults; each starts "... VALUES ('RC', 'ACTION', ".
std::vector<std::string> rows(const std::string& sqlDir)
{
    std::vector<std::string> out;
    std::istringstream in(defaults(sqlDir));
    std::string line;
    while (std::getline(in, line))
        if (line.compare(0, 7, "INSERT ") == 0) out.push_back(line);
    return out;
}

std::string field(const std::string& row, int index)
{
    std::size_t pos = row.find("VALUES (");
    for (int i = 0; pos != std::string::npos; ++i)
    {
        std::size_t open = row.find('\'', pos);
        std::size_t close = open == std::string::npos ? open : row.find('\'', open + 1);
        if (close == std::string::npos) break;
        if (i == index) return row.substr(open + 1, close - open - 1);
        pos = close + 1;
    }
    return "";
}

} // namespace

std::set<std::string> codes(const std::string& sqlDir)
{
    std::set<std::string> out;
    for (const auto& row : rows(sqlDir)) out.insert(field(row, 0));
    return out;
}

bool reset(Database& db, const std::string& sqlDir, const std::string& rc, const std::string& action)
{
    for (const auto& row : rows(sqlDir))
        if (field(row, 0) == rc && field(row, 1) == action)
        {
            db.session() << "DELETE FROM response_codes WHERE rc = ? AND action = ?", bind(rc), bind(action), now;
            db.runScript(row + "\n");
            return true;
        }
    return false;
}

int resetAll(Database& db, const std::string& sqlDir)
{
    db.session() << "DELETE FROM response_codes", now;
    db.runScript(defaults(sqlDir));
    int count = 0;
    db.session() << "SELECT COUNT(*) FROM response_codes", into(count), now;
    return count;
}

} // namespace DefaultTemplates
} // namespace Loket
