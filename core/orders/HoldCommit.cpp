#include "HoldCommit.h"
#include "Clock.h"

namespace Loket {

void decidePurchase(Context& ctx, Transaction& t, bool sellable)
{
    if (!sellable)
        t.status = "FAILED", t.rc = RC::ProductClosed;
    else if (ctx.ledger().balance(t.memberId) < t.price)
        t.status = "FAILED", t.rc = RC::InsufficientBalance;
    else
        t.status = "PENDING", t.rc = RC::Pending;
}

void holdPrice(Context& ctx, const Transaction& t, const std::string& note)
{
    if (t.isPending()) ctx.ledger().post(t.memberId, t.id, "hold", -t.price, note + " " + t.product + " " + t.dest);
}

HoldCommit commitHold(Context& ctx, WriteTransaction& tx, const Transaction& intended)
{
    try
    {
        // Part of the hold, so a status check can never see the debit without
        // knowing that the order may still be on its way to the biller.
        if (intended.isPending()) ctx.transactions().markSent(intended.id, Clock::now());
    }
    catch (const std::exception&)
    {
        tx.abandon();
        return HoldCommit::NotCommitted;
    }
    try
    {
        tx.commit();
        return HoldCommit::Committed;
    }
    catch (const std::exception&)
    {
        tx.abandon();
    }
    try
    {
        Transaction seen;
        if (!ctx.transactions().findByRef(intended.memberId, intended.refId, seen)) return HoldCommit::NotCommitted;
        bool ours = seen.id == intended.id && seen.status == intended.status && seen.price == intended.price;
        return ours ? HoldCommit::Committed : HoldCommit::NotCommitted;
    }
    catch (const std::exception&)
    {
        return HoldCommit::Unknown;
    }
}

} // namespace Loket
