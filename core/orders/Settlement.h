#pragma once
#include "Context.h"

namespace Loket {

/// Settles PENDING transactions: a success keeps the money, a definite failure
/// refunds the hold exactly once, an unknown outcome changes nothing.  Safe to
/// run from several workers and from `loketctl reconcile` at once: only the
/// first one to move a row out of PENDING acts.
class Settlement
{
public:
    explicit Settlement(Context& ctx) : _ctx(ctx) {}

    /// Applies `outcome` to `t`.  `late` marks a settlement after the partner
    /// was already answered "pending": the new STATUS reply is then stored as
    /// the transaction's mitra_message.  Never throws; on a storage error the
    /// transaction stays PENDING and is returned as it was.
    Transaction apply(const Transaction& t, const BillerOutcome& outcome, bool late);

    /// Asks the transaction's biller again and applies the answer (late).
    /// Leaves `t` as it is while its first order may still be on the way
    /// (inFlight): the biller's "never received" would not be final yet.
    Transaction recheck(const Transaction& t);

    /// True while the worker that sent `t`'s order has not reported and could
    /// still be waiting on the biller (biller timeout) or the ledger (busy
    /// timeout).  After that, the worker is gone or stuck, and asking is safe.
    bool inFlight(const Transaction& t) const;

    /// The order a transaction was (or is) sent to its biller as.
    static Order orderOf(const Transaction& t);

private:
    /// The sending worker heard "pending": the order reached the biller.
    void reportAnswered(const Transaction& t);

    Context& _ctx;
};

} // namespace Loket
