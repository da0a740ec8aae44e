#include "Transactions.h"
#include <functional>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

const char* const Columns =
    "SELECT id, member_id, ref_id, kind, product, dest, qty, price, status, rc, sn, note, bill_name, "
    "bill_amount, bill_admin, bill_period, inquiry_expires_at, mitra_message, created_at, updated_at, "
    "sent_at, biller, lease_owner, lease_until, next_check_at, checks, answered_pending, supplier_sku, cost, route_no "
    "FROM transactions";

/// One row as the database holds it; the status is text until read.
struct Row
{
    Transaction t;
    std::string status;
    int answeredPending = 0;

    void bindTo(Poco::Data::Statement& st)
    {
        st, into(t.id), into(t.memberId), into(t.refId), into(t.kind), into(t.product), into(t.dest),
            into(t.qty), into(t.price), into(status), into(t.rc), into(t.sn), into(t.note), into(t.billName),
            into(t.billAmount), into(t.billAdmin), into(t.billPeriod), into(t.inquiryExpiresAt),
            into(t.mitraMessage), into(t.createdAt), into(t.updatedAt), into(t.sentAt), into(t.biller),
            into(t.leaseOwner), into(t.leaseUntil), into(t.nextCheckAt), into(t.checks), into(answeredPending),
            into(t.supplierSku), into(t.cost), into(t.routeNo);
    }

    Transaction read() const
    {
        Transaction out = t;
        if (!parseState(status, out.status)) throw std::runtime_error("transaction " + std::to_string(t.id) +
                                                                      " has an unknown status " + status);
        out.answeredPending = answeredPending != 0;
        return out;
    }
};

/// Runs a guarded one-row UPDATE ... RETURNING id for each of `ids` and
/// returns the ids it moved.  (One row at a time: RETURNING several rows into
/// a vector fails through psqlODBC with "invalid cursor state".)
std::vector<Poco::Int64> moveEach(Database& db, const std::vector<Poco::Int64>& ids, const std::string& update,
                                  const std::function<void(Poco::Data::Statement&)>& binds)
{
    std::vector<Poco::Int64> moved;
    for (Poco::Int64 id : ids)
    {
        Poco::Int64 returned = 0;
        Poco::Data::Statement st(db.session());
        st << update;
        binds(st);
        st, bind(id), into(returned);
        if (fetchOne(st)) moved.push_back(id);
    }
    return moved;
}

std::vector<Poco::Int64> selectIds(Database& db, const std::string& sql, const std::function<void(Poco::Data::Statement&)>& binds)
{
    std::vector<Poco::Int64> ids;
    Poco::Data::Statement st(db.session());
    st << sql + (db.isSQLite() ? "" : " FOR UPDATE");
    binds(st);
    st, into(ids);
    st.execute();
    return ids;
}

bool fetchRow(Poco::Data::Statement& st, Row& row, Transaction& t)
{
    if (!fetchOne(st)) return false;
    t = row.read();
    return true;
}

} // namespace

bool Transactions::findByRef(const std::string& memberId, const std::string& refId, Transaction& t)
{
    Row row;
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " WHERE member_id = ? AND ref_id = ?";
    row.bindTo(st);
    st, bind(memberId), bind(refId), limit(1);
    return fetchRow(st, row, t);
}

bool Transactions::findById(Poco::Int64 id, Transaction& t)
{
    Row row;
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " WHERE id = ?";
    row.bindTo(st);
    st, bind(id), limit(1);
    return fetchRow(st, row, t);
}

std::vector<Transaction> Transactions::list(const TransactionFilter& f)
{
    std::string sql = std::string(Columns) + " WHERE created_at >= ?";
    if (!f.memberId.empty()) sql += " AND member_id = ?";
    if (!f.status.empty()) sql += " AND status = ?";
    if (f.updatedBefore > 0) sql += " AND updated_at <= ?";
    sql += " ORDER BY id";
    if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
    Row row;
    Poco::Data::Statement st(_db.session());
    st << sql;
    row.bindTo(st);
    st, bind(f.since);
    if (!f.memberId.empty()) st, bind(f.memberId);
    if (!f.status.empty()) st, bind(f.status);
    if (f.updatedBefore > 0) st, bind(f.updatedBefore);
    st, range(0, 1);
    std::vector<Transaction> out;
    while (fetchNext(st))
    {
        out.push_back(row.read());
    }
    return out;
}

