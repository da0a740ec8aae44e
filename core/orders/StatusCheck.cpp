#include "StatusCheck.h"
#include "Clock.h"

namespace Loket {

Outcome StatusCheck::handle(const Request& req, const Partner& partner)
{
    Transaction t;
    if (!_ctx.transactions().findByRef(partner.memberId, req.refId, t)) return Outcome::of(RC::NotFound);
    Outcome o = Outcome::of(t.rc, t);
    if (!t.mitraMessage.empty()) o.frozenText = t.mitraMessage;
    else if (t.status == TrxState::Inquired)   // a bill read and not paid: still payable, or expired
        o.rc = Clock::now() > t.inquiryExpiresAt ? RC::InquiryExpired : RC::BillUnpaid;
    return o;
}

} // namespace Loket
