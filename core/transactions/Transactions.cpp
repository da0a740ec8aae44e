#include "Transactions.h"
#include "Query.h"
#include <functional>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

const std::string ColumnList =
    "id, member_id, ref_id, kind, product, dest, qty, price, status, rc, sn, note, bill_name, "
    "bill_amount, bill_admin, bill_period, inquiry_expires_at, mitra_message, created_at, updated_at, "
    "sent_at, biller, lease_owner, lease_until, next_check_at, checks, answered_pending, supplier_sku, cost, route_no";
const std::string Columns = "SELECT " + ColumnList + " FROM transactions";
/// A claim returns the row it moved, as findById would read it afterwards:
/// one statement per claimed order instead of two.
const std::string ReturningColumns = " RETURNING " + ColumnList;

/// One row of Columns (or ReturningColumns), read by position.
Transaction readRow(const Query& q)
{
    Transaction t;
    t.id = q.int64(0), t.memberId = q.text(1), t.refId = q.text(2), t.kind = q.text(3), t.product = q.text(4);
    t.dest = q.text(5), t.qty = q.integer(6), t.price = q.int64(7);
    std::string status = q.text(8);
    if (!parseState(status, t.status))
        throw std::runtime_error("transaction " + std::to_string(t.id) + " has an unknown status " + status);
    t.rc = q.text(9), t.sn = q.text(10), t.note = q.text(11), t.billName = q.text(12), t.billAmount = q.int64(13);
    t.billAdmin = q.int64(14), t.billPeriod = q.text(15), t.inquiryExpiresAt = q.int64(16);
    t.mitraMessage = q.text(17), t.createdAt = q.int64(18), t.updatedAt = q.int64(19), t.sentAt = q.int64(20);
    t.biller = q.text(21), t.leaseOwner = q.text(22), t.leaseUntil = q.int64(23), t.nextCheckAt = q.int64(24);
    t.checks = q.integer(25), t.answeredPending = q.int64(26) != 0, t.supplierSku = q.text(27), t.cost = q.int64(28);
    t.routeNo = q.integer(29);
    return t;
}

/// Runs a guarded UPDATE ... RETURNING id; true when it moved the row.
bool moved(Query& q)
{
    bool any = false;
    while (q.next()) any = true;
    return any;
}

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
        st << db.returning(update);
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

} // namespace

bool Transactions::findByRef(const std::string& memberId, const std::string& refId, Transaction& t)
{
    Query q(_db, Columns + " WHERE member_id = ? AND ref_id = ?");
    q.bind(memberId).bind(refId);
    if (!q.next()) return false;
    t = readRow(q);
    return true;
}

bool Transactions::findById(Poco::Int64 id, Transaction& t)
{
    Query q(_db, Columns + " WHERE id = ?");
    q.bind(id);
    if (!q.next()) return false;
    t = readRow(q);
    return true;
}

std::vector<Transaction> Transactions::list(const TransactionFilter& f)
{
    std::string sql = Columns + " WHERE created_at >= ?";
    if (!f.memberId.empty()) sql += " AND member_id = ?";
    if (!f.status.empty()) sql += " AND status = ?";
    if (f.updatedBefore > 0) sql += " AND updated_at <= ?";
    sql += " ORDER BY id";
    if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
    Query q(_db, sql);
    q.bind(f.since);
    if (!f.memberId.empty()) q.bind(f.memberId);
    if (!f.status.empty()) q.bind(f.status);
    if (f.updatedBefore > 0) q.bind(f.updatedBefore);
    std::vector<Transaction> out;
    while (q.next()) out.push_back(readRow(q));
    return out;
}