void Transactions::insert(Transaction& t)
{
    const std::string& status = stateName(t.status);
    int answered = t.answeredPending ? 1 : 0;
    Poco::Data::Statement st(_db.session());
    st << "INSERT INTO transactions (member_id, ref_id, kind, product, dest, qty, price, status, rc, sn, "
          "note, bill_name, bill_amount, bill_admin, bill_period, inquiry_expires_at, mitra_message, "
          "created_at, updated_at, biller, answered_pending, supplier_sku, cost, route_no) "
          "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        bind(t.memberId), bind(t.refId), bind(t.kind), bind(t.product), bind(t.dest), bind(t.qty),
        bind(t.price), bind(status), bind(t.rc), bind(t.sn), bind(t.note), bind(t.billName),
        bind(t.billAmount), bind(t.billAdmin), bind(t.billPeriod), bind(t.inquiryExpiresAt),
        bind(t.mitraMessage), bind(t.createdAt), bind(t.updatedAt), bind(t.biller), bind(answered),
        bind(t.supplierSku), bind(t.cost), bind(t.routeNo), into(t.id);
    st.execute();
}

bool Transactions::update(const Transaction& t, TrxState from)
{
    if (from != t.status && !canMove(from, t.status))
        throw std::logic_error("transaction " + std::to_string(t.id) + ": no move " + stateName(from) + " -> " +
                               stateName(t.status));
    // RETURNING tells whether this update won; an ODBC update count cannot.
    Poco::Int64 updated = 0;
    Poco::Data::Statement st(_db.session());
    st << "UPDATE transactions SET price = ?, status = ?, rc = ?, sn = ?, note = ?, bill_name = ?, "
          "bill_amount = ?, bill_admin = ?, bill_period = ?, inquiry_expires_at = ?, mitra_message = ?, "
          "updated_at = ?, biller = ?, supplier_sku = ?, cost = ? WHERE id = ? AND status = ? RETURNING id",
        bind(t.price), bind(stateName(t.status)), bind(t.rc), bind(t.sn), bind(t.note), bind(t.billName),
        bind(t.billAmount), bind(t.billAdmin), bind(t.billPeriod), bind(t.inquiryExpiresAt), bind(t.mitraMessage),
        bind(t.updatedAt), bind(t.biller), bind(t.supplierSku), bind(t.cost), bind(t.id), bind(stateName(from)),
        into(updated);
    return fetchOne(st);
}

bool Transactions::settle(Poco::Int64 id, TrxState from, const Settled& s)
{
    if (!canMove(from, s.to))
        throw std::logic_error("transaction " + std::to_string(id) + ": no move " + stateName(from) + " -> " +
                               stateName(s.to));
    Poco::Int64 settled = 0;
    Poco::Data::Statement st(_db.session());
    st << "UPDATE transactions SET status = ?, rc = ?, sn = ?, note = ?, mitra_message = ?, updated_at = ?, cost = ?, "
          "lease_owner = '', lease_until = 0, next_check_at = 0 WHERE id = ? AND status = ? RETURNING id",
        bind(stateName(s.to)), bind(s.rc), bind(s.sn), bind(s.note), bind(s.mitraMessage), bind(s.at), bind(s.cost),
        bind(id), bind(stateName(from)), into(settled);
    return fetchOne(st);
}

std::vector<Poco::Int64> Transactions::queuedIds(const std::string& biller, int limit)
{
    // PostgreSQL: rows another dispatcher is claiming right now are skipped,
    // not waited for.  SQLite: BEGIN IMMEDIATE already lets one writer in.
    std::string sql = "SELECT id FROM transactions WHERE status = 'QUEUED' AND biller = ? ORDER BY id LIMIT " +
                      std::to_string(limit);
    if (!_db.isSQLite()) sql += " FOR UPDATE SKIP LOCKED";
    std::vector<Poco::Int64> ids;
    Poco::Data::Statement st(_db.session());
    st << sql, into(ids), bind(biller);
    st.execute();
    return ids;
}

std::vector<Transaction> Transactions::claimQueued(const std::string& biller, const std::string& owner,
                                                   Poco::Int64 now, Poco::Int64 leaseUntil, int limit)
{
    std::vector<Transaction> out;
    if (limit <= 0) return out;
    for (Poco::Int64 id : queuedIds(biller, limit))
    {
        Poco::Int64 claimed = 0;
        Poco::Data::Statement st(_db.session());
        st << "UPDATE transactions SET status = 'SENT', lease_owner = ?, lease_until = ?, sent_at = ?, updated_at = ? "
              "WHERE id = ? AND status = 'QUEUED' RETURNING id",
            bind(owner), bind(leaseUntil), bind(now), bind(now), bind(id), into(claimed);
        Transaction t;
        if (fetchOne(st) && findById(id, t)) out.push_back(t);
    }
    return out;
}

