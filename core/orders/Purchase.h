#pragma once
#include "Context.h"
#include "Outcome.h"
#include "Request.h"

namespace Loket {

/// The one purchase path, for topups and bill payments alike: in ONE write
/// transaction claim the refID, decide, hold the price and queue the order for
/// a dispatcher; commit.  The caller then wakes a dispatcher and waits for the
/// order (Outcome::awaitOrder) without holding anything.
class Purchase
{
public:
    explicit Purchase(Context& ctx) : _ctx(ctx) {}

    /// A topup (action Topup) or the payment of an inquired bill (action Payment).
    Outcome handle(const Request& request, const Partner& partner);

    /// The answer once the wait for order `id` is over: its final state, or
    /// SEDANG DIPROSES (68) — recorded on the order, so that its settlement
    /// sends the partner a callback.
    Outcome finish(Poco::Int64 id);

private:
    Outcome topup(const Request& req, const Partner& partner);
    Outcome payment(const Request& req, const Partner& partner);
    /// Decides, holds, queues and commits `t` inside `tx` (the partner locked,
    /// `balance` as Ledger::lockAndRead returned it).  `exists`: the row is
    /// there already (a bill: INQUIRED); `billKey`: a payment's bill, claimed
    /// with the hold (BillClaims), "" for a topup.
    Outcome decideAndCommit(WriteTransaction& tx, Transaction& t, const Product& product, Rupiah balance,
                            bool exists, const std::string& billKey = "");

    Context& _ctx;
};

} // namespace Loket
