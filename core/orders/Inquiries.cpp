#include "Inquiries.h"
#include "Query.h"

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

const char* resultName(Bill::State s)
{
    switch (s)
    {
    case Bill::State::Found: return "found";
    case Bill::State::NoSuchCustomer: return "nocustomer";
    case Bill::State::NothingToPay: return "nothing";
    case Bill::State::Unknown: break;
    }
    return "unknown";
}

Bill::State resultState(const std::string& r)
{
    if (r == "found") return Bill::State::Found;
    if (r == "nocustomer") return Bill::State::NoSuchCustomer;
    if (r == "nothing") return Bill::State::NothingToPay;
    return Bill::State::Unknown;
}

const char* const Columns = "SELECT id, biller, product, family, customer, months, year, amount, status, deadline, "
                            "result, bill_name, bill_amount, bill_period, created_at FROM inquiries";

struct Row
{
    InquiryRequest r;
    std::string status, result;
    Poco::Int64 createdAt = 0;
    void bindTo(Poco::Data::Statement& st)
    {
        st, into(r.id), into(r.biller), into(r.query.product), into(r.query.family), into(r.query.customer),
            into(r.query.months), into(r.query.year), into(r.query.amount), into(status), into(r.deadline),
            into(result), into(r.bill.name), into(r.bill.amount), into(r.bill.period), into(createdAt);
    }
    InquiryRequest read() const
    {
        InquiryRequest out = r;
        out.answered = status == "ANSWERED";
        out.bill.state = resultState(result);
        // The ref_id a supplier gets for this inquiry (its [idtrx]): never a
        // transaction id of ours (those are digits only), and never used twice
        // (ids are reused only after purge, and purge spares the last hour).
        out.query.orderId = "Q" + std::to_string(createdAt) + "-" + std::to_string(out.id);
        return out;
    }
};

} // namespace

Poco::Int64 Inquiries::enqueue(const std::string& biller, const BillQuery& q, Poco::Int64 deadline, Poco::Int64 now)
{
    Poco::Int64 id = 0;
    Poco::Data::Statement st(_db.session());
    st << "INSERT INTO inquiries (biller, product, family, customer, months, year, amount, status, deadline, "
          "created_at) VALUES (?, ?, ?, ?, ?, ?, ?, 'QUEUED', ?, ?) RETURNING id",
        bind(biller), bind(q.product), bind(q.family), bind(q.customer), bind(q.months), bind(q.year),
        bind(q.amount), bind(deadline), bind(now), into(id);
    st.execute();
    return id;
}

bool Inquiries::find(Poco::Int64 id, InquiryRequest& out)
{
    Row row;
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " WHERE id = ?";
    row.bindTo(st);
    st, bind(id), limit(1);
    if (!fetchOne(st)) return false;
    out = row.read();
    return true;
}

bool Inquiries::anyQueued(const std::string& biller, Poco::Int64 now)
{
    Query q(_db, "SELECT id FROM inquiries WHERE status = 'QUEUED' AND biller = ? AND deadline >= ? LIMIT 1");
    return q.bind(biller).bind(now).next();
}

std::vector<InquiryRequest> Inquiries::claim(const std::string& biller, const std::string& owner, Poco::Int64 now,
                                             int limit)
{
    std::vector<InquiryRequest> out;
    if (limit <= 0) return out;
    // Kept compiled (Query), with the limit a parameter: this runs every
    // dispatcher round, and through ODBC a statement built afresh costs a
    // DEALLOCATE round trip too.
    std::vector<Poco::Int64> ids;
    Query select(_db, _db.isSQLite() ? "SELECT id FROM inquiries WHERE status = 'QUEUED' AND biller = ? AND "
                                       "deadline >= ? ORDER BY id LIMIT ?"
                                     : "SELECT id FROM inquiries WHERE status = 'QUEUED' AND biller = ? AND "
                                       "deadline >= ? ORDER BY id LIMIT ? FOR UPDATE SKIP LOCKED");
    select.bind(biller).bind(now).bind(limit);
    while (select.next()) ids.push_back(select.int64(0));
    for (Poco::Int64 id : ids)
    {
        Poco::Int64 claimed = 0;
        Poco::Data::Statement st(_db.session());
        st << _db.returning("UPDATE inquiries SET status = 'SENT', lease_owner = ? WHERE id = ? AND status = 'QUEUED' "
                            "RETURNING id"),
            bind(owner), bind(id), into(claimed);
        InquiryRequest r;
        if (fetchOne(st) && find(id, r)) out.push_back(r);
    }
    return out;
}

void Inquiries::answer(Poco::Int64 id, const Bill& bill)
{
    std::string result = resultName(bill.state);
    _db.session() << "UPDATE inquiries SET status = 'ANSWERED', result = ?, bill_name = ?, bill_amount = ?, "
                     "bill_period = ? WHERE id = ? AND status = 'SENT'",
        bind(result), bind(bill.name), bind(bill.amount), bind(bill.period), bind(id), now;
}

void Inquiries::purge(Poco::Int64 before)
{
    _db.session() << "DELETE FROM inquiries WHERE created_at < ?", bind(before), now;
}

} // namespace Loket
