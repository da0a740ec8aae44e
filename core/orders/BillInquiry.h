#pragma once
#include "Context.h"

namespace Loket {

/// jenis=5: reads a customer's bill from the biller and stores it on the
/// transaction (memberID + refID).  Debits nothing.  Repeating it before the
/// payment reads the bill again.
class BillInquiry
{
public:
    explicit BillInquiry(Context& ctx) : _ctx(ctx) {}
    Reply handle(const Request& request, const Partner& partner);

private:
    Context& _ctx;
};

} // namespace Loket
