#pragma once
#include "Context.h"
#include "Outcome.h"
#include "Request.h"

namespace Loket {

/// jenis=5: reads a customer's bill through a dispatcher and stores it on the
/// transaction (memberID + refID).  Debits nothing.  Repeating it before the
/// payment reads the bill again.  A biller that has not answered within
/// reply.wait_ms gets RC 68, and nothing is stored.
class BillInquiry
{
public:
    explicit BillInquiry(Context& ctx) : _ctx(ctx) {}

    /// Checks the request and queues the inquiry (Outcome::awaitInquiry), or refuses it.
    Outcome handle(const Request& request, const Partner& partner);

    /// The answer once the wait for inquiry `id` is over.
    Outcome finish(Poco::Int64 id, const Request& request, const Partner& partner);

private:
    Context& _ctx;
};

} // namespace Loket
