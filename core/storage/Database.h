#pragma once
#include "Config.h"
#include "WriteLockWaiters.h"
#include <Poco/Data/Session.h>
#include <chrono>
#include <cstdint>
#include <string>
#include <memory>
#include <unordered_map>
#include <vector>

struct sqlite3_stmt;

namespace Loket {

/// The one storage layer: a connection to the ledger (SQLite file or ODBC).
/// Open one per process, after fork; never share it between processes.
class Database
{
public:
    explicit Database(const Config& config);
    ~Database();
    Database(const Database&) = delete;
    Database& operator=(const Database&) = delete;

    Poco::Data::Session& session() { return _session; }
    bool isSQLite() const { return _sqlite; }

    /// Starts a transaction that will write.  SQLite gets BEGIN IMMEDIATE, so the
    /// write lock is taken up front and the busy timeout applies (Poco's begin()
    /// sends BEGIN DEFERRED, which fails at once under concurrent writers).
    /// A SQLite connection that was opened read-only is opened again first, so
    /// writes work as soon as a read-only fault is gone.
    void beginWrite();

    /// SQLite: true when this connection was opened before a write of this
    /// process was refused as read-only on a writable connection.  SQLite
    /// shares one WAL index (the -shm mapping) among all connections of a
    /// process, and one first opened while the disk was read-only stays
    /// read-only for as long as any connection of the process holds it: every
    /// write then fails although the disk is writable again.  Owners close
    /// stale connections when they are not in use (and open new ones later),
    /// so that the mapping is let go and opened again writable.
    bool stale() const;

    /// After a failed request (noteFailure), checks an ODBC session with a
    /// trivial query and reconnects it if its server connection died (a
    /// PostgreSQL restart): psqlODBC neither notices nor reconnects by itself.
    /// Free when the last request went well.
    void ensureConnected();
    void noteFailure() { _suspect = true; }

    /// SQLite: commits of this connection are not fsynced (synchronous=NORMAL:
    /// they survive a crash of the process, not of the machine).  Only for the
    /// built-in sim biller, whose records stand for a supplier's own storage;
    /// the ledger's connections stay synchronous=FULL.  Later commits of other
    /// connections make these durable too (the WAL is one file, appended in order).
    void skipSync();
    void commit();
    void rollback();

    /// CommitGroup's shared transaction (SQLite): begun like any write; while
    /// it is open, a WriteTransaction on this connection is a savepoint in it.
    void beginGroup();
    void commitGroup();
    void rollbackGroup();
    bool inGroup() const { return _inGroup; }
    /// The group begins at the next WriteTransaction, not now: a dispatcher's
    /// round that writes nothing takes no write lock.  endLazyGroup() stops
    /// waiting for one (a group already begun stays open for its owner to end).
    void beginGroupAtFirstWrite() { _groupAtFirstWrite = true; }
    void endLazyGroup() { _groupAtFirstWrite = false; }
    bool groupAtFirstWrite() const { return _groupAtFirstWrite; }
    /// A savepoint of the group could not be undone: the shared transaction
    /// must not be committed.
    bool groupSpoiled() const { return _groupSpoiled; }
    void spoilGroup() { _groupSpoiled = true; }
    /// SQLite: the connection has a transaction open.
    bool inTransaction();

    /// An INSERT, UPDATE or DELETE ... RETURNING as this backend must run it.
    /// Through psqlODBC one that returns no row (a guarded move that missed)
    /// fails with "invalid cursor state" instead of returning nothing, so on
    /// ODBC it runs as `WITH r AS (...) SELECT * FROM r`, which PostgreSQL
    /// answers with an empty set like any SELECT.  Query does this itself.
    std::string returning(const std::string& sql) const;

    /// Runs every statement of an SQL file (statements end with ";" at line end).
    void runScript(const std::string& sqlText);


    /// True when `e` is a serialization failure or a deadlock (PostgreSQL
    /// SQLSTATE 40001 / 40P01): the transaction was rolled back and may simply
    /// be run again.
    static bool isRetryable(const std::exception& e);

    /// A statement kept compiled on this connection (see Query).
    struct Prepared
    {
        sqlite3_stmt* stmt = nullptr;
        bool inUse = false;
    };
    /// SQLite: the statement compiled for `sql` on this connection, compiled on
    /// first use and kept in `slot`.  `slot` is null when the kept one is in use
    /// by an enclosing Query (or the cache is full): the statement is then the
    /// caller's own, finalized by release().
    sqlite3_stmt* acquire(const std::string& sql, Prepared*& slot);
    /// Gives a statement from acquire() back (reset, bindings cleared).
    void release(sqlite3_stmt* stmt, Prepared* slot);

