#include "Reconciler.h"
#include "Clock.h"
#include "Settlement.h"

namespace Loket {

ReconcileResult Reconciler::run(int olderThanSeconds, const Progress& progress)
{
    TransactionFilter filter;
    filter.status = "PENDING";
    filter.updatedBefore = Clock::now() - olderThanSeconds;
    if (filter.updatedBefore <= 0) filter.updatedBefore = 1;
    ReconcileResult result;
    Settlement settlement(_ctx);
    const std::vector<Transaction> pending = _ctx.transactions().list(filter);
    for (const Transaction& t : pending)
    {
        ++result.examined;
        Transaction after = settlement.recheck(t);
        if (after.status == "SUCCESS") ++result.succeeded;
        else if (after.status == "FAILED") ++result.refunded;
        else ++result.stillPending;
        if (progress) progress(result, pending.size());
    }
    return result;
}

} // namespace Loket
