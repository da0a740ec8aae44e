#pragma once
#include "Biller.h"
#include "Context.h"
#include <functional>
#include <vector>

namespace Loket {

/// What a biller answered about one order a dispatcher held.
struct OrderResult
{
    Transaction order;        ///< as claimed: order.status is the state it was moved from
    BillerOutcome outcome;
    std::string kind = "order";      ///< what was asked: order, status, a supplier's report, or "operator"
    std::string by;                  ///< operator: who settled it by hand (loketctl trx settle --by)
    Poco::Int64 firstFailedAt = 0;   ///< when writing it first failed (0: not yet)

    OrderResult() = default;
    OrderResult(Transaction o, BillerOutcome out, std::string k = "order")
        : order(std::move(o)), outcome(std::move(out)), kind(std::move(k)) {}
};

/// Settles orders with what their biller said: success keeps the money, a
/// definite failure refunds the hold exactly once, an unknown outcome leaves
/// the order PENDING with its next status call scheduled
/// (dispatcher.recheck_schedule).  Every move is guarded on the state the
/// order was claimed in, so a result that lost a race changes nothing.  An
/// order whose partner was answered SEDANG DIPROSES gets its STATUS reply
/// frozen (mitra_message) and, with a report URL, a callback in the outbox —
/// all in the settlement's own database transaction.
class Settlement
{
public:
    /// The reply cek=1 gives for a transaction (rendered by the protocol layer).
    using StatusText = std::function<std::string(const Transaction&)>;

    Settlement(Context& ctx, StatusText statusText) : _ctx(ctx), _statusText(std::move(statusText)) {}

    /// Applies several results in one write transaction (one commit for all);
    /// if that fails, each on its own, so one bad row cannot hold up the rest.
    /// Returns the results that could not be written (the ledger busy, full or
    /// read-only): the caller tries them again; their orders meanwhile stay
    /// as they were, holding the money.
    std::vector<OrderResult> applyAll(const std::vector<OrderResult>& results);

    /// Applies one result in its own write transaction; false when it could not be written.
    bool apply(const OrderResult& result);

private:
    /// Inside an open write transaction.
    void applyIn(const OrderResult& result);
    /// After a definite failure: moves a topup to its next usable route not yet
    /// failed (→ QUEUED, no refund); false when there is none.
    bool fallBack(const Transaction& t, TrxState from, Poco::Int64 now);

    Context& _ctx;
    StatusText _statusText;
};

/// Supplier text (SN, reasons) cleaned for a one-line reply or callback: no CR,
/// LF or other control bytes, at most `maxLength` bytes.
std::string cleanSupplierText(const std::string& text, std::size_t maxLength = 120);

} // namespace Loket
