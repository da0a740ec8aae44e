#include "Config.h"
#include "Clock.h"
#include <Poco/AutoPtr.h>
#include <Poco/Environment.h>
#include <Poco/Exception.h>
#include <Poco/File.h>
#include <Poco/Path.h>
#include <Poco/String.h>
#include <Poco/Util/PropertyFileConfiguration.h>
#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <unistd.h>

namespace Loket {
namespace {

enum class Type { Integer, Text, Path, Flag, Zone, Seconds, Connector };

/// A checked value of one key, ready to store.
struct Value
{
    std::string text;          ///< as written (paths: resolved against the config's directory)
    long long number = 0;
    bool flag = false;
    std::vector<int> list;
    std::string biller;        ///< the <name> of a biller.<name>.* key
};

/// One known key.  Adding a key is adding one row: its name ("<name>" matches
/// a biller name), type, default (as written in the file; "" for per-biller
/// keys, which default to the global one), range for integers, the line
/// docs/configuration.md shows, and where it goes in Config.
struct Row
{
    const char* name;
    Type type;
    const char* fallback;
    long long min, max;
    const char* doc;
    void (*store)(Config&, const Value&);
};

const long long Minute = 60000, Day = 86400;

const Row Rows[] = {
    {"database.connector", Type::Connector, "sqlite", 0, 0, "`sqlite`, or `odbc` for PostgreSQL through psqlODBC",
     [](Config& c, const Value& v) { c.databaseConnector = v.text; }},
    {"database.connect", Type::Text, "ledger.db", 0, 0,
     "the SQLite file (relative to the config's directory), or an ODBC connection string",
     [](Config& c, const Value& v) { c.databaseConnect = v.text; }},
    {"database.busy_timeout_ms", Type::Integer, "1000", 0, 10 * Minute,
     "how long a request waits for the write lock before RC 99",
     [](Config& c, const Value& v) { c.busyTimeoutMs = int(v.number); }},
    {"database.group_commit", Type::Flag, "true", 0, 0,
     "SQLite: concurrent writes of one process share one durable commit (a worker's purchases, a dispatcher's round)",
     [](Config& c, const Value& v) { c.groupCommit = v.flag; }},
    {"pool.workers", Type::Integer, "4", 1, 1024, "number of FastCGI worker processes",
     [](Config& c, const Value& v) { c.workers = int(v.number); }},
    {"pool.threads", Type::Integer, "96", 1, 1024, "request threads per worker (orders waiting count here)",
     [](Config& c, const Value& v) { c.poolThreads = int(v.number); }},
    {"pool.connections", Type::Integer, "4", 1, 64,
     "database connections per worker, shared by its threads (16 when not set and on SQLite)",
     [](Config& c, const Value& v) { c.poolConnections = int(v.number); }},
    {"pool.socket", Type::Path, "run/loket.sock", 0, 0, "the pool's unix socket (nginx's upstream)",
     [](Config& c, const Value& v) { c.socket = v.text; }},
    {"reply.wait_ms", Type::Integer, "2000", 0, Minute,
     "how long a worker waits for an order to become final before answering RC 68",
     [](Config& c, const Value& v) { c.replyWaitMs = int(v.number); }},
    {"biller.timeout_ms", Type::Integer, "5000", 1, 10 * Minute,
     "a biller silent for longer on one call leaves the order PENDING",
     [](Config& c, const Value& v) { c.billerTimeoutMs = int(v.number); }},
    {"biller.max_in_flight", Type::Integer, "256", 1, 100000, "orders one biller may have in flight at once",
     [](Config& c, const Value& v) { c.billerMaxInFlight = int(v.number); }},
    {"biller.sim.enabled", Type::Flag, "false", 0, 0, "the built-in simulator biller serves (demo and tests only)",
     [](Config& c, const Value& v) { c.simEnabled = v.flag; }},
    {"biller.<name>.timeout_ms", Type::Integer, "", 1, 10 * Minute,
     "`biller.timeout_ms` for the biller <name> only",
     [](Config& c, const Value& v) { c.billerTimeouts[v.biller] = int(v.number); }},
    {"biller.<name>.max_in_flight", Type::Integer, "", 1, 100000,
     "`biller.max_in_flight` for the biller <name> only",
     [](Config& c, const Value& v) { c.billerMaxInFlights[v.biller] = int(v.number); }},
    {"dispatcher.socket", Type::Path, "run/dispatch.sock", 0, 0, "the dispatcher's wake-up socket (unix datagram)",
     [](Config& c, const Value& v) { c.dispatcherSocket = v.text; }},
    {"dispatcher.id", Type::Text, "", 0, 0, "unique per dispatcher host; empty: the host name",
     [](Config& c, const Value& v) { c.dispatcherId = v.text; }},
    {"dispatcher.poll_ms", Type::Integer, "200", 1, Minute, "a dispatcher looks for work at least this often",
     [](Config& c, const Value& v) { c.dispatcherPollMs = int(v.number); }},
    {"dispatcher.lease_seconds", Type::Integer, "0", 0, Day, "an order's lease; `0`: the longest biller timeout + 30 s",
     [](Config& c, const Value& v) { c.leaseSeconds = int(v.number); }},
    {"dispatcher.recheck_schedule", Type::Seconds, "30,60,120,300,600,1800", 1, Day,
     "seconds between status checks of a pending order with its biller",
     [](Config& c, const Value& v) { c.recheckSchedule = v.list; }},
    {"callback.retry_schedule", Type::Seconds, "10,30,60,120,300,600,1800,3600", 1, Day,
     "seconds between attempts to deliver a partner's callback",
     [](Config& c, const Value& v) { c.callbackRetrySchedule = v.list; }},
    {"callback.timeout_ms", Type::Integer, "10000", 1, 10 * Minute, "one callback delivery, connect to last byte",
     [](Config& c, const Value& v) { c.callbackTimeoutMs = int(v.number); }},
    {"callback.max_age_hours", Type::Integer, "24", 1, 720, "a callback not delivered by then is given up",
     [](Config& c, const Value& v) { c.callbackMaxAgeHours = int(v.number); }},
    {"callback.max_in_flight", Type::Integer, "16", 1, 1000, "callback deliveries at once",
     [](Config& c, const Value& v) { c.callbackMaxInFlight = int(v.number); }},
    {"clock.timezone", Type::Zone, "Asia/Jakarta", 0, 0,
     "zone of `[waktu]`, of \"end of day\" and of the request log (an IANA name from /usr/share/zoneinfo)",
     [](Config& c, const Value& v) { c.timezone = v.text; }},
    {"inquiry.valid_seconds", Type::Integer, "0", 0, 30 * Day,
     "how long an inquiry may be paid; `0` = until the end of its local day",
     [](Config& c, const Value& v) { c.inquiryValidSeconds = int(v.number); }},
    {"log.file", Type::Path, "log/loket.log", 0, 0,
     "one line per request (no secrets); must be writable; empty: no request log",
     [](Config& c, const Value& v) { c.logFile = v.text; }},
    {"log.syslog", Type::Flag, "false", 0, 0, "also send each request line to syslog (the journal), facility user",
     [](Config& c, const Value& v) { c.logSyslog = v.flag; }},
    {"sql.dir", Type::Path, "sql", 0, 0, "schema and default data, `sql/<backend>/`",
     [](Config& c, const Value& v) { c.sqlDir = v.text; }},
    {"money.max_deposit", Type::Integer, "1000000000", 1, 1000000000000LL,   // at most MaxRupiah (Money.h)
     "rupiah; `loketctl deposit` refuses more in one deposit unless given `--force`",
     [](Config& c, const Value& v) { c.maxDeposit = v.number; }},
    {"auth.sign_prefix", Type::Text, "OtomaX", 0, 0, "the fixed first part of the signed string of a signature",
     [](Config& c, const Value& v) { c.authSignPrefix = v.text; }},
    {"auth.key_file", Type::Path, "loket.key", 0, 0,
     "the 256-bit key that seals partners' and suppliers' secrets; mode 0600; back it up apart from the ledger",
     [](Config& c, const Value& v) { c.authKeyFile = v.text; }},
    {"auth.max_failures", Type::Integer, "5", 0, 1000, "wrong credentials in a row before a partner is locked; 0 never locks",
     [](Config& c, const Value& v) { c.authMaxFailures = int(v.number); }},
    {"auth.lock_minutes", Type::Integer, "15", 1, 10080, "how long such a lock lasts",
     [](Config& c, const Value& v) { c.authLockMinutes = int(v.number); }},
};

const char* typeName(Type t)
{
    switch (t)
    {
    case Type::Integer: return "integer";
    case Type::Text: return "text";
    case Type::Path: return "path";
    case Type::Flag: return "true/false";
    case Type::Zone: return "zone";
    case Type::Seconds: return "seconds list";
    case Type::Connector: return "connector";
    }
    return "";
}

std::string resolve(const std::string& home, const std::string& value)
{
    if (home.empty() || value.empty() || value[0] == '/') return value;
    return Poco::Path(Poco::Path::forDirectory(home), value).toString();
}

/// The <name> of "biller.<name>.KEY" when `key` has that shape, else "".
std::string billerName(const std::string& key, const std::string& pattern)
{
    const std::string head = "biller.";
    std::string tail = pattern.substr(pattern.find("<name>") + 6);
    if (key.size() <= head.size() + tail.size() || key.compare(0, head.size(), head) != 0 ||
        key.compare(key.size() - tail.size(), tail.size(), tail) != 0)
        return "";
    std::string name = key.substr(head.size(), key.size() - head.size() - tail.size());
    bool ok = !name.empty() && name.size() <= 32 &&
              name.find_first_not_of("abcdefghijklmnopqrstuvwxyz0123456789_") == std::string::npos;
    return ok ? name : "";
}

const Row* rowFor(const std::string& key, std::string& biller)
{
    for (const Row& r : Rows)
        if (key == r.name) return &r;
    for (const Row& r : Rows)
        if (std::strstr(r.name, "<name>") && !(biller = billerName(key, r.name)).empty()) return &r;
    return nullptr;
}

std::size_t distance(const std::string& a, const std::string& b)
{
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i)
    {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j)
        {
            std::size_t up = row[j];
            row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
            diagonal = up;
        }
    }
    return row[b.size()];
}

