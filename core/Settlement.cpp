#include "Settlement.h"
#include "Clock.h"
#include "Families.h"

namespace Loket {

Order Settlement::orderOf(const Transaction& t)
{
    Order o;
    o.orderId = std::to_string(t.id);
    o.product = Families::baseCode(t.product);
    o.dest = Families::baseCode(t.dest);
    o.qty = t.qty;
    o.amount = t.billAmount;
    return o;
}

Transaction Settlement::apply(const Transaction& t, const BillerOutcome& outcome, bool late)
{
    if (outcome.kind == BillerOutcome::Kind::Pending) return t;
    try
    {
        Transactions transactions = _ctx.transactions();
        WriteTransaction tx(_ctx.db);
        _ctx.ledger().lock(t.memberId);   // same lock order as the hold: partner, then transaction
        Transaction current;
        if (!transactions.findById(t.id, current) || !current.isPending()) return current;

        bool success = outcome.kind == BillerOutcome::Kind::Success;
        current.status = success ? "SUCCESS" : "FAILED";
        current.rc = success ? RC::Success : RC::BillerFailed;
        current.sn = outcome.sn;
        current.note = outcome.reason;
        current.updatedAt = Clock::now();
        if (late) current.mitraMessage = _ctx.templates.render(current.rc, Action::Status, fieldsOf(current));
        if (!transactions.settle(current)) return t;
        if (!success)
            _ctx.ledger().post(current.memberId, current.id, "refund", current.price,
                               "refund " + current.product + " " + current.dest);
        tx.commit();
        return current;
    }
    catch (const std::exception&)
    {
        return t;   // unknown: stays PENDING until a status check or reconcile settles it
    }
}

Transaction Settlement::recheck(const Transaction& t)
{
    Product product;
    Biller* biller = nullptr;
    try
    {
        if (_ctx.catalogue().find(Families::baseCode(t.product), product)) biller = _ctx.billers.find(product.biller);
    }
    catch (const std::exception&)
    {
        return t;
    }
    if (!biller) return t;
    return apply(t, biller->status(orderOf(t)), true);
}

} // namespace Loket
