#include "StatusCheck.h"
#include "Clock.h"
#include "Settlement.h"

namespace Loket {

Reply StatusCheck::handle(const Request& req, const Partner& partner)
{
    Transaction t;
    if (!_ctx.transactions().findByRef(partner.memberId, req.refId, t))
        return _ctx.reply(RC::NotFound, Action::Status, fieldsOf(req));
    if (t.isPending()) t = Settlement(_ctx).recheck(t);
    if (!t.mitraMessage.empty()) return {t.mitraMessage, t.rc, ""};
    if (t.status == "INQUIRED")   // a bill read and not paid: still payable, or expired
        return _ctx.reply(Clock::now() > t.inquiryExpiresAt ? RC::InquiryExpired : RC::BillUnpaid, Action::Status,
                          fieldsOf(t));
    return _ctx.reply(t.rc, Action::Status, fieldsOf(t));
}

} // namespace Loket
