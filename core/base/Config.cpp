#include "Config.h"
#include <Poco/AutoPtr.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <cstdlib>

namespace Loket {
namespace {

std::string resolve(const std::string& home, const std::string& value)
{
    if (value.empty() || value[0] == '/') return value;
    return Poco::Path(Poco::Path::forDirectory(home), value).toString();
}

} // namespace

Config Config::load(const std::string& path)
{
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file(
        new Poco::Util::PropertyFileConfiguration(path));
    Config c;
    c.home = Poco::Path(Poco::Path(path).absolute()).parent().toString();
    c.databaseConnector = file->getString("database.connector", c.databaseConnector);
    c.databaseConnect = file->getString("database.connect", "ledger.db");
    if (c.databaseConnector == "sqlite") c.databaseConnect = resolve(c.home, c.databaseConnect);
    c.busyTimeoutMs = file->getInt("database.busy_timeout_ms", c.busyTimeoutMs);
    c.workers = file->getInt("pool.workers", c.workers);
    c.socket = resolve(c.home, file->getString("pool.socket", "run/loket.sock"));
    c.billerTimeoutMs = file->getInt("biller.timeout_ms", c.billerTimeoutMs);
    c.timezone = file->getString("clock.timezone", c.timezone);
    c.inquiryValidSeconds = file->getInt("inquiry.valid_seconds", c.inquiryValidSeconds);
    c.logFile = resolve(c.home, file->getString("log.file", "log/loket.log"));
    c.sqlDir = resolve(c.home, file->getString("sql.dir", "sql"));
    return c;
}

std::string redactSecrets(const std::string& text)
{
    std::string out = text;
    std::string lower = Poco::toLower(text);
    for (const char* key : {"pwd=", "password="})
    {
        std::size_t pos = 0;
        while ((pos = lower.find(key, pos)) != std::string::npos)
        {
            std::size_t start = pos + std::string(key).size();
            std::size_t end = lower.find(';', start);
            if (end == std::string::npos) end = lower.size();
            out.replace(start, end - start, std::string(end - start, '*'));
            lower.replace(start, end - start, std::string(end - start, '*'));
            pos = end;
        }
    }
    return out;
}

std::string Config::locate(const std::string& explicitPath)
{
    if (!explicitPath.empty()) return explicitPath;
    const char* home = std::getenv("LOKET_HOME");
    std::string dir = home && *home ? home : "var";
    return dir + "/loket.properties";
}

} // namespace Loket
