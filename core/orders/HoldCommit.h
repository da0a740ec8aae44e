#pragma once
#include "Context.h"

namespace Loket {

/// How the commit of a hold (the write that debits a purchase) ended.
enum class HoldCommit
{
    Committed,      ///< durable: go on to the biller
    NotCommitted,   ///< nothing was written: answer as "before any debit"
    Unknown         ///< cannot tell: answer PENDING, never FAILED
};

/// Where a purchase (topup or bill payment) starts, decided inside its write
/// transaction: FAILED with RC 47 when the product cannot be sold now, FAILED
/// with RC 17 when the balance is short, else PENDING with RC 68.
void decidePurchase(Context& ctx, Transaction& t, bool sellable);

/// Debits a PENDING purchase's price (journal "hold"); t must be written first.
void holdPrice(Context& ctx, const Transaction& t, const std::string& note);

/// Commits `tx`, which wrote `intended`.  A PENDING hold is first marked as
/// sent to the biller (Transactions::markSent), in the same write.  A COMMIT
/// that reports an error may still have committed (an fsync error does), so on
/// error this rolls back what is left and reads the row again to find out.
HoldCommit commitHold(Context& ctx, WriteTransaction& tx, const Transaction& intended);

} // namespace Loket
