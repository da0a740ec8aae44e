#pragma once
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace Loket {

/// A configuration Loket refuses to start with.  what() is one line naming the
/// file, the key and what is wrong ("FILE: clock.timezone: unknown time zone ...").
class ConfigError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// Everything Loket reads from its configuration file (loket.properties).
/// Workers, the dispatcher and loketctl read the same file through load(); the
/// known keys, their types, defaults and ranges are one table in Config.cpp
/// (Config::keys()), and docs/configuration.md lists every key.
struct Config
{
    /// Every field at its default (relative paths stay relative: home is empty).
    Config();

    std::string home;                 ///< directory of the config file; relative paths start here
    std::string file;                 ///< the config file itself ("" when not loaded from one)
    std::string databaseConnector;    ///< "sqlite" or "odbc"
    std::string databaseConnect;      ///< SQLite file, or an ODBC connection string
    int busyTimeoutMs;
    int workers;
    std::string socket;               ///< the pool's FastCGI socket
    int billerTimeoutMs;              ///< default per-call timeout of a biller (biller.<name>.timeout_ms overrides)
    int billerMaxInFlight;            ///< default orders in flight per biller (biller.<name>.max_in_flight overrides)
    std::map<std::string, int> billerTimeouts;     ///< biller.<name>.timeout_ms
    std::map<std::string, int> billerMaxInFlights; ///< biller.<name>.max_in_flight
    bool simEnabled;                  ///< biller.sim.enabled: the built-in sim serves (demo and tests only)

    int replyWaitMs;                  ///< how long a worker waits for an order to become final
    int poolThreads;                  ///< request threads per worker (orders waiting count here)
    int poolConnections;              ///< database connections per worker, shared by its threads
    bool groupCommit;                 ///< SQLite: a process's concurrent writes share one commit (database.group_commit)

    std::string dispatcherSocket;     ///< the dispatcher's wake-up socket (unix datagram)
    std::string dispatcherId;         ///< unique per dispatcher host; default the host name
    int dispatcherPollMs;             ///< a dispatcher looks for work at least this often
    int leaseSeconds;                 ///< 0: the longest biller timeout + 30 s
    std::vector<int> recheckSchedule;        ///< seconds between status calls
    std::vector<int> callbackRetrySchedule;  ///< seconds between callback attempts
    int callbackTimeoutMs;            ///< one callback delivery, connect to last byte
    int callbackMaxAgeHours;          ///< after this a callback is given up (FAILED)
    int callbackMaxInFlight;          ///< deliveries at once (at most 2 per receiving host)

    std::string timezone;
    int inquiryValidSeconds;          ///< 0: an inquiry is valid until the end of its day
    std::string logFile;              ///< "" : no request log
    bool logSyslog;                   ///< request lines also go to syslog (the journal)
    std::string sqlDir;               ///< schema and default data, sql/<backend>/
    long long maxDeposit;             ///< rupiah; one deposit above it needs --force
    std::string authSignPrefix;
    std::string authKeyFile;              ///< auth.key_file: the key that seals stored secrets (SecretBox)
    int authMaxFailures;
    int authLockMinutes;

    /// The dispatcher's lease length in seconds.
    int leaseLength() const;

    /// biller.<name>.timeout_ms if set, else biller.timeout_ms.
    int billerTimeoutFor(const std::string& biller) const;
    /// biller.<name>.max_in_flight if set, else biller.max_in_flight.
    int billerMaxInFlightFor(const std::string& biller) const;

    /// Loads and checks `path`; missing keys keep their defaults.  Throws
    /// ConfigError (one line: file, key, problem) when the file cannot be read,
    /// names an unknown key (with the closest known one), holds a value of the
    /// wrong type or out of range, an unknown time zone, or a log.file that
    /// cannot be written.
    static Config load(const std::string& path);

    /// The config file to use: `explicitPath` if given, else $LOKET_HOME/loket.properties,
    /// else var/loket.properties.
    static std::string locate(const std::string& explicitPath);

    /// One known key, as docs/configuration.md and `loketctl config keys` show it.
    /// A "<name>" part in `name` matches any biller name.
    struct Key
    {
        std::string name;
        std::string type;        ///< integer, text, path, yes/no, zone, seconds list, connector
        std::string fallback;    ///< default, as written in the file
        std::string doc;
    };
    static std::vector<Key> keys();
};

/// `text` with the value of every PWD= / Password= of an ODBC connection string
/// masked: database errors quote the connection string, and logs and output
/// must never carry a secret.
std::string redactSecrets(const std::string& text);

} // namespace Loket
