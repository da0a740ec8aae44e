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

/// Asks the biller about every PENDING transaction last touched at least
/// `olderThanSeconds` ago and settles it (Settlement: success keeps the money,
/// a definite failure refunds once, unknown stays pending).  Safe beside the
/// workers and beside another reconcile.
class Reconciler
{
public:
    /// Called after each transaction with the totals so far and the number to examine.
    using Progress = std::function<void(const ReconcileResult& soFar, std::size_t total)>;

    explicit Reconciler(Context& ctx) : _ctx(ctx) {}
    ReconcileResult run(int olderThanSeconds, const Progress& progress = {});

private:
    Context& _ctx;
};

} // namespace Loket
