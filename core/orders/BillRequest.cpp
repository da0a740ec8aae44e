#include "BillRequest.h"
#include "Clock.h"
#include "Families.h"

namespace Loket {

bool readBillRequest(Context& ctx, const Request& req, Product& product, BillQuery& query, Outcome& refusal)
{
    if (!ctx.catalogue().find(Families::baseCode(req.product), product))
    {
        refusal = Outcome::of(RC::UnknownProduct);
        return false;
    }
    if (!product.isBill())
    {
        refusal = Outcome::badParam("jenis");
        return false;
    }
    std::string bad = Families::read(product.family, req.product, req.dest, Clock::year(Clock::now()), query);
    if (!bad.empty())
    {
        refusal = Outcome::badParam(bad);
        return false;
    }
    return true;
}

Outcome storedBillOutcome(const Transaction& t, Action action)
{
    if (action == Action::Inquiry && t.status == TrxState::Success) return Outcome::of(RC::AlreadyPaid, t);
    return Outcome::of(t.rc, t);
}

} // namespace Loket
