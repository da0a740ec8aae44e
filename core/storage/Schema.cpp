#include "Schema.h"
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace Loket {
namespace Schema {
namespace {

std::string readFile(const std::string& path)
{
    Poco::FileInputStream in(path);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return text;
}

std::string backendDir(Database& db, const std::string& sqlDir)
{
    return sqlDir + (db.isSQLite() ? "/sqlite" : "/postgresql");
}

/// `script` with each INSERT made "insert unless present" (SQLite 3.24+, PostgreSQL 9.5+).
std::string defaultsOnly(const std::string& script)
{
    std::string out;
    std::size_t pos = 0;
    while (pos < script.size())
    {
        std::size_t eol = script.find('\n', pos);
        if (eol == std::string::npos) eol = script.size();
        std::string line = script.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t last = line.find_last_not_of(" \t\r");
        if (line.compare(0, 12, "INSERT INTO ") == 0 && last != std::string::npos && line[last] == ';')
            line = line.substr(0, last) + " ON CONFLICT DO NOTHING;";
        out += line + "\n";
    }
    return out;
}

} // namespace

int version(Database& db)
{
    try
    {
        int v = 0;
        db.session() << "SELECT COALESCE(MAX(version), 0) FROM schema_version", into(v), now;
        return v;
    }
    catch (const std::exception&)
    {
        return 0;
    }
}

void install(Database& db, const std::string& sqlDir)
{
    int current = version(db);
    if (current > CurrentVersion)
        throw std::runtime_error("the ledger has schema version " + std::to_string(current) +
                                 ", newer than this Loket (" + std::to_string(CurrentVersion) + ")");
    if (db.isSQLite()) db.session() << "PRAGMA journal_mode=WAL", now;
    std::string dir = backendDir(db, sqlDir);
    WriteTransaction tx(db);
    // Each step from an older version first (sql/<backend>/upgrade-N.sql),
    // then schema.sql creates whatever is still missing.
    for (int step = current + 1; current > 0 && step <= CurrentVersion; ++step)
        db.runScript(readFile(dir + "/upgrade-" + std::to_string(step) + ".sql"));
    db.runScript(readFile(dir + "/schema.sql"));
    // The default templates are plain portable INSERTs, shared by every backend.
    // Rows the ledger has already (an operator's texts) stay; rows a newer
    // Loket added (new response codes) arrive.
    db.runScript(defaultsOnly(readFile(sqlDir + "/response_codes.sql")));
    if (current < CurrentVersion)
    {
        db.session() << "DELETE FROM schema_version", now;
        db.session() << "INSERT INTO schema_version (version) VALUES (?)", bind(CurrentVersion), now;
    }
    tx.commit();
}

} // namespace Schema
} // namespace Loket
