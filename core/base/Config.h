#pragma once
#include <string>

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
    int billerTimeoutMs = 5000;
    std::string timezone = "Asia/Jakarta";
    int inquiryValidSeconds = 0;      ///< 0: an inquiry is valid until the end of its day
    std::string logFile;
    std::string sqlDir;               ///< schema and default data, sql/<backend>/

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