std::string closestKey(const std::string& key)
{
    std::string best;
    std::size_t bestDistance = std::string::npos;
    for (const Row& r : Rows)
    {
        std::string name = r.name;
        std::size_t at = name.find("<name>");
        // A misspelt per-biller key is compared with its own biller's name filled in.
        std::size_t dot1 = key.find('.'), dot2 = key.rfind('.');
        if (at != std::string::npos && dot1 != std::string::npos && dot2 > dot1)
            name.replace(at, 6, key.substr(dot1 + 1, dot2 - dot1 - 1));
        std::size_t d = distance(Poco::toLower(key), name);
        if (d < bestDistance) best = name, bestDistance = d;
    }
    return best;
}

bool parseInteger(const std::string& text, long long& n)
{
    if (text.empty() || text.size() > 19) return false;
    std::size_t i = text[0] == '-' ? 1 : 0;
    if (i == text.size() || text.find_first_not_of("0123456789", i) != std::string::npos) return false;
    errno = 0;
    n = std::strtoll(text.c_str(), nullptr, 10);
    return errno == 0;
}

/// Checks `text` as a value of `row`; on success fills `v` and returns "",
/// else returns what is wrong (never quoting a text value: it may be a secret).
std::string check(const Row& row, const std::string& text, const std::string& home, Value& v)
{
    v.text = text;
    auto range = [&row]() { return " (" + std::to_string(row.min) + ".." + std::to_string(row.max) + ")"; };
    switch (row.type)
    {
    case Type::Integer:
        if (!parseInteger(text, v.number)) return "'" + text + "' is not a whole number";
        if (v.number < row.min || v.number > row.max) return text + " is out of range" + range();
        return "";
    case Type::Flag:
    {
        std::string t = Poco::toLower(text);
        if (t == "true" || t == "yes" || t == "on" || t == "1") v.flag = true;
        else if (t == "false" || t == "no" || t == "off" || t == "0") v.flag = false;
        else return "'" + text + "' is not true or false";
        return "";
    }
    case Type::Seconds:
    {
        v.list.clear();
        std::size_t pos = 0;
        while (pos <= text.size())
        {
            std::size_t comma = std::min(text.find(',', pos), text.size());
            std::string item = Poco::trim(text.substr(pos, comma - pos));
            long long n = 0;
            if (!parseInteger(item, n) || n < row.min || n > row.max)
                return "'" + text + "' is not a comma-separated list of seconds" + range();
            v.list.push_back(int(n));
            pos = comma + 1;
        }
        return "";
    }
    case Type::Zone:
        if (!Clock::knownZone(text))
            return "unknown time zone '" + text + "' (not a zone file in " + Clock::zoneDirectory() + ")";
        return "";
    case Type::Connector:
        v.text = Poco::toLower(text);
        if (v.text != "sqlite" && v.text != "odbc") return "'" + text + "' is not sqlite or odbc";
        return "";
    case Type::Path:
        v.text = resolve(home, text);
        return "";
    case Type::Text:
        return "";
    }
    return "";
}

