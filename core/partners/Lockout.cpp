#include "Lockout.h"
#include "Query.h"

using namespace Poco::Data::Keywords;

namespace Loket {

Lockout::State Lockout::state(const std::string& memberId)
{
    State s;
    Query q(_db, "SELECT failures, locked_until FROM auth_failures WHERE member_id = ?");
    q.bind(memberId);
    if (!q.next()) return s;
    s.failures = q.integer(0), s.lockedUntil = q.int64(1);
    return s;
}

bool Lockout::recordFailure(const std::string& memberId, Poco::Int64 at, int maxFailures, Poco::Int64 lockSeconds)
{
    WriteTransaction tx(_db);
    Poco::Int64 forgotten = at - ForgetAfterSeconds;
    // Rows of memberIDs nobody has tried for a day go, so random memberIDs
    // cannot grow the table without bound.
    _db.session() << "DELETE FROM auth_failures WHERE last_failure_at < ? AND locked_until < ?", bind(forgotten),
        bind(at), now;
    _db.session() << "INSERT INTO auth_failures (member_id, failures, last_failure_at, locked_until) "
                     "VALUES (?, 1, ?, 0) ON CONFLICT (member_id) DO UPDATE SET "
                     "failures = auth_failures.failures + 1, last_failure_at = excluded.last_failure_at",
        bind(memberId), bind(at), now;
    bool locked = false;
    if (maxFailures > 0)
    {
        // Row counts of UPDATE differ between backends (ODBC): read the row instead.
        State s = state(memberId);
        if (s.failures >= maxFailures)
        {
            _db.session() << "UPDATE auth_failures SET failures = 0, locked_until = ? WHERE member_id = ?",
                bind(at + lockSeconds), bind(memberId), now;
            locked = true;
        }
    }
    tx.commit();
    return locked;
}

bool Lockout::clear(const std::string& memberId)
{
    Poco::Data::Statement st(_db.session());
    std::string found;
    st << "SELECT member_id FROM auth_failures WHERE member_id = ?", into(found), bind(memberId), limit(1);
    if (!fetchOne(st)) return false;
    _db.session() << "DELETE FROM auth_failures WHERE member_id = ?", bind(memberId), now;
    return true;
}

} // namespace Loket
