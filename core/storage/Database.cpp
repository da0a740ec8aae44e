#include "Database.h"
#include "Query.h"
#include <Poco/Data/DataException.h>
#include <Poco/Data/ODBC/Connector.h>
#include <Poco/Data/SQLite/Connector.h>
#include <Poco/Data/SQLite/SQLiteException.h>
#include <Poco/Data/SQLite/Utility.h>
#include <sqlite3.h>
#include <cctype>
#include <stdexcept>
#include <iostream>
#include <mutex>
#include <atomic>
#include <chrono>

using namespace Poco::Data::Keywords;

namespace Loket {
namespace {

std::string connectorName(const Config& c)
{
    static std::once_flag once;
    std::call_once(once, [] {
        // Before SQLite initialises: no memory statistics, so that its
        // malloc and free stop taking one mutex shared by every connection
        // of the process (futex waits between request threads: issue 12).
        if (sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0) != SQLITE_OK)
            std::cerr << "loket: SQLite was initialised before its memory statistics could be turned off\n";
        Poco::Data::SQLite::Connector::registerConnector();
        Poco::Data::ODBC::Connector::registerConnector();
    });
    if (c.databaseConnector == "sqlite") return "SQLite";
    if (c.databaseConnector == "odbc" || c.databaseConnector == "ODBC") return "ODBC";
    throw std::runtime_error("unknown database.connector " + c.databaseConnector + " (sqlite or odbc)");
}

/// The connect string, with psqlODBC's MaxVarcharSize raised unless the
/// operator set it: at its default (255) Poco refuses any text parameter
/// longer than 255 bytes (a partner's 300-byte report URL, a supplier's long
/// URL template or reply could not be stored on PostgreSQL).  UseDeclareFetch
/// is kept at 0 unless set (see Database::returning).
std::string odbcConnectString(const Config& c)
{
    if (c.databaseConnector == "sqlite") return c.databaseConnect;
    std::string lower = c.databaseConnect;
    for (char& ch : lower) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    std::string out = c.databaseConnect;
    auto add = [&](const std::string& setting) {
        if (!out.empty() && out.back() != ';') out += ';';
        out += setting;
    };
    if (lower.find("maxvarcharsize") == std::string::npos) add("MaxVarcharSize=8190");
    // Database::returning runs guarded moves as WITH ... SELECT, which
    // psqlODBC cannot run through a declared cursor (UseDeclareFetch=1).
    if (lower.find("usedeclarefetch") == std::string::npos) add("UseDeclareFetch=0");
    return out;
}

/// SQLite's own busy handler sleeps in growing steps up to 100 ms and checks
/// the lock only between them; when the write lock is busy most of the time
/// (every worker writing) a waiter can keep missing it until the timeout.  This
/// one tries again as soon as a writer on this host lets the lock go, or after
/// a millisecond at most (WriteLockWaiters), and gives up after
/// busy_timeout_ms like the built-in one.
extern "C" int retryWhenLockFree(void* state, int attempts)
{
    return static_cast<Database::BusyWait*>(state)->again(attempts);
}

/// Bumped when a writable connection of this process is refused a write as
/// read-only (Database::stale).
std::atomic<unsigned> readOnlyRounds{0};

} // namespace

bool Database::stale() const
{
    return _sqlite && _openedInRound != readOnlyRounds.load();
}

int Database::BusyWait::again(int attempts)
{
    auto now = std::chrono::steady_clock::now();
    if (attempts == 0) since = now;
    if (now - since >= std::chrono::milliseconds(timeoutMs)) return 0;
    waiters->waitPast(seen, 1000);
    seen = waiters->generation();
    return 1;
}

Database::Database(const Config& config)
    : _sqlite(config.databaseConnector == "sqlite"),
      _connector(connectorName(config)),
      _connect(odbcConnectString(config)),
      _session(_connector, _connect)
{
    _busy.timeoutMs = config.busyTimeoutMs;
    _openedInRound = readOnlyRounds.load();
    try
    {
        configure();
    }
    catch (const std::exception&)
    {
        // The file cannot be read yet (e.g. a read-only disk without its -shm
        // file; PRAGMA synchronous reads it).  A worker starts anyway and
        // answers RC 99; beginWrite() configures the connection once it can.
    }
}

Database::~Database() { forgetStatements(); }

sqlite3_stmt* Database::acquire(const std::string& sql, Prepared*& slot)
{
    // Statements built from data (a list of ids, a LIMIT) are kept too, up
    // to a bound, so that such text can never grow the cache without end.
    auto it = _prepared.find(sql);
    if (it == _prepared.end() && _prepared.size() < MaxKeptStatements) it = _prepared.emplace(sql, Prepared()).first;
    slot = it == _prepared.end() || it->second.inUse ? nullptr : &it->second;   // map nodes never move
    if (slot && slot->stmt)
    {
        slot->inUse = true;
        return slot->stmt;
    }
    sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(_session);
    sqlite3_stmt* stmt = nullptr;
    if (sqlite3_prepare_v2(handle, sql.c_str(), static_cast<int>(sql.size()), &stmt, nullptr) != SQLITE_OK)
    {
        std::string why = sqlite3_errmsg(handle);
        sqlite3_finalize(stmt);
        throw std::runtime_error("cannot compile \"" + sql.substr(0, 60) + "\": " + why);
    }
    if (slot) slot->stmt = stmt, slot->inUse = true;
    return stmt;
}

