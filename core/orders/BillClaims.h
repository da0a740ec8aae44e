#pragma once
#include "Biller.h"
#include "Database.h"
#include "Transactions.h"
#include <string>

namespace Loket {

/// One bill is paid at most once, whatever the refIDs (issue 10).  A payment
/// claims its bill in the bill_claims table in the same database transaction
/// as its hold, so two payments of the same bill under two refIDs, at the
/// same moment or not, cannot both be charged; the ledger enforces it, not a
/// biller.  A claim whose payment FAILED is taken over by the next payment.
namespace BillClaims {

/// The bill's identity: family, customer, and the inquired bill's period and
/// amount (plus months and year where the family has them).
std::string keyOf(const BillQuery& query, const Transaction& inquired);

/// Inside the caller's write transaction: claims bill `key` for transaction
/// `trxId`.  True when it is now this transaction's (it was free, already
/// this one's, or held by a FAILED payment); false when another payment that
/// has not FAILED holds it.  On PostgreSQL a claim made by a transaction not
/// yet visible may throw a serialization failure (retryable, nothing moved).
bool claim(Database& db, const std::string& key, Poco::Int64 trxId, Poco::Int64 at);

} // namespace BillClaims
} // namespace Loket
