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

/// Commits `tx`, which wrote `intended`.  A PENDING hold is first marked as
/// sent to the biller (Transactions::markSent), in the same write.  A COMMIT
/// that reports an error may still have committed (an fsync error does), so on
/// error this rolls back what is left and reads the row again to find out.
HoldCommit commitHold(Context& ctx, WriteTransaction& tx, const Transaction& intended);

} // namespace Loket
