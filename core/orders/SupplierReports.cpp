#include "SupplierReports.h"
#include "SecretBox.h"
#include "Suppliers.h"
#include <Poco/NumberParser.h>

namespace Loket {

ReportAnswer acceptSupplierReport(Context& ctx, const std::string& code, const SupplierReportRequest& request,
                                  const Settlement::StatusText& statusText)
{
    ReportAnswer a;
    auto box = SecretBox::fromConfig(ctx.config);
    Supplier supplier;
    if (!Suppliers(ctx.db, *box).find(code, supplier))
        return {404, "UNKNOWN", "supplier report for unknown supplier " + code.substr(0, 32)};
    SupplierReport report = readSupplierReport(supplier, request);
    if (report.verdict != SupplierReport::Verdict::Accepted)
    {
        int status = report.verdict == SupplierReport::Verdict::Unreadable ? 400 : 403;
        return {status, "REFUSED", "supplier report from " + code + " refused: " + verdictName(report.verdict) +
                                       " (peer " + request.peerIp + ")"};
    }
    Poco::Int64 id = 0;
    Transaction t;
    if (!Poco::NumberParser::tryParse64(report.orderId, id) || !ctx.transactions().findById(id, t))
        return {404, "UNKNOWN", "supplier report from " + code + " names no order of ours"};
    if (t.biller != code)
        return {403, "REFUSED", "supplier report from " + code + " about order " + std::to_string(id) +
                                    ", which is at " + (t.biller.empty() ? "no supplier" : t.biller)};
    const auto kind = report.outcome.kind;
    if (kind == BillerOutcome::Kind::Pending) return {200, "OK", ""};
    if (t.isFinal())
    {
        bool agrees = (kind == BillerOutcome::Kind::Success) == (t.status == TrxState::Success);
        if (agrees) return {200, "OK", ""};
        // Loud: the supplier now says the opposite of what settled this order.
        // No money moves; an operator checks with the supplier (trx show).
        return {200, "OK", "ALERT supplier report from " + code + " says " +
                               (kind == BillerOutcome::Kind::Success ? "SUCCESS" : "FAILED") + " for order " +
                               std::to_string(id) + ", already final " + stateName(t.status) + ": no money moved"};
    }
    if (t.status != TrxState::Sent && t.status != TrxState::Pending)
        return {200, "OK", "supplier report from " + code + " for order " + std::to_string(id) + " not sent yet"};
    OrderResult r{t, report.outcome, "report"};
    if (!Settlement(ctx, statusText).apply(r)) return {503, "RETRY", "supplier report could not be written; retry"};
    return a;
}

} // namespace Loket
