#pragma once
#include "Context.h"
#include "Settlement.h"
#include "SupplierReport.h"

namespace Loket {

/// What our answer to a supplier's report is: an HTTP status and a short
/// text, and a line for the operator's log (never a token or a secret).
struct ReportAnswer
{
    int httpStatus = 200;
    std::string text = "OK";
    std::string log;
};

/// A supplier's asynchronous report (/V1/supplier-report/CODE/TOKEN): believed
/// only with the supplier's token, from its allowed addresses, with a valid
/// signature (Digiflazz).  It moves only an order that is open at that
/// supplier (SENT or PENDING), through the same guarded settlement as the
/// dispatcher.  A report that contradicts a final state changes no money and is
/// logged loudly.  An "in process" report changes nothing.
ReportAnswer acceptSupplierReport(Context& ctx, const std::string& code, const SupplierReportRequest& request,
                                  const Settlement::StatusText& statusText);

} // namespace Loket
