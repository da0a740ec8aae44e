#include "BillRequest.h"
#include "Clock.h"
#include "Families.h"

namespace Loket {

bool readBillRequest(Context& ctx, const Request& req, Action action, Product& product, BillQuery& query,
                     Reply& refusal)
{
    if (!ctx.catalogue().find(Families::baseCode(req.product), product))
    {
        refusal = ctx.reply(RC::UnknownProduct, action, fieldsOf(req));
        return false;
    }
    if (!product.isBill())
    {
        refusal = ctx.reply(RC::BadParameter, action, badParameterFields(req, "jenis"));
        return false;
    }
    std::string bad = Families::read(product.family, req.product, req.dest, Clock::year(Clock::now()), query);
    if (!bad.empty())
    {
        refusal = ctx.reply(RC::BadParameter, action, badParameterFields(req, bad));
        return false;
    }
    return true;
}

Reply storedBillReply(Context& ctx, const Transaction& t, Action action)
{
    if (action == Action::Inquiry && t.status == "SUCCESS")
        return ctx.reply(RC::AlreadyPaid, action, fieldsOf(t));
    return ctx.reply(t.rc, action, fieldsOf(t));
}

} // namespace Loket