std::vector<Transaction> Transactions::claimDueChecks(const std::string& biller, const std::string& owner,
                                                      Poco::Int64 now, Poco::Int64 leaseUntil, int limit)
{
    std::vector<Transaction> out;
    if (limit <= 0) return out;
    // The lease of a check must have run out (or never been taken) before
    // another dispatcher takes it: the guard below re-reads it.
    std::vector<Poco::Int64> ids;
    {
        std::string sql = "SELECT id FROM transactions WHERE status = 'PENDING' AND biller = ? AND next_check_at <= ? "
                          "AND lease_until < ? ORDER BY next_check_at, id LIMIT " + std::to_string(limit);
        if (!_db.isSQLite()) sql += " FOR UPDATE SKIP LOCKED";
        Poco::Data::Statement st(_db.session());
        st << sql, into(ids), bind(biller), bind(now), bind(now);
        st.execute();
    }
    for (Poco::Int64 id : ids)
    {
        Poco::Int64 claimed = 0;
        Poco::Data::Statement st(_db.session());
        st << "UPDATE transactions SET lease_owner = ?, lease_until = ? "
              "WHERE id = ? AND status = 'PENDING' AND lease_until < ? RETURNING id",
            bind(owner), bind(leaseUntil), bind(id), bind(now), into(claimed);
        Transaction t;
        if (fetchOne(st) && findById(id, t)) out.push_back(t);
    }
    return out;
}

bool Transactions::requeue(Poco::Int64 id, TrxState from, const std::string& supplier, const std::string& sku,
                           Rupiah cost, Poco::Int64 at)
{
    if (!canMove(from, TrxState::Queued))
        throw std::logic_error("transaction " + std::to_string(id) + ": no move " + stateName(from) + " -> QUEUED");
    Poco::Int64 moved = 0;
    Poco::Data::Statement st(_db.session());
    st << "UPDATE transactions SET status = 'QUEUED', biller = ?, supplier_sku = ?, cost = ?, route_no = route_no + 1, "
          "lease_owner = '', lease_until = 0, next_check_at = 0, checks = 0, sent_at = 0, updated_at = ? "
          "WHERE id = ? AND status = ? RETURNING id",
        bind(supplier), bind(sku), bind(cost), bind(at), bind(id), bind(stateName(from)), into(moved);
    return fetchOne(st);
}

int Transactions::orphanSent(const std::string& deadOwner, Poco::Int64 now)
{
    auto ids = selectIds(_db, "SELECT id FROM transactions WHERE status = 'SENT' AND (lease_until < ? OR lease_owner = ?)",
                         [&](Poco::Data::Statement& st) { st, bind(now), bind(deadOwner); });
    auto moved = moveEach(_db, ids,
                          "UPDATE transactions SET status = 'PENDING', lease_owner = '', lease_until = 0, "
                          "next_check_at = ?, updated_at = ? WHERE status = 'SENT' AND (lease_until < ? OR "
                          "lease_owner = ?) AND id = ? RETURNING id",
                          [&](Poco::Data::Statement& st) { st, bind(now), bind(now), bind(now), bind(deadOwner); });
    return static_cast<int>(moved.size());
}

void Transactions::renewLeases(const std::string& owner, Poco::Int64 leaseUntil)
{
    _db.session() << "UPDATE transactions SET lease_until = ? WHERE lease_owner = ? AND status IN ('SENT', 'PENDING')",
        bind(leaseUntil), bind(owner), now;
}

bool Transactions::keepPending(Poco::Int64 id, TrxState from, Poco::Int64 nextCheckAt, Poco::Int64 at)
{
    if (from != TrxState::Pending && !canMove(from, TrxState::Pending))
        throw std::logic_error("transaction " + std::to_string(id) + ": no move " + stateName(from) + " -> PENDING");
    Poco::Int64 moved = 0;
    Poco::Data::Statement st(_db.session());
    st << "UPDATE transactions SET status = 'PENDING', lease_owner = '', lease_until = 0, next_check_at = ?, "
          "checks = checks + ?, updated_at = ? WHERE id = ? AND status = ? RETURNING id",
        bind(nextCheckAt), bind(from == TrxState::Pending ? 1 : 0), bind(at), bind(id), bind(stateName(from)),
        into(moved);
    return fetchOne(st);
}

std::vector<Poco::Int64> Transactions::makeChecksDue(Poco::Int64 updatedBefore, Poco::Int64 now)
{
    auto ids = selectIds(_db, "SELECT id FROM transactions WHERE status = 'PENDING' AND updated_at <= ?",
                         [&](Poco::Data::Statement& st) { st, bind(updatedBefore); });
    return moveEach(_db, ids,
                    "UPDATE transactions SET next_check_at = ? WHERE status = 'PENDING' AND id = ? RETURNING id",
                    [&](Poco::Data::Statement& st) { st, bind(now); });
}

bool Transactions::markAnsweredPending(Poco::Int64 id)
{
    Poco::Int64 marked = 0;
    Poco::Data::Statement st(_db.session());
    st << "UPDATE transactions SET answered_pending = 1 "
          "WHERE id = ? AND status IN ('QUEUED', 'SENT', 'PENDING') RETURNING id",
        bind(id), into(marked);
    return fetchOne(st);
}

} // namespace Loket
