#include "BillInquiry.h"
#include "BillRequest.h"
#include "Billers.h"
#include "Clock.h"
#include "Inquiries.h"
#include "PriceLevels.h"
#include "Routes.h"

namespace Loket {

Outcome BillInquiry::handle(const Request& req, const Partner& partner)
{
    Product product;
    BillQuery query;
    Outcome refusal;
    if (!readBillRequest(_ctx, req, product, query, refusal)) return refusal;

    Transaction t;
    bool exists = _ctx.transactions().findByRef(partner.memberId, req.refId, t);
    if (exists && !t.sameRequest("bill", req.product, req.dest, t.qty)) return Outcome::of(RC::RefIdReused);
    if (exists && t.status != TrxState::Inquired) return storedBillOutcome(t, Action::Inquiry);
    if (!product.open) return Outcome::of(RC::ProductClosed);
    // The bill is read at the product's first usable supplier, and paid there.
    auto routes = Routes(_ctx.db).usable(_ctx.config, product.code, product.biller, product.price);
    if (routes.empty()) return Outcome::of(RC::ProductClosed);
    query.product = routes.front().code;

    Poco::Int64 at = Clock::now();
    // The dispatcher skips an inquiry whose worker has stopped waiting.
    Poco::Int64 deadline = at + (_ctx.config.replyWaitMs + 999) / 1000 + 1;
    Outcome o;
    o.awaitInquiry = Inquiries(_ctx.db).enqueue(routes.front().supplier, query, deadline, at);
    return o;
}

Outcome BillInquiry::finish(Poco::Int64 id, const Request& req, const Partner& partner)
{
    InquiryRequest inquiry;
    if (!Inquiries(_ctx.db).find(id, inquiry) || !inquiry.answered) return Outcome::of(RC::Pending);
    const Bill& bill = inquiry.bill;
    switch (bill.state)
    {
    case Bill::State::NoSuchCustomer: return Outcome::of(RC::WrongCustomer);
    case Bill::State::NothingToPay: return Outcome::of(RC::AlreadyPaid);
    case Bill::State::Unknown: return Outcome::of(RC::Pending);
    case Bill::State::Found: break;
    }
    Product product;
    BillQuery query;
    Outcome refusal;
    if (!readBillRequest(_ctx, req, product, query, refusal)) return refusal;

    Transaction t;
    Poco::Int64 at = Clock::now();
    t.memberId = partner.memberId;
    t.refId = req.refId;
    t.kind = "bill";
    t.product = req.product;
    t.dest = req.dest;
    t.qty = 1;
    t.createdAt = at;
    t.status = TrxState::Inquired;
    t.rc = RC::BillUnpaid;
    t.billName = bill.name;
    t.billAmount = bill.amount;
    // The admin fee this partner pays: the product's plus its level's markup (PriceLevels).
    if (!PriceLevels(_ctx.db).priceFor(partner.memberId, product, t.billAdmin)) return Outcome::of(RC::ProductClosed);
    t.billPeriod = bill.period;
    t.biller = inquiry.biller;
    t.supplierSku = inquiry.query.product;
    // A biller's amount is checked before any sum: it becomes a debit.
    if (!addRupiah(bill.amount, t.billAdmin, t.price)) return Outcome::of(RC::Pending);
    t.updatedAt = at;
    t.inquiryExpiresAt = _ctx.config.inquiryValidSeconds > 0 ? at + _ctx.config.inquiryValidSeconds
                                                              : Clock::endOfDay(at);

    Transactions transactions = _ctx.transactions();
    WriteTransaction tx(_ctx.db);
    _ctx.ledger().lock(t.memberId);
    Transaction current;
    if (transactions.findByRef(t.memberId, t.refId, current))
    {
        // Another request on this refID got here first.
        if (!current.sameRequest("bill", req.product, req.dest, current.qty)) return Outcome::of(RC::RefIdReused);
        if (current.status != TrxState::Inquired) return storedBillOutcome(current, Action::Inquiry);
        t.id = current.id;
        t.createdAt = current.createdAt;
        if (!transactions.update(t, TrxState::Inquired)) return Outcome::of(RC::SystemBusy);
    }
    else
        transactions.insert(t);
    tx.commit();
    return Outcome::of(RC::Success, t);
}

} // namespace Loket
