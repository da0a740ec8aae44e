#pragma once
#include <map>
#include <string>
#include <vector>

namespace Loket {

/// Everything Loket reads from its configuration file (loket.properties).
/// Workers and loketctl read the same file; docs/configuration.md lists the keys.
struct Config
{
    std::string home;                 ///< directory of the config file; relative paths start here
    std::string databaseConnector = "sqlite";
    std::string databaseConnect;      ///< SQLite file, or an ODBC connection string
    int busyTimeoutMs = 1000;
    int workers = 4;
    std::string socket;               ///< the pool's FastCGI socket
    int billerTimeoutMs = 5000;       ///< default per-call timeout of a biller (biller.<name>.timeout_ms overrides)
    int billerMaxInFlight = 256;      ///< default orders in flight per biller (biller.<name>.max_in_flight overrides)
    std::map<std::string, int> billerTimeouts;     ///< biller.<name>.timeout_ms
    std::map<std::string, int> billerMaxInFlights; ///< biller.<name>.max_in_flight
    bool simEnabled = false;          ///< biller.sim.enabled: the built-in sim serves (demo and tests only)

    int replyWaitMs = 2000;           ///< how long a worker waits for an order to become final
    int poolThreads = 96;             ///< request threads per worker (orders waiting count here)
    int poolConnections = 4;          ///< database connections per worker, shared by its threads

    std::string dispatcherSocket;     ///< the dispatcher's wake-up socket (unix datagram)
    std::string dispatcherId;         ///< unique per dispatcher host; default the host name
    int dispatcherPollMs = 200;       ///< a dispatcher looks for work at least this often
    int leaseSeconds = 0;             ///< 0: the longest biller timeout + 30 s
    std::vector<int> recheckSchedule = {30, 60, 120, 300, 600, 1800};   ///< seconds between status calls
    std::vector<int> callbackRetrySchedule = {10, 30, 60, 120, 300, 600, 1800, 3600};   ///< seconds
    int callbackTimeoutMs = 10000;    ///< one callback delivery, connect to last byte
    int callbackMaxAgeHours = 24;     ///< after this a callback is given up (FAILED)
    int callbackMaxInFlight = 16;     ///< deliveries at once (at most 2 per receiving host)

    /// The timeout / in-flight limit of biller `name`.
    int billerTimeoutFor(const std::string& name) const;
    int billerMaxInFlightFor(const std::string& name) const;
    /// The dispatcher's lease length in seconds.
    int leaseLength() const;
    std::string timezone = "Asia/Jakarta";
    int inquiryValidSeconds = 0;      ///< 0: an inquiry is valid until the end of its day
    std::string logFile;
    std::string sqlDir;               ///< schema and default data, sql/<backend>/

    // Partner authentication (issue 11; docs/configuration.md, auth.*).
    std::string authKeyFile;          ///< key that seals pins and passwords (loketctl init creates it)
    std::string authSignPrefix = "OtomaX";   ///< PREFIX of HTTP-GET SIGN unless a partner has its own
    int authMaxFailures = 5;          ///< consecutive failures that lock a memberID; 0: never
    int authLockMinutes = 15;         ///< how long a lock lasts

    /// Loads `path`; missing keys keep their defaults.  Throws Poco::Exception
    /// when the file cannot be read.
    static Config load(const std::string& path);

    /// The config file to use: `explicitPath` if given, else $LOKET_HOME/loket.properties,
    /// else var/loket.properties.
    static std::string locate(const std::string& explicitPath);
};

/// `text` with the value of every PWD= / Password= of an ODBC connection string
/// masked: database errors quote the connection string, and logs and output
/// must never carry a secret.
std::string redactSecrets(const std::string& text);

} // namespace Loket
