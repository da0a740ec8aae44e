#pragma once
#include "Context.h"

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
    explicit Reconciler(Context& ctx) : _ctx(ctx) {}
    ReconcileResult run(int olderThanSeconds);

private:
    Context& _ctx;
};

} // namespace Loket
