#include "Purchase.h"
#include "BillClaims.h"
#include "BillRequest.h"
#include "Billers.h"
#include "Clock.h"
#include "Families.h"
#include "PriceLevels.h"
#include "Routes.h"

namespace Loket {

namespace {

/// How the commit of a hold ended.  A COMMIT that reports an error may still
/// have committed (an fsync error does), so the row is read again to find out.
enum class HoldCommit { Committed, NotCommitted, Unknown };

HoldCommit commitHold(Context& ctx, WriteTransaction& tx, const Transaction& intended)
{
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

} // namespace

Outcome Purchase::handle(const Request& req, const Partner& partner)
{
    return req.action == Action::Payment ? payment(req, partner) : topup(req, partner);
}

Outcome Purchase::topup(const Request& req, const Partner& partner)
{
    Product product;
    if (!_ctx.catalogue().find(Families::baseCode(req.product), product)) return Outcome::of(RC::UnknownProduct);
    if (product.isBill()) return Outcome::badParam("jenis");
    if (product.code != req.product) return Outcome::badParam("product");

    Transaction t;
    t.memberId = partner.memberId;
    t.refId = req.refId;
    t.kind = "topup";
    t.product = req.product;
    t.dest = req.dest;
    t.qty = req.qty;
    // ParameterRules bound qty; the catalogue bounds prices.  Still checked:
    // an overflowing price must never turn a debit into a credit.  The
    // partner's price (its level's markup included) comes from PriceLevels.
    Rupiah unit = 0;
    if (!PriceLevels(_ctx.db).priceFor(partner.memberId, product, unit) || !multiplyRupiah(unit, req.qty, t.price))
        return Outcome::of(RC::ProductClosed);
    t.createdAt = t.updatedAt = Clock::now();

    WriteTransaction tx(_ctx.db);
    Rupiah balance = _ctx.ledger().lockAndRead(t.memberId);
    Transaction existing;
    if (_ctx.transactions().findByRef(t.memberId, t.refId, existing))
    {
        // A replay gets the stored state (an order still open is a status
        // check: it never buys again); anything else under this refID is a conflict.
        if (existing.sameRequest(t.kind, t.product, t.dest, t.qty)) return Outcome::of(existing.rc, existing);
        return Outcome::of(RC::RefIdReused);
    }
    return decideAndCommit(tx, t, product, balance, false);
}

Outcome Purchase::payment(const Request& req, const Partner& partner)
{
    Product product;
    BillQuery query;
    Outcome refusal;
    if (!readBillRequest(_ctx, req, product, query, refusal)) return refusal;

    WriteTransaction tx(_ctx.db);
    Rupiah balance = _ctx.ledger().lockAndRead(partner.memberId);
    Transaction t;
    if (!_ctx.transactions().findByRef(partner.memberId, req.refId, t)) return Outcome::of(RC::NotInquired);
    if (!t.sameRequest("bill", req.product, req.dest, t.qty)) return Outcome::of(RC::RefIdReused);
    if (t.status != TrxState::Inquired) return storedBillOutcome(t, Action::Payment);
    Poco::Int64 at = Clock::now();
    if (at > t.inquiryExpiresAt) return Outcome::of(RC::InquiryExpired, t);
    t.updatedAt = at;
    return decideAndCommit(tx, t, product, balance, true, BillClaims::keyOf(query, t));
}

Outcome Purchase::decideAndCommit(WriteTransaction& tx, Transaction& t, const Product& product, Rupiah balance,
                                  bool exists,
                                  const std::string& billKey)
{
    Transactions transactions = _ctx.transactions();
    // The route: a topup's first usable one; a bill is paid where it was read.
    Route route;
    bool routed = false;
    if (product.open && exists)
    {
        routed = !t.biller.empty() && Billers::serves(_ctx.config, _ctx.db, t.biller);
        route.supplier = t.biller, route.code = t.supplierSku;
    }
    else if (product.open)
    {
        auto routes = Routes(_ctx.db).usable(_ctx.config, product.code, product.biller, product.price);
        if (!routes.empty()) route = routes.front(), routed = multiplyRupiah(route.cost, t.qty, t.cost);
    }
    // RC 17 and RC 47 are final for their refID: recorded FAILED, nothing debited.
    if (!routed)
        t.status = TrxState::Failed, t.rc = RC::ProductClosed;
    else if (t.price <= 0)   // never sold for nothing: a price of 0 is a catalogue mistake
        t.status = TrxState::Failed, t.rc = RC::ProductClosed;
    else if (balance < t.price)
        t.status = TrxState::Failed, t.rc = RC::InsufficientBalance;
    else
        t.status = TrxState::Queued, t.rc = RC::Pending, t.biller = route.supplier, t.supplierSku = route.code;
    // One payment per bill (BillClaims): another payment of this bill that has
    // not failed makes this one RC 88, final for its refID, nothing debited.
    if (t.status == TrxState::Queued && !billKey.empty() && !BillClaims::claim(_ctx.db, billKey, t.id, t.updatedAt))
        t.status = TrxState::Failed, t.rc = RC::AlreadyPaid;

    if (exists)
    {
        if (!transactions.update(t, TrxState::Inquired)) return Outcome::of(RC::SystemBusy);
    }
    else
        transactions.insert(t);
    if (t.status == TrxState::Queued)
        _ctx.ledger().post(t.memberId, t.id, "hold", -t.price,
                           std::string(t.kind == "bill" ? "bayar " : "topup ") + t.product + " " + t.dest, "", balance);

    switch (commitHold(_ctx, tx, t))
    {
    case HoldCommit::Committed: break;
    case HoldCommit::NotCommitted: return Outcome::of(RC::SystemBusy);
    case HoldCommit::Unknown: return Outcome::of(RC::Pending, t);   // the hold may be there: never "failed"
    }
    Outcome o = Outcome::of(t.rc, t);
    if (t.status == TrxState::Queued) o.awaitOrder = t.id;
    return o;
}

Outcome Purchase::finish(Poco::Int64 id)
{
    Transactions transactions = _ctx.transactions();
    Transaction t;
    if (!transactions.findById(id, t)) return Outcome::of(RC::SystemBusy);
    if (t.isFinal()) return Outcome::of(t.rc, t);
    // Still open: the partner is told SEDANG DIPROSES, and the order carries
    // that fact, so that its settlement reports the end by callback.  If it
    // became final in between, the guarded update misses and we answer that.
    if (transactions.markAnsweredPending(id)) return Outcome::of(RC::Pending, t);
    if (transactions.findById(id, t)) return Outcome::of(t.rc, t);
    return Outcome::of(RC::Pending, t);
}

} // namespace Loket