/// Every leaf key of `file` under `root`.
void leafKeys(const Poco::Util::AbstractConfiguration& file, const std::string& root, std::vector<std::string>& out)
{
    Poco::Util::AbstractConfiguration::Keys children;
    file.keys(root, children);
    for (const auto& child : children)
    {
        std::string key = root.empty() ? child : root + "." + child;
        if (file.hasProperty(key)) out.push_back(key);
        leafKeys(file, key, out);
    }
}

/// What keeps the request log from being written at `path`, or "".
std::string unwritable(const std::string& path)
{
    if (path.empty()) return "";
    Poco::Path p(path);
    std::string dir = p.parent().toString();
    if (dir.size() > 1 && dir.back() == '/') dir.pop_back();
    if (::access(path.c_str(), F_OK) == 0)
    {
        if (Poco::File(path).isDirectory()) return path + " is a directory";
        if (::access(path.c_str(), W_OK) != 0) return "cannot write " + path + " (" + std::strerror(errno) + ")";
        return "";
    }
    if (::access(dir.c_str(), F_OK) != 0) return "directory " + dir + " does not exist";
    if (::access(dir.c_str(), W_OK) != 0) return "cannot create files in " + dir + " (" + std::strerror(errno) + ")";
    return "";
}

} // namespace

Config::Config()
{
    for (const Row& r : Rows)
    {
        if (std::strstr(r.name, "<name>")) continue;
        Value v;
        // The default zone is checked where it is used (load, Clock::useZone),
        // not each time a Config is made.
        std::string problem = r.type == Type::Zone ? "" : check(r, r.fallback, "", v);
        if (r.type == Type::Zone) v.text = r.fallback;
        if (!problem.empty()) throw std::logic_error(std::string("default of ") + r.name + ": " + problem);
        r.store(*this, v);
    }
}

