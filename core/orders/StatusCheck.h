#pragma once
#include "Context.h"

namespace Loket {

/// cek=1: where a refID stands.  A pending transaction is asked about again
/// first.  Echoes the stored mitra_message of a late settlement, else renders
/// the STATUS template of the transaction's current RC.
class StatusCheck
{
public:
    explicit StatusCheck(Context& ctx) : _ctx(ctx) {}
    Reply handle(const Request& request, const Partner& partner);

private:
    Context& _ctx;
};

} // namespace Loket