void Transactions::insert(Transaction& t)
{
    Query q(_db, "INSERT INTO transactions (member_id, ref_id, kind, product, dest, qty, price, status, rc, sn, "
                 "note, bill_name, bill_amount, bill_admin, bill_period, inquiry_expires_at, mitra_message, "
                 "created_at, updated_at, biller, answered_pending, supplier_sku, cost, route_no) "
                 "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    q.bind(t.memberId).bind(t.refId).bind(t.kind).bind(t.product).bind(t.dest).bind(t.qty).bind(t.price);
    q.bind(stateName(t.status)).bind(t.rc).bind(t.sn).bind(t.note).bind(t.billName).bind(t.billAmount);
    q.bind(t.billAdmin).bind(t.billPeriod).bind(t.inquiryExpiresAt).bind(t.mitraMessage).bind(t.createdAt);
    q.bind(t.updatedAt).bind(t.biller).bind(t.answeredPending ? 1 : 0).bind(t.supplierSku).bind(t.cost);
    q.bind(t.routeNo);
    if (!q.next()) throw std::runtime_error("INSERT INTO transactions returned no id");
    t.id = q.int64(0);
    q.run();
}

bool Transactions::update(const Transaction& t, TrxState from)
{
    if (from != t.status && !canMove(from, t.status))
        throw std::logic_error("transaction " + std::to_string(t.id) + ": no move " + stateName(from) + " -> " +
                               stateName(t.status));
    // RETURNING tells whether this update won; an ODBC update count cannot.
    Query q(_db, "UPDATE transactions SET price = ?, status = ?, rc = ?, sn = ?, note = ?, bill_name = ?, "
                 "bill_amount = ?, bill_admin = ?, bill_period = ?, inquiry_expires_at = ?, mitra_message = ?, "
                 "updated_at = ?, biller = ?, supplier_sku = ?, cost = ? WHERE id = ? AND status = ? RETURNING id");
    q.bind(t.price).bind(stateName(t.status)).bind(t.rc).bind(t.sn).bind(t.note).bind(t.billName);
    q.bind(t.billAmount).bind(t.billAdmin).bind(t.billPeriod).bind(t.inquiryExpiresAt).bind(t.mitraMessage);
    q.bind(t.updatedAt).bind(t.biller).bind(t.supplierSku).bind(t.cost).bind(t.id).bind(stateName(from));
    return moved(q);
}

bool Transactions::settle(Poco::Int64 id, TrxState from, const Settled& s)
{
    if (!canMove(from, s.to))
        throw std::logic_error("transaction " + std::to_string(id) + ": no move " + stateName(from) + " -> " +
                               stateName(s.to));
    Query q(_db, "UPDATE transactions SET status = ?, rc = ?, sn = ?, note = ?, mitra_message = ?, updated_at = ?, "
                 "cost = ?, lease_owner = '', lease_until = 0, next_check_at = 0 WHERE id = ? AND status = ? "
                 "RETURNING id");
    q.bind(stateName(s.to)).bind(s.rc).bind(s.sn).bind(s.note).bind(s.mitraMessage).bind(s.at).bind(s.cost);
    q.bind(id).bind(stateName(from));
    return moved(q);
}

std::vector<Poco::Int64> Transactions::queuedIds(const std::string& biller, int limit)
{
    // PostgreSQL: rows another dispatcher is claiming right now are skipped,
    // not waited for.  SQLite: BEGIN IMMEDIATE already lets one writer in.
    Query q(_db, _db.isSQLite() ? "SELECT id FROM transactions WHERE status = 'QUEUED' AND biller = ? ORDER BY id LIMIT ?"
                                : "SELECT id FROM transactions WHERE status = 'QUEUED' AND biller = ? ORDER BY id LIMIT ? "
                                  "FOR UPDATE SKIP LOCKED");
    q.bind(biller).bind(limit);
    std::vector<Poco::Int64> ids;
    while (q.next()) ids.push_back(q.int64(0));
    return ids;
}

bool Transactions::anyClaimable(const std::string& biller, Poco::Int64 now)
{
    Query queued(_db, "SELECT id FROM transactions WHERE status = 'QUEUED' AND biller = ? LIMIT 1");
    if (queued.bind(biller).next()) return true;
    Query due(_db, "SELECT id FROM transactions WHERE status = 'PENDING' AND biller = ? AND next_check_at <= ? "
                   "AND lease_until < ? LIMIT 1");
    return due.bind(biller).bind(now).bind(now).next();
}

std::vector<Transaction> Transactions::claimQueued(const std::string& biller, const std::string& owner,
                                                   Poco::Int64 now, Poco::Int64 leaseUntil, int limit)
{
    std::vector<Transaction> out;
    if (limit <= 0) return out;
    for (Poco::Int64 id : queuedIds(biller, limit))
    {
        Query claim(_db, "UPDATE transactions SET status = 'SENT', lease_owner = ?, lease_until = ?, sent_at = ?, "
                         "updated_at = ? WHERE id = ? AND status = 'QUEUED'" + ReturningColumns);
        claim.bind(owner).bind(leaseUntil).bind(now).bind(now).bind(id);
        if (claim.next()) out.push_back(readRow(claim));
        claim.run();
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
    // Kept compiled (Query), with the limit a parameter: through ODBC a
    // statement built afresh each round costs a DEALLOCATE round trip too.
    std::vector<Poco::Int64> ids;
    {
        Query due(_db, _db.isSQLite() ? "SELECT id FROM transactions WHERE status = 'PENDING' AND biller = ? AND "
                                        "next_check_at <= ? AND lease_until < ? ORDER BY next_check_at, id LIMIT ?"
                                      : "SELECT id FROM transactions WHERE status = 'PENDING' AND biller = ? AND "
                                        "next_check_at <= ? AND lease_until < ? ORDER BY next_check_at, id LIMIT ? "
                                        "FOR UPDATE SKIP LOCKED");
        due.bind(biller).bind(now).bind(now).bind(limit);
        while (due.next()) ids.push_back(due.int64(0));
    }
    for (Poco::Int64 id : ids)
    {
        Query claim(_db, "UPDATE transactions SET lease_owner = ?, lease_until = ? WHERE id = ? AND "
                         "status = 'PENDING' AND lease_until < ?" + ReturningColumns);
        claim.bind(owner).bind(leaseUntil).bind(id).bind(now);
        if (claim.next()) out.push_back(readRow(claim));
        claim.run();
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
    st << _db.returning("UPDATE transactions SET status = 'QUEUED', biller = ?, supplier_sku = ?, cost = ?, "
                        "route_no = route_no + 1, lease_owner = '', lease_until = 0, next_check_at = 0, checks = 0, "
                        "sent_at = 0, updated_at = ? WHERE id = ? AND status = ? RETURNING id"),
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
    st << _db.returning("UPDATE transactions SET status = 'PENDING', lease_owner = '', lease_until = 0, "
                        "next_check_at = ?, checks = checks + ?, updated_at = ? WHERE id = ? AND status = ? "
                        "RETURNING id"),
        bind(nextCheckAt), bind(from == TrxState::Pending ? 1 : 0), bind(at), bind(id), bind(stateName(from)),
        into(moved);
    return fetchOne(st);
}

std::vector<Poco::Int64> Transactions::makeChecksDue(Poco::Int64 updatedBefore)
{
    // The guarded UPDATE is the claim: of two runs at once, one marks a row and
    // the other no longer selects it (issue 13).
    Poco::Int64 mark = CheckAskedByReconcile;
    auto ids = selectIds(_db, "SELECT id FROM transactions WHERE status = 'PENDING' AND updated_at <= ? "
                              "AND next_check_at <> ?",
                         [&](Poco::Data::Statement& st) { st, bind(updatedBefore), bind(mark); });
    return moveEach(_db, ids,
                    "UPDATE transactions SET next_check_at = ? WHERE status = 'PENDING' AND next_check_at <> ? "
                    "AND id = ? RETURNING id",
                    [&](Poco::Data::Statement& st) { st, bind(mark), bind(mark); });
}

bool Transactions::markAnsweredPending(Poco::Int64 id)
{
    Query q(_db, "UPDATE transactions SET answered_pending = 1 "
                 "WHERE id = ? AND status IN ('QUEUED', 'SENT', 'PENDING') RETURNING id");
    q.bind(id);
    return moved(q);
}

} // namespace Loket
