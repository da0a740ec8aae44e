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
    if (outcome.kind == BillerOutcome::Kind::Pending)
    {
        if (!late) reportAnswered(t);
        return t;
    }
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

void Settlement::reportAnswered(const Transaction& t)
{
    try
    {
        _ctx.transactions().markAnswered(t.id, Clock::now());
    }
    catch (const std::exception&)
    {
        // Then rechecks wait until inFlight() runs out, which is only slower.
    }
}

bool Settlement::inFlight(const Transaction& t) const
{
    if (!t.awaitingBiller()) return false;
    // Whole seconds, rounded up, plus one for the clock's resolution.
    Poco::Int64 window = (_ctx.config.billerTimeoutMs + _ctx.config.busyTimeoutMs + 999) / 1000 + 1;
    return Clock::now() - t.sentAt <= window;
}

Transaction Settlement::recheck(const Transaction& t)
{
    // An order still on its way looks "never received" to the biller; a
    // refund now would be followed by the delivery.
    if (inFlight(t)) return t;
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
