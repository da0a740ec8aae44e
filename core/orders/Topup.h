#pragma once
#include "Context.h"

namespace Loket {

/// A prepaid topup: claim the refID and hold the price in one write
/// transaction, call the biller outside it, then settle.
class Topup
{
public:
    explicit Topup(Context& ctx) : _ctx(ctx) {}
    Reply handle(const Request& request, const Partner& partner);

private:
    Context& _ctx;
};

} // namespace Loket
