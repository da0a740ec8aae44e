#pragma once
#include "Context.h"

namespace Loket {

/// jenis=6: pays exactly the bill the inquiry on the same refID returned.
/// Same hold -> biller -> settle/refund/pending flow as a topup.
class BillPayment
{
public:
    explicit BillPayment(Context& ctx) : _ctx(ctx) {}
    Reply handle(const Request& request, const Partner& partner);

private:
    Context& _ctx;
};

} // namespace Loket
