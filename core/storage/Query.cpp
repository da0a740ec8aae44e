#include "Query.h"
#include <Poco/Data/LOB.h>
#include <Poco/Data/RecordSet.h>
#include <Poco/Data/Statement.h>
#include <sqlite3.h>
#include <stdexcept>

namespace Loket {

Query::Query(Database& db, const std::string& sql) : _db(db)
{
    if (_db.isSQLite())
        _stmt = _db.acquire(sql, _slot);
    else
        _sql = _db.returning(sql);
}

Query::~Query()
{
    if (_stmt) _db.release(_stmt, _slot);
    if (_odbc)
    {
        _rows.reset();
        _odbc->inUse = false;
        if (_odbcFailed) _db.forgetOdbc(_sql);
    }
}

std::string Query::sqlText() const
{
    return _stmt ? std::string(sqlite3_sql(_stmt)) : _sql;
}

Query& Query::bind(const std::string& value)
{
    if (_stmt)
    {
        if (sqlite3_bind_text(_stmt, _nextParam++, value.data(), static_cast<int>(value.size()), SQLITE_TRANSIENT) !=
            SQLITE_OK)
            throw std::runtime_error("cannot bind parameter " + std::to_string(_nextParam - 1) + " of " + sqlText());
        return *this;
    }
    _texts.push_back(value);
    _params.emplace_back(true, _texts.size() - 1);
    return *this;
}

Query& Query::bind(Poco::Int64 value)
{
    if (_stmt)
    {
        if (sqlite3_bind_int64(_stmt, _nextParam++, value) != SQLITE_OK)
            throw std::runtime_error("cannot bind parameter " + std::to_string(_nextParam - 1) + " of " + sqlText());
        return *this;
    }
    _ints.push_back(value);
    _params.emplace_back(false, _ints.size() - 1);
    return *this;
}

void Query::start()
{
    _started = true;
    if (_stmt) return;
    using namespace Poco::Data::Keywords;
    std::vector<bool> shape;
    shape.reserve(_params.size());
    for (const auto& p : _params) shape.push_back(p.first);
    // The connection's kept statement, or (in use, or the cache full) one of
    // our own: either way a statement bound by reference to its slot's
    // storage, so assigning the new values is all an execution needs.
    _odbc = _db.odbcSlot(_sql, shape);
    Database::OdbcPrepared* slot = _odbc;
    if (!slot)
    {
        _own = std::make_unique<Database::OdbcPrepared>();
        _own->shape = shape;
        slot = _own.get();
    }
    // Reserved for every parameter: the bound references never move.
    slot->texts.clear(), slot->ints.clear();
    slot->texts.reserve(shape.size()), slot->ints.reserve(shape.size());
    for (const auto& p : _params)
    {
        if (p.first)
            slot->texts.push_back(_texts[p.second]);
        else
            slot->ints.push_back(_ints[p.second]);
    }
    try
    {
        if (!slot->statement)
        {
            slot->statement = std::make_unique<Poco::Data::Statement>(_db.session());
            *slot->statement << _sql;
            std::size_t t = 0, i = 0;
            for (bool text : shape)
            {
                if (text)
                    *slot->statement, use(slot->texts[t++]);
                else
                    *slot->statement, use(slot->ints[i++]);
            }
        }
        execute(*slot->statement);
    }
    catch (...)
    {
        _odbcFailed = true;   // a kept statement is prepared anew next time
        throw;
    }
}

void Query::execute(Poco::Data::Statement& st)
{
    st.execute();
    if (st.columnsExtracted() > 0) _rows = std::make_unique<Poco::Data::RecordSet>(st);
    _row = 0;
}

bool Query::next()
{
    if (_stmt)
    {
        _started = true;
        int rc = sqlite3_step(_stmt);
        if (rc == SQLITE_ROW) return true;
        if (rc == SQLITE_DONE) return false;
        throw std::runtime_error(std::string(sqlite3_errmsg(sqlite3_db_handle(_stmt))) + " (" + sqlText().substr(0, 60) +
                                 ")");
    }
    if (!_started)
    {
        start();
        _onRow = _rows && _rows->rowCount() > 0;
        return _onRow;
    }
    if (!_onRow) return false;
    ++_row;
    _onRow = _row < _rows->rowCount();
    return _onRow;
}

void Query::run()
{
    if (_stmt)
    {
        while (next())
        {
        }
        return;
    }
    if (!_started) start();
}

std::string Query::text(int column) const
{
    if (_stmt)
    {
        const unsigned char* p = sqlite3_column_text(_stmt, column);
        return p ? std::string(reinterpret_cast<const char*>(p), static_cast<std::size_t>(sqlite3_column_bytes(_stmt, column)))
                 : std::string();
    }
    const Poco::Dynamic::Var& v = _rows->value(static_cast<std::size_t>(column), _row);
    if (v.isEmpty()) return std::string();
    // psqlODBC may describe TEXT as a long varchar, which Poco reads as a CLOB.
    if (v.type() == typeid(Poco::Data::CLOB))
    {
        const auto& clob = v.extract<Poco::Data::CLOB>();
        return std::string(clob.begin(), clob.end());
    }
    return v.convert<std::string>();
}

Poco::Int64 Query::int64(int column) const
{
    if (_stmt) return sqlite3_column_int64(_stmt, column);
    const Poco::Dynamic::Var& v = _rows->value(static_cast<std::size_t>(column), _row);
    if (v.isEmpty()) return 0;
    return v.convert<Poco::Int64>();
}

} // namespace Loket
