#pragma once
#include "Database.h"
#include <Poco/Types.h>
#include <memory>
#include <string>
#include <vector>

struct sqlite3_stmt;

namespace Poco { namespace Data { class RecordSet; } }

namespace Loket {

/// One run of a statement on the request path, compiled once per connection.
///
/// Why: compiling SQL was most of a request's work (issue 12: 54 % of a
/// topup's instructions were sqlite3_prepare_v2, and Poco's Statement compiles
/// again on every execution).  On SQLite the compiled statement is kept by the
/// Database (one per distinct SQL text) and only reset and re-bound here.
/// Through ODBC the statement goes through Poco and a RecordSet, as before:
/// the round trip to the server, not the compile, is the cost there.
///
///     Query q(db, "SELECT balance FROM partners WHERE member_id = ?");
///     q.bind(memberId);
///     if (q.next()) balance = q.int64(0);
///
/// Values are bound in order; next() runs the statement on its first call and
/// steps to the next row; columns are read by position.  A statement that
/// returns no rows is run with run().  The destructor resets the statement, so
/// no read stays open; a Query must not outlive its Database's transaction.
class Query
{
public:
    Query(Database& db, const std::string& sql);
    ~Query();

    Query& bind(const std::string& value);
    Query& bind(const char* value) { return bind(std::string(value)); }
    Query& bind(Poco::Int64 value);
    Query& bind(int value) { return bind(static_cast<Poco::Int64>(value)); }

    /// Runs the statement (first call) or steps (later calls); true while there is a row.
    bool next();
    /// Runs a statement that returns no row (or whose rows are not wanted).
    void run();

    std::string text(int column) const;
    Poco::Int64 int64(int column) const;
    int integer(int column) const { return static_cast<int>(int64(column)); }

    Query(const Query&) = delete;
    Query& operator=(const Query&) = delete;

private:
    void start();
    /// Runs `st` and makes its rows readable.
    void execute(Poco::Data::Statement& st);
    /// The SQL, for error messages.
    std::string sqlText() const;

    Database& _db;
    bool _started = false;
    // SQLite
    sqlite3_stmt* _stmt = nullptr;
    Database::Prepared* _slot = nullptr;   ///< null: a private statement (the kept one was in use)
    int _nextParam = 1;
    // ODBC
    std::string _sql;
    std::vector<std::string> _texts;
    std::vector<Poco::Int64> _ints;
    std::vector<std::pair<bool, std::size_t>> _params;   ///< (isText, index)
    Database::OdbcPrepared* _odbc = nullptr;              ///< the connection's kept statement
    std::unique_ptr<Database::OdbcPrepared> _own;         ///< or one of our own
    bool _odbcFailed = false;
    std::unique_ptr<Poco::Data::RecordSet> _rows;
    std::size_t _row = 0;
    bool _onRow = false;
};

} // namespace Loket
