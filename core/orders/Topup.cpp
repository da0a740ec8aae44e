#include "Topup.h"
#include "Clock.h"
#include "Families.h"
#include "HoldCommit.h"
#include "Settlement.h"

namespace Loket {

Reply Topup::handle(const Request& req, const Partner& partner)
{
    Product product;
    if (!_ctx.catalogue().find(Families::baseCode(req.product), product))
        return _ctx.reply(RC::UnknownProduct, Action::Topup, fieldsOf(req));
    if (product.isBill()) return _ctx.reply(RC::BadParameter, Action::Topup, badParameterFields(req, "jenis"));
    if (product.code != req.product)
        return _ctx.reply(RC::BadParameter, Action::Topup, badParameterFields(req, "product"));
    Biller* biller = _ctx.billers.find(product.biller);

    Transaction t;
    t.memberId = partner.memberId;
    t.refId = req.refId;
    t.kind = "topup";
    t.product = req.product;
    t.dest = req.dest;
    t.qty = req.qty;
    t.price = product.price * req.qty;
    t.createdAt = t.updatedAt = Clock::now();

    Transactions transactions = _ctx.transactions();
    {
        WriteTransaction tx(_ctx.db);
        _ctx.ledger().lock(t.memberId);
        Transaction existing;
        if (transactions.findByRef(t.memberId, t.refId, existing))
        {
            // A replay gets the stored outcome; anything else under this refID is a conflict.
            if (existing.sameRequest(t.kind, t.product, t.dest, t.qty))
                return _ctx.reply(existing.rc, Action::Topup, fieldsOf(existing));
            return _ctx.reply(RC::RefIdReused, Action::Topup, fieldsOf(req));
        }
        decidePurchase(_ctx, t, product.open && biller);
        transactions.insert(t);
        holdPrice(_ctx, t, "topup");

        switch (commitHold(_ctx, tx, t))
        {
        case HoldCommit::Committed: break;
        case HoldCommit::NotCommitted: return _ctx.reply(RC::SystemBusy, Action::Topup, fieldsOf(req));
        case HoldCommit::Unknown:
            t.status = "PENDING", t.rc = RC::Pending;
            return _ctx.reply(t.rc, Action::Topup, fieldsOf(t));
        }
    }
    if (!t.isPending()) return _ctx.reply(t.rc, Action::Topup, fieldsOf(t));

    BillerOutcome outcome = biller->purchase(Settlement::orderOf(t));
    t = Settlement(_ctx).apply(t, outcome, false);
    return _ctx.reply(t.rc, Action::Topup, fieldsOf(t));
}

} // namespace Loket
