#include "Callbacks.h"
#include "Query.h"
#include <Poco/URI.h>

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

std::string encoded(const std::string& value)
{
    std::string out;
    Poco::URI::encode(value, "!#$&'()*+,/:;=?@[]% \"<>\\^`{|}", out);
    return out;
}

const char* const Columns = "SELECT id, trx_id, member_id, url, status, attempts, next_attempt_at, last_error, "
                            "created_at, delivered_at FROM callbacks";

void intoAll(Poco::Data::Statement& st, Callback& c)
{
    st, into(c.id), into(c.trxId), into(c.memberId), into(c.url), into(c.status), into(c.attempts),
        into(c.nextAttemptAt), into(c.lastError), into(c.createdAt), into(c.deliveredAt);
}

} // namespace

std::string Callbacks::reportFor(const std::string& reportUrl, const Transaction& t, const std::string& message)
{
    std::string url = reportUrl;
    url += reportUrl.find('?') == std::string::npos ? '?' : '&';
    url += "refid=" + encoded(t.refId);
    url += "&status=" + std::string(t.status == TrxState::Success ? "20" : "40");
    url += "&t=" + std::to_string(t.id);
    url += "&price=" + std::to_string(t.price);
    url += "&sn=" + encoded(t.sn);
    url += "&message=" + encoded(message);
    return url;
}

void Callbacks::enqueue(const Transaction& t, const std::string& url, Poco::Int64 now)
{
    _db.session() << "INSERT INTO callbacks (trx_id, member_id, url, status, attempts, next_attempt_at, created_at) "
                     "VALUES (?, ?, ?, 'PENDING', 0, ?, ?)",
        bind(t.id), bind(t.memberId), bind(url), bind(now), bind(now), Poco::Data::Keywords::now;
}

bool Callbacks::anyDue(Poco::Int64 now)
{
    Query q(_db, "SELECT id FROM callbacks WHERE status = 'PENDING' AND next_attempt_at <= ? AND lease_until < ? LIMIT 1");
    return q.bind(now).bind(now).next();
}

std::vector<Callback> Callbacks::claimDue(const std::string& owner, Poco::Int64 now, Poco::Int64 leaseUntil, int most)
{
    std::vector<Callback> out;
    if (most <= 0) return out;
    std::vector<Poco::Int64> ids;
    std::string sql = "SELECT id FROM callbacks WHERE status = 'PENDING' AND next_attempt_at <= ? AND lease_until < ? "
                      "ORDER BY next_attempt_at, id LIMIT " + std::to_string(most);
    if (!_db.isSQLite()) sql += " FOR UPDATE SKIP LOCKED";
    Poco::Data::Statement select(_db.session());
    select << sql, into(ids), bind(now), bind(now);
    select.execute();
    for (Poco::Int64 id : ids)
    {
        Poco::Int64 claimed = 0;
        Poco::Data::Statement st(_db.session());
        st << _db.returning("UPDATE callbacks SET lease_owner = ?, lease_until = ? WHERE id = ? AND status = 'PENDING' "
                            "AND lease_until < ? RETURNING id"),
            bind(owner), bind(leaseUntil), bind(id), bind(now), into(claimed);
        if (!fetchOne(st)) continue;
        Callback c;
        Poco::Data::Statement row(_db.session());
        row << std::string(Columns) + " WHERE id = ?";
        intoAll(row, c);
        row, bind(id), limit(1);
        if (fetchOne(row)) out.push_back(c);
    }
    return out;
}

void Callbacks::delivered(Poco::Int64 id, Poco::Int64 at)
{
    _db.session() << "UPDATE callbacks SET status = 'DELIVERED', attempts = attempts + 1, delivered_at = ?, "
                     "last_error = '', lease_owner = '', lease_until = 0 WHERE id = ? AND status = 'PENDING'",
        bind(at), bind(id), now;
}

void Callbacks::failed(Poco::Int64 id, const std::string& error, Poco::Int64 nextAt, bool giveUp, int attemptsBefore)
{
    std::string status = giveUp ? "FAILED" : "PENDING";
    std::string shortError = error.substr(0, 200);
    _db.session() << "UPDATE callbacks SET status = ?, attempts = attempts + 1, next_attempt_at = ?, last_error = ?, "
                     "lease_owner = '', lease_until = 0 WHERE id = ? AND status = 'PENDING' AND attempts = ?",
        bind(status), bind(nextAt), bind(shortError), bind(id), bind(attemptsBefore), now;
}

bool Callbacks::retry(Poco::Int64 id, Poco::Int64 at)
{
    // Looked up first, in the same transaction: through psqlODBC an UPDATE ...
    // RETURNING that moves no row (an unknown or delivered id) fails with
    // "invalid cursor state" instead of returning nothing.
    WriteTransaction tx(_db);
    {
        Query due(_db, "SELECT COUNT(*) FROM callbacks WHERE id = ? AND status <> 'DELIVERED'");
        due.bind(id);
        if (!due.next() || due.int64(0) == 0) return false;
    }
    Query update(_db, "UPDATE callbacks SET status = 'PENDING', next_attempt_at = ?, lease_until = 0 "
                      "WHERE id = ? AND status <> 'DELIVERED'");
    update.bind(at).bind(id);
    update.run();
    tx.commit();
    return true;
}

std::vector<Callback> Callbacks::list(const std::string& memberId, bool failedOnly)
{
    std::string sql = std::string(Columns) + " WHERE 1 = 1";
    if (!memberId.empty()) sql += " AND member_id = ?";
    if (failedOnly) sql += " AND (status = 'FAILED' OR (status = 'PENDING' AND attempts > 0))";
    sql += " ORDER BY id";
    Callback c;
    Poco::Data::Statement st(_db.session());
    st << sql;
    intoAll(st, c);
    if (!memberId.empty()) st, bind(memberId);
    st, range(0, 1);
    std::vector<Callback> out;
    while (fetchNext(st))
    {
        out.push_back(c);
    }
    return out;
}

} // namespace Loket
