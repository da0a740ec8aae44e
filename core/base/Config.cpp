#include "Config.h"
#include <Poco/AutoPtr.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <Poco/Environment.h>
#include <Poco/NumberParser.h>
#include <Poco/StringTokenizer.h>
#include <algorithm>
#include <cstdlib>
#include <stdexcept>

namespace Loket {
namespace {

std::string resolve(const std::string& home, const std::string& value)
{
    if (value.empty() || value[0] == '/') return value;
    return Poco::Path(Poco::Path::forDirectory(home), value).toString();
}

std::vector<int> secondsList(const std::string& key, const std::string& text)
{
    std::vector<int> out;
    Poco::StringTokenizer parts(text, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& p : parts)
    {
        int v = 0;
        if (!Poco::NumberParser::tryParse(p, v) || v < 1 || v > 86400)
            throw std::runtime_error(key + ": \"" + p + "\" is not a number of seconds 1..86400");
        out.push_back(v);
    }
    if (out.empty()) throw std::runtime_error(key + ": needs at least one number of seconds");
    return out;
}

std::string joinInts(const std::vector<int>& v)
{
    std::string out;
    for (int i : v) out += (out.empty() ? "" : ",") + std::to_string(i);
    return out;
}

} // namespace

int Config::billerTimeoutFor(const std::string& name) const
{
    auto it = billerTimeouts.find(name);
    return it == billerTimeouts.end() ? billerTimeoutMs : it->second;
}

int Config::billerMaxInFlightFor(const std::string& name) const
{
    auto it = billerMaxInFlights.find(name);
    return it == billerMaxInFlights.end() ? billerMaxInFlight : it->second;
}

int Config::leaseLength() const
{
    if (leaseSeconds > 0) return leaseSeconds;
    int longest = billerTimeoutMs;
    for (const auto& kv : billerTimeouts) longest = std::max(longest, kv.second);
    return (longest + 999) / 1000 + 30;
}

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
    c.billerMaxInFlight = file->getInt("biller.max_in_flight", c.billerMaxInFlight);
    c.simEnabled = file->getBool("biller.sim.enabled", c.simEnabled);
    Poco::Util::AbstractConfiguration::Keys billers;
    file->keys("biller", billers);
    for (const auto& name : billers)
    {
        std::string prefix = "biller." + name + ".";
        if (file->has(prefix + "timeout_ms")) c.billerTimeouts[name] = file->getInt(prefix + "timeout_ms");
        if (file->has(prefix + "max_in_flight")) c.billerMaxInFlights[name] = file->getInt(prefix + "max_in_flight");
    }
    c.replyWaitMs = file->getInt("reply.wait_ms", c.replyWaitMs);
    c.poolThreads = file->getInt("pool.threads", c.poolThreads);
    c.poolConnections = file->getInt("pool.connections", c.poolConnections);
    c.dispatcherSocket = resolve(c.home, file->getString("dispatcher.socket", "run/dispatch.sock"));
    c.dispatcherId = file->getString("dispatcher.id", Poco::Environment::nodeName());
    c.dispatcherPollMs = file->getInt("dispatcher.poll_ms", c.dispatcherPollMs);
    c.leaseSeconds = file->getInt("dispatcher.lease_seconds", c.leaseSeconds);
    c.recheckSchedule = secondsList("dispatcher.recheck_schedule",
                                    file->getString("dispatcher.recheck_schedule", joinInts(c.recheckSchedule)));
    c.callbackRetrySchedule = secondsList(
        "callback.retry_schedule", file->getString("callback.retry_schedule", joinInts(c.callbackRetrySchedule)));
    c.callbackTimeoutMs = file->getInt("callback.timeout_ms", c.callbackTimeoutMs);
    c.callbackMaxAgeHours = file->getInt("callback.max_age_hours", c.callbackMaxAgeHours);
    c.callbackMaxInFlight = file->getInt("callback.max_in_flight", c.callbackMaxInFlight);
    if (c.replyWaitMs < 0 || c.replyWaitMs > 60000) throw std::runtime_error("reply.wait_ms must be 0..60000");
    if (c.poolThreads < 1 || c.poolThreads > 1024) throw std::runtime_error("pool.threads must be 1..1024");
    if (c.poolConnections < 1 || c.poolConnections > 64) throw std::runtime_error("pool.connections must be 1..64");
    c.timezone = file->getString("clock.timezone", c.timezone);
    c.inquiryValidSeconds = file->getInt("inquiry.valid_seconds", c.inquiryValidSeconds);
    c.logFile = resolve(c.home, file->getString("log.file", "log/loket.log"));
    c.sqlDir = resolve(c.home, file->getString("sql.dir", "sql"));
    c.authKeyFile = resolve(c.home, file->getString("auth.key_file", "loket.key"));
    c.authSignPrefix = file->getString("auth.sign_prefix", c.authSignPrefix);
    c.authMaxFailures = file->getInt("auth.max_failures", c.authMaxFailures);
    c.authLockMinutes = file->getInt("auth.lock_minutes", c.authLockMinutes);
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