Config Config::load(const std::string& path)
{
    Poco::AutoPtr<Poco::Util::PropertyFileConfiguration> file;
    try
    {
        file = new Poco::Util::PropertyFileConfiguration(path);
    }
    catch (const Poco::Exception& e)
    {
        throw ConfigError(path + ": cannot read the configuration: " + e.displayText());
    }
    Config c;
    c.file = path;
    c.home = Poco::Path(Poco::Path(path).absolute()).parent().toString();
    // Relative default paths start at the config's directory too.
    for (const Row& r : Rows)
        if (r.type == Type::Path)
        {
            Value v;
            check(r, r.fallback, c.home, v);
            r.store(c, v);
        }

    std::vector<std::string> present;
    leafKeys(*file, "", present);
    for (const auto& key : present)
    {
        std::string biller;
        const Row* row = rowFor(key, biller);
        if (!row) throw ConfigError(path + ": unknown key '" + key + "' (closest known key: " + closestKey(key) + ")");
        std::string text;
        try
        {
            text = file->getString(key);
        }
        catch (const Poco::Exception& e)
        {
            throw ConfigError(path + ": " + key + ": " + e.displayText());
        }
        Value v;
        v.biller = biller;
        std::string problem = check(*row, text, c.home, v);
        if (!problem.empty()) throw ConfigError(path + ": " + key + ": " + problem);
        row->store(c, v);
    }
    if (c.databaseConnector == "sqlite") c.databaseConnect = resolve(c.home, c.databaseConnect);
    // An SQLite connection is only memory: with 16 a worker's request threads
    // rarely queue for one (4 made balance requests wait and switch threads,
    // ~10 % of a worker's CPU: issue 12).  Through ODBC each is a PostgreSQL
    // backend, which max_connections bounds for all workers together.
    if (c.databaseConnector == "sqlite" && std::find(present.begin(), present.end(), "pool.connections") == present.end())
        c.poolConnections = 16;
    if (c.dispatcherId.empty()) c.dispatcherId = Poco::Environment::nodeName();
    std::string logProblem = unwritable(c.logFile);
    if (!logProblem.empty()) throw ConfigError(path + ": log.file: " + logProblem);
    return c;
}

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

std::vector<Config::Key> Config::keys()
{
    std::vector<Key> out;
    for (const Row& r : Rows)
    {
        std::string type = typeName(r.type);
        if (r.type == Type::Integer) type += " " + std::to_string(r.min) + ".." + std::to_string(r.max);
        out.push_back({r.name, type, r.fallback, r.doc});
    }
    return out;
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
