#include "BillInquiry.h"
#include "BillRequest.h"
#include "Clock.h"

namespace Loket {

Reply BillInquiry::handle(const Request& req, const Partner& partner)
{
    const Action action = Action::Inquiry;
    Product product;
    BillQuery query;
    Reply refusal;
    if (!readBillRequest(_ctx, req, action, product, query, refusal)) return refusal;

    Transactions transactions = _ctx.transactions();
    Transaction t;
    bool exists = transactions.findByRef(partner.memberId, req.refId, t);
    if (exists && !t.sameRequest("bill", req.product, req.dest, t.qty))
        return _ctx.reply(RC::RefIdReused, action, fieldsOf(req));
    if (exists && t.status != "INQUIRED") return storedBillReply(_ctx, t, action);

    Biller* biller = _ctx.billers.find(product.biller);
    if (!product.open || !biller) return _ctx.reply(RC::ProductClosed, action, fieldsOf(req));

    Bill bill = biller->inquire(query);
    switch (bill.state)
    {
    case Bill::State::NoSuchCustomer: return _ctx.reply(RC::WrongCustomer, action, fieldsOf(req));
    case Bill::State::NothingToPay: return _ctx.reply(RC::AlreadyPaid, action, fieldsOf(req));
    case Bill::State::Unknown: return _ctx.reply(RC::Pending, action, fieldsOf(req));
    case Bill::State::Found: break;
    }

    Poco::Int64 at = Clock::now();
    if (!exists)
    {
        t.memberId = partner.memberId;
        t.refId = req.refId;
        t.kind = "bill";
        t.product = req.product;
        t.dest = req.dest;
        t.qty = 1;
        t.createdAt = at;
    }
    t.status = "INQUIRED";
    t.rc = RC::BillUnpaid;
    t.billName = bill.name;
    t.billAmount = bill.amount;
    t.billAdmin = product.admin;
    t.billPeriod = bill.period;
    t.price = bill.amount + product.admin;
    t.updatedAt = at;
    t.inquiryExpiresAt = _ctx.config.inquiryValidSeconds > 0 ? at + _ctx.config.inquiryValidSeconds
                                                               : Clock::endOfDay(at);

    WriteTransaction tx(_ctx.db);
    _ctx.ledger().lock(t.memberId);
    Transaction current;
    if (transactions.findByRef(t.memberId, t.refId, current))
    {
        // Another request on this refID got here first.
        if (!current.sameRequest("bill", req.product, req.dest, current.qty))
            return _ctx.reply(RC::RefIdReused, action, fieldsOf(req));
        if (current.status != "INQUIRED") return storedBillReply(_ctx, current, action);
        t.id = current.id;
        transactions.update(t);
    }
    else
        transactions.insert(t);
    tx.commit();
    return _ctx.reply(RC::Success, action, fieldsOf(t));
}

} // namespace Loket
