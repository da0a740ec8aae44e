#include "Reconciler.h"
#include "Clock.h"
#include "Settlement.h"

namespace Loket {

ReconcileResult Reconciler::run(int olderThanSeconds)
{
    TransactionFilter filter;
    filter.status = "PENDING";
    filter.updatedBefore = Clock::now() - olderThanSeconds;
    if (filter.updatedBefore <= 0) filter.updatedBefore = 1;
    ReconcileResult result;
    Settlement settlement(_ctx);
    for (const Transaction& t : _ctx.transactions().list(filter))
    {
        ++result.examined;
        Transaction after = settlement.recheck(t);
        if (after.status == "SUCCESS") ++result.succeeded;
        else if (after.status == "FAILED") ++result.refunded;
        else ++result.stillPending;
    }
    return result;
}

} // namespace Loket
