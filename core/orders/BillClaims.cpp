#include "BillClaims.h"
#include "Query.h"
#include "TransactionState.h"

using namespace Poco::Data::Keywords;

namespace Loket {
namespace BillClaims {

std::string keyOf(const BillQuery& q, const Transaction& t)
{
    // '|' cannot occur in a family, a customer number or an amount; a period
    // comes from a biller, so it is the last field.
    return q.family + "|" + q.customer + "|" + std::to_string(q.months) + "|" + std::to_string(q.year) + "|" +
           formatRupiah(t.billAmount) + "|" + t.billPeriod;
}

bool claim(Database& db, const std::string& key, Poco::Int64 trxId, Poco::Int64 at)
{
    // A concurrent claim of the same key waits here for the other transaction
    // (PostgreSQL) or cannot happen at all (SQLite: one writer at a time).
    Query(db, "INSERT INTO bill_claims (bill_key, trx_id, claimed_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")
        .bind(key)
        .bind(trxId)
        .bind(at)
        .run();
    Poco::Int64 holder = 0;
    std::string state;
    {
        Query q(db, "SELECT c.trx_id, t.status FROM bill_claims c JOIN transactions t ON t.id = c.trx_id "
                    "WHERE c.bill_key = ?");
        q.bind(key);
        if (!q.next()) return false;   // cannot be: it was just inserted or seen; refuse rather than pay twice
        holder = q.int64(0);
        state = q.text(1);
    }
    if (holder == trxId) return true;
    if (state != stateName(TrxState::Failed)) return false;
    // The bill's last payment definitely failed: this one may pay it.  The
    // guard on the old holder lets only one of two such payments take it.
    std::string taken;
    Poco::Data::Statement st(db.session());
    st << db.returning("UPDATE bill_claims SET trx_id = ?, claimed_at = ? WHERE bill_key = ? AND trx_id = ? "
                       "RETURNING bill_key"),
        bind(trxId), bind(at), bind(key), bind(holder), into(taken);
    return fetchOne(st);
}

} // namespace BillClaims
} // namespace Loket