    /// ODBC: a statement kept prepared on this connection (see Query), bound
    /// by reference to its own parameter storage.  Prepared once, it is only
    /// bound and executed again: psqlODBC otherwise spends four round trips
    /// per statement (Parse, Describe, Bind/Execute, DEALLOCATE).
    struct OdbcPrepared
    {
        std::unique_ptr<Poco::Data::Statement> statement;
        std::vector<std::string> texts;
        std::vector<Poco::Int64> ints;
        std::vector<bool> shape;   ///< per parameter: true = text
        bool inUse = false;
    };
    /// The kept statement for `sql` with parameters of this `shape`, or null
    /// (in use by an enclosing Query, another shape, or the cache is full):
    /// the caller then runs a statement of its own.  Marked in use.
    OdbcPrepared* odbcSlot(const std::string& sql, const std::vector<bool>& shape);
    /// A kept statement that failed is dropped: the next use prepares anew.
    void forgetOdbc(const std::string& sql);

    /// SQLite's busy handler state: how long to keep trying, the process's
    /// waiters mapping (set before the handler is installed), and its counter
    /// as last seen before a try (see WriteLockWaiters).
    struct BusyWait
    {
        int timeoutMs = 0;
        std::chrono::steady_clock::time_point since;
        std::shared_ptr<WriteLockWaiters> waiters;
        std::uint32_t seen = 0;
        /// One refused try: waits for the next turn; 0 when the time is up.
        int again(int attempts);
    };

private:
    /// SQLite: runs COMMIT or ROLLBACK, then writeEnded() whatever it did.
    void endWrite(const char* sql);
    /// After COMMIT or ROLLBACK: if the write transaction is over, wakes the
    /// connections waiting for the lock.
    void writeEnded();
    /// Finalizes every kept statement: before the connection closes or reopens.
    void forgetStatements();
    /// Per-connection settings, applied after every (re)open.
    void configure();
    void reopenIfReadOnly();

    bool _sqlite;
    bool _configured = false;   ///< configure() succeeded on the current connection
    BusyWait _busy;
    bool _writing = false;         ///< SQLite: this connection holds the write lock (BEGIN IMMEDIATE)
    unsigned _openedInRound = 0;   ///< the process's read-only round when this connection was opened
    bool _suspect = false;
    bool _sync = true;
    bool _inGroup = false;
    bool _groupAtFirstWrite = false;
    bool _groupSpoiled = false;
    std::string _connector;
    std::string _connect;
    Poco::Data::Session _session;
    static constexpr std::size_t MaxKeptStatements = 256;
    std::unordered_map<std::string, Prepared> _prepared;
    std::unordered_map<std::string, std::unique_ptr<OdbcPrepared>> _odbcPrepared;
};

/// Runs a query that returns at most one row; true when it returned one.
/// (Through ODBC, execute()'s count is not a row count: rows are counted as
/// extracted, which every backend reports the same way.)
bool fetchOne(Poco::Data::Statement& st);

/// The next row of a range(0, 1) query; false when there are no more.
bool fetchNext(Poco::Data::Statement& st);

/// A read-only transaction: every query inside sees one snapshot of the
/// ledger, so a check that reads several tables (the audit) is consistent
/// even while workers keep writing.
class ReadSnapshot
{
public:
    explicit ReadSnapshot(Database& db);
    ~ReadSnapshot();

    ReadSnapshot(const ReadSnapshot&) = delete;
    ReadSnapshot& operator=(const ReadSnapshot&) = delete;

private:
    Database& _db;
};

/// A write transaction that rolls back unless commit() was called.  Inside a
/// CommitGroup's shared transaction it is a savepoint: commit() releases it and
/// the group's COMMIT makes it durable.
class WriteTransaction
{
public:
    explicit WriteTransaction(Database& db);
    ~WriteTransaction();
    void commit();
    /// Rolls back now (errors ignored); the destructor then does nothing.
    void abandon();

    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;

private:
    Database& _db;
    bool _open;
    bool _savepoint;   ///< inside a CommitGroup's transaction
};

} // namespace Loket
