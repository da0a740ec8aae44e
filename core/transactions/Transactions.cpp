#include "Transactions.h"

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

const char* const Columns =
    "SELECT id, member_id, ref_id, kind, product, dest, qty, price, status, rc, sn, note, bill_name, "
    "bill_amount, bill_admin, bill_period, inquiry_expires_at, mitra_message, created_at, updated_at, "
    "sent_at FROM transactions";

void intoAll(Poco::Data::Statement& st, Transaction& t)
{
    st, into(t.id), into(t.memberId), into(t.refId), into(t.kind), into(t.product), into(t.dest),
        into(t.qty), into(t.price), into(t.status), into(t.rc), into(t.sn), into(t.note), into(t.billName),
        into(t.billAmount), into(t.billAdmin), into(t.billPeriod), into(t.inquiryExpiresAt),
        into(t.mitraMessage), into(t.createdAt), into(t.updatedAt), into(t.sentAt);
}

} // namespace

bool Transactions::findByRef(const std::string& memberId, const std::string& refId, Transaction& t)
{
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " WHERE member_id = ? AND ref_id = ?";
    intoAll(st, t);
    st, bind(memberId), bind(refId), limit(1);
    return fetchOne(st);
}

bool Transactions::findById(Poco::Int64 id, Transaction& t)
{
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " WHERE id = ?";
    intoAll(st, t);
    st, bind(id), limit(1);
    return fetchOne(st);
}

std::vector<Transaction> Transactions::list(const TransactionFilter& f)
{
    std::string sql = std::string(Columns) + " WHERE created_at >= ?";
    if (!f.memberId.empty()) sql += " AND member_id = ?";
    if (!f.status.empty()) sql += " AND status = ?";
    if (f.updatedBefore > 0) sql += " AND updated_at <= ?";
    sql += " ORDER BY id";
    if (f.limit > 0) sql += " LIMIT " + std::to_string(f.limit);
    Transaction t;
    Poco::Data::Statement st(_db.session());
    st << sql;
    intoAll(st, t);
    st, bind(f.since);
    if (!f.memberId.empty()) st, bind(f.memberId);
    if (!f.status.empty()) st, bind(f.status);
    if (f.updatedBefore > 0) st, bind(f.updatedBefore);
    st, range(0, 1);
    std::vector<Transaction> out;
    while (fetchNext(st))
    {
        out.push_back(t);
    }
    return out;
}

void Transactions::insert(Transaction& t)
{
    Poco::Data::Statement st(_db.session());
    st << "INSERT INTO transactions (member_id, ref_id, kind, product, dest, qty, price, status, rc, sn, "
          "note, bill_name, bill_amount, bill_admin, bill_period, inquiry_expires_at, mitra_message, "
          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
        bind(t.memberId), bind(t.refId), bind(t.kind), bind(t.product), bind(t.dest), bind(t.qty),
        bind(t.price), bind(t.status), bind(t.rc), bind(t.sn), bind(t.note), bind(t.billName),
        bind(t.billAmount), bind(t.billAdmin), bind(t.billPeriod), bind(t.inquiryExpiresAt),
        bind(t.mitraMessage), bind(t.createdAt), bind(t.updatedAt), into(t.id);
    st.execute();
}

void Transactions::update(const Transaction& t)
{
    _db.session() << "UPDATE transactions SET price = ?, status = ?, rc = ?, sn = ?, note = ?, bill_name = ?, "
                     "bill_amount = ?, bill_admin = ?, bill_period = ?, inquiry_expires_at = ?, "
                     "mitra_message = ?, updated_at = ? WHERE id = ?",
        bind(t.price), bind(t.status), bind(t.rc), bind(t.sn), bind(t.note), bind(t.billName),
        bind(t.billAmount), bind(t.billAdmin), bind(t.billPeriod), bind(t.inquiryExpiresAt),
        bind(t.mitraMessage), bind(t.updatedAt), bind(t.id), now;
}

bool Transactions::settle(const Transaction& t)
{
    // RETURNING tells whether this update won; an ODBC update count cannot.
    Poco::Int64 settled = 0;
    Poco::Data::Statement st(_db.session());
    st << "UPDATE transactions SET status = ?, rc = ?, sn = ?, note = ?, mitra_message = ?, updated_at = ?, sent_at = 0 "
          "WHERE id = ? AND status = 'PENDING' RETURNING id",
        bind(t.status), bind(t.rc), bind(t.sn), bind(t.note), bind(t.mitraMessage), bind(t.updatedAt),
        bind(t.id), into(settled);
    return fetchOne(st);
}

void Transactions::markSent(Poco::Int64 id, Poco::Int64 at)
{
    _db.session() << "UPDATE transactions SET sent_at = ? WHERE id = ? AND status = 'PENDING'", bind(at),
        bind(id), now;
}

void Transactions::markAnswered(Poco::Int64 id, Poco::Int64 at)
{
    _db.session() << "UPDATE transactions SET sent_at = 0, updated_at = ? WHERE id = ? AND status = 'PENDING'",
        bind(at), bind(id), now;
}

} // namespace Loket