void Database::release(sqlite3_stmt* stmt, Prepared* slot)
{
    if (!slot)
    {
        sqlite3_finalize(stmt);
        return;
    }
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    slot->inUse = false;
}

Database::OdbcPrepared* Database::odbcSlot(const std::string& sql, const std::vector<bool>& shape)
{
    auto it = _odbcPrepared.find(sql);
    if (it == _odbcPrepared.end())
    {
        if (_odbcPrepared.size() >= MaxKeptStatements) return nullptr;
        auto slot = std::make_unique<OdbcPrepared>();
        slot->shape = shape;
        slot->texts.reserve(shape.size());
        slot->ints.reserve(shape.size());
        it = _odbcPrepared.emplace(sql, std::move(slot)).first;
    }
    OdbcPrepared* slot = it->second.get();
    if (slot->inUse || slot->shape != shape) return nullptr;
    slot->inUse = true;
    return slot;
}

void Database::forgetOdbc(const std::string& sql) { _odbcPrepared.erase(sql); }

void Database::forgetStatements()
{
    _odbcPrepared.clear();
    for (auto& entry : _prepared) sqlite3_finalize(entry.second.stmt);
    _prepared.clear();
}

void Database::configure()
{
    _configured = false;
    if (_sqlite)
    {
        // Per-connection settings; WAL mode itself is stored in the file by `loketctl init`.
        // Tried again at each (re)open: a read-only disk refuses the file until it is writable.
        if (!_busy.waiters || !_busy.waiters->usable()) _busy.waiters = WriteLockWaiters::forLedger(_connect);
        sqlite3_busy_handler(Poco::Data::SQLite::Utility::dbHandle(_session), retryWhenLockFree, &_busy);
        _session << "PRAGMA foreign_keys=ON", now;
        // Sorting a round's claims or settlements needs a small temporary
        // b-tree: in memory, not a file created, unlinked and written in
        // /var/tmp once per dispatcher round (issue 12).
        _session << "PRAGMA temp_store=MEMORY", now;
        _session << (_sync ? "PRAGMA synchronous=FULL" : "PRAGMA synchronous=NORMAL"), now;
    }
    _configured = true;
}

void Database::skipSync()
{
    _sync = false;
    if (_sqlite) _session << "PRAGMA synchronous=NORMAL", now;
}

void Database::reopenIfReadOnly()
{
    // SQLite opens the file read-only when it cannot open it for writing (a
    // read-only mount, say), and such a connection never writes again, even
    // once the filesystem is writable: only a new connection can.
    if (sqlite3_db_readonly(Poco::Data::SQLite::Utility::dbHandle(_session), "main") != 1) return;
    forgetStatements();
    _session.close();
    _openedInRound = readOnlyRounds.load();
    _session.open();
    configure();
}

void Database::ensureConnected()
{
    if (_sqlite || !_suspect) return;
    try
    {
        int one = 0;
        _session << "SELECT 1", into(one), now;
        _suspect = false;
        return;
    }
    catch (const std::exception&)
    {
        // The connection is gone: open a new one below.
    }
    // A new session: Poco's ODBC session cannot be reopened once its
    // connection handle is gone.
    forgetStatements();   // they belong to the dead connection
    _session = Poco::Data::Session(_connector, _connect);
    _suspect = false;
}

void Database::beginWrite()
{
    if (_sqlite)
    {
        reopenIfReadOnly();
        if (!_configured) configure();
        if (_busy.waiters) _busy.seen = _busy.waiters->generation();
        try
        {
            Query(*this, "BEGIN IMMEDIATE").run();
        }
        catch (const std::exception&)
        {
            sqlite3* handle = Poco::Data::SQLite::Utility::dbHandle(_session);
            if ((sqlite3_extended_errcode(handle) & 0xff) == SQLITE_READONLY &&
                sqlite3_db_readonly(handle, "main") == 0)
                readOnlyRounds.fetch_add(1);
            throw;
        }
        _writing = true;
    }
    else
    {
        // Poco's ODBC session only begins a transaction with autocommit off; it is
        // switched back on at commit/rollback so that reads outside a write
        // transaction never hold a snapshot open.
        _session.setFeature("autoCommit", false);
        _session.begin();
    }
}

void Database::endWrite(const char* sql)
{
    // Waiters are woken even when COMMIT failed, if it ended the transaction.
    try
    {
        Query(*this, sql).run();
    }
    catch (...)
    {
        writeEnded();
        throw;
    }
    writeEnded();
}

