#include "Backup.h"
#include <Poco/Data/SQLite/Utility.h>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdexcept>
#include <sys/stat.h>
#include <unistd.h>

namespace Loket {
namespace Backup {

long long sqliteTo(Database& db, const std::string& path, bool replace)
{
    if (!db.isSQLite()) throw std::runtime_error("not a SQLite ledger");
    if (!replace && ::access(path.c_str(), F_OK) == 0)
        throw std::runtime_error(path + " exists; choose a new file (or --replace)");
    std::string partial = path + ".partial";
    ::unlink(partial.c_str());
    int fd = ::open(partial.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot create " + partial + ": " + std::strerror(errno));
    ::close(fd);

    sqlite3* copy = nullptr;
    std::string error;
    if (sqlite3_open_v2(partial.c_str(), &copy, SQLITE_OPEN_READWRITE, nullptr) != SQLITE_OK)
        error = "cannot open " + partial + ": " + (copy ? sqlite3_errmsg(copy) : "out of memory");
    else
    {
        sqlite3* source = Poco::Data::SQLite::Utility::dbHandle(db.session());
        sqlite3_backup* backup = sqlite3_backup_init(copy, "main", source, "main");
        if (!backup) error = std::string("cannot start the backup: ") + sqlite3_errmsg(copy);
        else
        {
            // All pages in one step: one read transaction, one instant.  Busy
            // only while a checkpoint or recovery holds the file: wait a little.
            int rc = SQLITE_OK;
            for (int attempt = 0; attempt < 100; ++attempt)
            {
                rc = sqlite3_backup_step(backup, -1);
                if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
                ::usleep(50000);
            }
            sqlite3_backup_finish(backup);
            if (rc != SQLITE_DONE) error = std::string("the backup failed: ") + sqlite3_errstr(rc);
        }
    }
    if (copy && sqlite3_close(copy) != SQLITE_OK && error.empty()) error = "cannot close " + partial;
    if (error.empty())
    {
        // The copy must be on disk before its name says it is complete.
        int f = ::open(partial.c_str(), O_RDONLY | O_CLOEXEC);
        if (f < 0 || ::fsync(f) != 0) error = "cannot sync " + partial + ": " + std::strerror(errno);
        if (f >= 0) ::close(f);
    }
    if (error.empty() && ::rename(partial.c_str(), path.c_str()) != 0)
        error = "cannot rename " + partial + " to " + path + ": " + std::strerror(errno);
    if (!error.empty())
    {
        ::unlink(partial.c_str());
        throw std::runtime_error(error);
    }
    struct stat st;
    return ::stat(path.c_str(), &st) == 0 ? static_cast<long long>(st.st_size) : 0;
}

std::string postgresqlRecipe(const std::string& file)
{
    return "The ledger is in PostgreSQL: back it up with pg_dump, which is consistent while Loket serves:\n"
           "  pg_dump --format=custom --file=" + file + " \"host=HOST port=PORT dbname=loket user=USER\"\n"
           "Restore into an empty database with:\n"
           "  pg_restore --dbname=\"host=HOST port=PORT dbname=NEWDB user=USER\" --no-owner " + file + "\n"
           "then point database.connect at it and run `loketctl init` and `loketctl audit`.\n"
           "(docs/operations.md, \"Backups\")\n";
}

} // namespace Backup
} // namespace Loket
