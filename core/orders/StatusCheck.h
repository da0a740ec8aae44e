#pragma once
#include "Context.h"
#include "Outcome.h"
#include "Request.h"

namespace Loket {

/// cek=1 (or check=1): where a refID stands, as the ledger knows it now.  It
/// never calls a biller (the dispatcher re-checks pending orders on its
/// schedule).  Echoes the stored mitra_message of a late settlement, else the
/// STATUS template of the transaction's current RC.
class StatusCheck
{
public:
    explicit StatusCheck(Context& ctx) : _ctx(ctx) {}
    Outcome handle(const Request& request, const Partner& partner);

private:
    Context& _ctx;
};

} // namespace Loket