void Database::writeEnded()
{
    if (!_writing || inTransaction()) return;
    _writing = false;
    if (_busy.waiters) _busy.waiters->writerDone();
}

void Database::commit()
{
    if (_sqlite)
        endWrite("COMMIT");
    else
    {
        _session.commit();
        _session.setFeature("autoCommit", true);
    }
}

void Database::rollback()
{
    if (_sqlite)
        endWrite("ROLLBACK");
    else
    {
        _session.rollback();
        _session.setFeature("autoCommit", true);
    }
}

void Database::beginGroup()
{
    _groupAtFirstWrite = false;
    beginWrite();
    _inGroup = true;
    _groupSpoiled = false;
}

void Database::commitGroup()
{
    _inGroup = false;
    commit();
}

void Database::rollbackGroup()
{
    _inGroup = false;
    rollback();
}

bool Database::inTransaction()
{
    return _sqlite && sqlite3_get_autocommit(Poco::Data::SQLite::Utility::dbHandle(_session)) == 0;
}

std::string Database::returning(const std::string& sql) const
{
    if (_sqlite) return sql;
    std::size_t first = sql.find_first_not_of(" \t\n");
    std::string head = sql.substr(first == std::string::npos ? 0 : first, 6);
    for (char& c : head) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    bool modifies = head == "UPDATE" || head == "INSERT" || head == "DELETE";
    std::string upper = sql;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (!modifies || upper.find(" RETURNING ") == std::string::npos) return sql;
    return "WITH r AS (" + sql + ") SELECT * FROM r";
}

void Database::runScript(const std::string& sqlText)
{
    std::string statement;
    std::size_t pos = 0;
    while (pos < sqlText.size())
    {
        std::size_t eol = sqlText.find('\n', pos);
        if (eol == std::string::npos) eol = sqlText.size();
        std::string line = sqlText.substr(pos, eol - pos);
        pos = eol + 1;
        std::size_t first = line.find_first_not_of(" \t\r");
        if (first == std::string::npos || line.compare(first, 2, "--") == 0) continue;
        statement += line + "\n";
        std::size_t last = line.find_last_not_of(" \t\r");
        if (line[last] == ';')
        {
            _session << statement, now;
            statement.clear();
        }
    }
}

bool fetchOne(Poco::Data::Statement& st)
{
    st.execute();
    return st.rowsExtracted() > 0;
}

bool fetchNext(Poco::Data::Statement& st)
{
    if (st.done()) return false;
    st.execute();
    return st.rowsExtracted() > 0;
}

bool Database::isRetryable(const std::exception& e)
{
    const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
    std::string text = poco ? poco->displayText() : e.what();
    return text.find("40001") != std::string::npos || text.find("40P01") != std::string::npos;
}

ReadSnapshot::ReadSnapshot(Database& db) : _db(db)
{
    if (_db.isSQLite())
        _db.session() << "BEGIN", now;   // deferred: WAL fixes the snapshot at the first read
    else
    {
        _db.session().setFeature("autoCommit", false);
        _db.session().begin();
        _db.session() << "SET TRANSACTION ISOLATION LEVEL REPEATABLE READ", now;
    }
}

ReadSnapshot::~ReadSnapshot()
{
    try
    {
        _db.rollback();
    }
    catch (...)
    {
        // Nothing was written; the database ends the transaction with the connection.
    }
}

WriteTransaction::WriteTransaction(Database& db) : _db(db), _open(false), _savepoint(false)
{
    if (_db.groupAtFirstWrite() && !_db.inGroup()) _db.beginGroup();
    _savepoint = _db.inGroup();
    if (_savepoint && !_db.inTransaction())
    {
        // SQLite ended the shared transaction by itself (a full disk, an I/O
        // error): a SAVEPOINT now would begin a new one that commits alone.
        _db.spoilGroup();
        throw std::runtime_error("the shared transaction ended early");
    }
    if (_savepoint) Query(_db, "SAVEPOINT work").run();
    else _db.beginWrite();
    _open = true;
}

WriteTransaction::~WriteTransaction() { abandon(); }

void WriteTransaction::abandon()
{
    if (!_open) return;
    _open = false;
    try
    {
        if (_savepoint)
        {
            Query(_db, "ROLLBACK TO work").run();
            Query(_db, "RELEASE work").run();
        }
        else
            _db.rollback();
    }
    catch (...)
    {
        // Alone: an unfinished transaction is rolled back by the database.  In
        // a group, the shared transaction must now not be committed.
        if (_savepoint) _db.spoilGroup();
    }
}

void WriteTransaction::commit()
{
    // If COMMIT itself fails the destructor still rolls back whatever is left open.
    if (_savepoint) Query(_db, "RELEASE work").run();
    else _db.commit();
    _open = false;
}

} // namespace Loket
