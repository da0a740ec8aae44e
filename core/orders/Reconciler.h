#pragma once
#include "Context.h"
#include <cstddef>
#include <functional>

namespace Loket {

/// Totals of one reconcile run.
struct ReconcileResult
{
    int examined = 0;
    int succeeded = 0;
    int refunded = 0;
    int stillPending = 0;
};

/// The manual trigger of the dispatcher's re-check schedule (loketctl
/// reconcile): every PENDING order last touched at least `olderThanSeconds`
/// ago becomes due for a status call now, the dispatcher is woken, and the
/// run waits (up to `waitSeconds`) until each has been asked once.  Only a
/// dispatcher talks to billers; the result counts what happened to exactly
/// the orders this run made due.  Two runs at once never count the same
/// order: an order another run made due, and no dispatcher has asked about
/// yet, is left to that run (Transactions::makeChecksDue claims each once).
class Reconciler
{
public:
    /// Called as orders are asked, with the totals so far and the number made due.
    using Progress = std::function<void(const ReconcileResult& soFar, std::size_t total)>;

    explicit Reconciler(Context& ctx) : _ctx(ctx) {}
    ReconcileResult run(int olderThanSeconds, int waitSeconds, const std::function<void()>& wakeDispatcher,
                        const Progress& progress = {});

private:
    Context& _ctx;
};

} // namespace Loket
