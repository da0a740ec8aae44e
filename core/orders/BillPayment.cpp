#include "BillPayment.h"
#include "BillRequest.h"
#include "Clock.h"
#include "HoldCommit.h"
#include "Settlement.h"

namespace Loket {

Reply BillPayment::handle(const Request& req, const Partner& partner)
{
    const Action action = Action::Payment;
    Product product;
    BillQuery query;
    Reply refusal;
    if (!readBillRequest(_ctx, req, action, product, query, refusal)) return refusal;
    Biller* biller = _ctx.billers.find(product.biller);

    Transactions transactions = _ctx.transactions();
    Transaction t;
    {
        WriteTransaction tx(_ctx.db);
        _ctx.ledger().lock(partner.memberId);
        if (!transactions.findByRef(partner.memberId, req.refId, t))
            return _ctx.reply(RC::NotInquired, action, fieldsOf(req));
        if (!t.sameRequest("bill", req.product, req.dest, t.qty))
            return _ctx.reply(RC::RefIdReused, action, fieldsOf(req));
        if (t.status != "INQUIRED") return storedBillReply(_ctx, t, action);
        Poco::Int64 at = Clock::now();
        if (at > t.inquiryExpiresAt) return _ctx.reply(RC::InquiryExpired, action, fieldsOf(t));

        decidePurchase(_ctx, t, product.open && biller);
        t.updatedAt = at;
        transactions.update(t);
        holdPrice(_ctx, t, "bayar");

        switch (commitHold(_ctx, tx, t))
        {
        case HoldCommit::Committed: break;
        case HoldCommit::NotCommitted: return _ctx.reply(RC::SystemBusy, action, fieldsOf(req));
        case HoldCommit::Unknown:
            t.status = "PENDING", t.rc = RC::Pending;
            return _ctx.reply(t.rc, action, fieldsOf(t));
        }
    }
    if (!t.isPending()) return _ctx.reply(t.rc, action, fieldsOf(t));

    t = Settlement(_ctx).apply(t, biller->pay(Settlement::orderOf(t), query), false);
    return _ctx.reply(t.rc, action, fieldsOf(t));
}

} // namespace Loket
