#include "Reconciler.h"
#include "Clock.h"
#include <Poco/Thread.h>
#include <map>

namespace Loket {

ReconcileResult Reconciler::run(int olderThanSeconds, int waitSeconds, const std::function<void()>& wakeDispatcher,
                                const Progress& progress)
{
    Poco::Int64 now = Clock::now();
    Poco::Int64 before = now - olderThanSeconds;
    std::vector<Poco::Int64> ids;
    std::map<Poco::Int64, int> checksBefore;
    {
        WriteTransaction tx(_ctx.db);
        // Only the orders this run claimed: one another run made due is its to count.
        ids = _ctx.transactions().makeChecksDue(before);
        for (Poco::Int64 id : ids)
        {
            Transaction t;
            if (_ctx.transactions().findById(id, t)) checksBefore[id] = t.checks;
        }
        tx.commit();
    }
    ReconcileResult result;
    if (ids.empty()) return result;
    if (wakeDispatcher) wakeDispatcher();

    std::map<Poco::Int64, bool> done;
    Poco::Int64 deadline = Clock::now() + waitSeconds;
    while (done.size() < ids.size())
    {
        for (Poco::Int64 id : ids)
        {
            if (done.count(id)) continue;
            Transaction t;
            if (!_ctx.transactions().findById(id, t)) continue;
            bool asked = t.isFinal() || t.checks > checksBefore[id];
            if (!asked) continue;
            done[id] = true;
            ++result.examined;
            if (t.status == TrxState::Success) ++result.succeeded;
            else if (t.status == TrxState::Failed) ++result.refunded;
            else ++result.stillPending;
            if (progress) progress(result, ids.size());
        }
        if (done.size() == ids.size() || Clock::now() > deadline) break;
        Poco::Thread::sleep(100);
    }
    // Not asked in time (no dispatcher running?): still pending, counted as such.
    for (Poco::Int64 id : ids)
        if (!done.count(id))
        {
            ++result.examined;
            ++result.stillPending;
        }
    return result;
}

} // namespace Loket
