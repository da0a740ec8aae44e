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
    int templates = 0;
    db.session() << "SELECT COUNT(*) FROM response_codes", into(templates), now;
    // The default templates are plain portable INSERTs, shared by every backend.
    if (templates == 0) db.runScript(readFile(sqlDir + "/response_codes.sql"));
    if (current < CurrentVersion)
    {
        db.session() << "DELETE FROM schema_version", now;
        db.session() << "INSERT INTO schema_version (version) VALUES (?)", bind(CurrentVersion), now;
    }
    tx.commit();
}

} // namespace Schema
} // namespace Loket
