#include "Settlement.h"
#include "Attempts.h"
#include "Callbacks.h"
#include "Families.h"
#include "Routes.h"
#include "Clock.h"
#include "ResponseCode.h"
#include <algorithm>

namespace Loket {

std::string cleanSupplierText(const std::string& text, std::size_t maxLength)
{
    std::string out;
    for (unsigned char c : text)
    {
        if (out.size() >= maxLength) break;
        out += (c < 0x20 || c == 0x7f) ? ' ' : static_cast<char>(c);
    }
    return out;
}

std::vector<OrderResult> Settlement::applyAll(const std::vector<OrderResult>& results)
{
    std::vector<OrderResult> failed;
    if (results.empty()) return failed;
    if (results.size() > 1)
    {
        // Partners locked in one order everywhere, so that two dispatchers
        // settling overlapping batches cannot deadlock.
        std::vector<const OrderResult*> sorted;
        for (const auto& r : results) sorted.push_back(&r);
        std::sort(sorted.begin(), sorted.end(), [](const OrderResult* a, const OrderResult* b) {
            return a->order.memberId != b->order.memberId ? a->order.memberId < b->order.memberId
                                                          : a->order.id < b->order.id;
        });
        try
        {
            WriteTransaction tx(_ctx.db);
            for (const OrderResult* r : sorted) applyIn(*r);
            tx.commit();
            return failed;
        }
        catch (const std::exception&)
        {
            // One at a time below.  (A COMMIT error that did commit is
            // harmless: each guarded move then simply finds nothing to do.)
        }
    }
    for (const auto& r : results)
        if (!apply(r)) failed.push_back(r);
    return failed;
}

bool Settlement::apply(const OrderResult& result)
{
    for (int attempt = 1; attempt <= 3; ++attempt)
    try
    {
        WriteTransaction tx(_ctx.db);
        applyIn(result);
        tx.commit();
        return true;
    }
    catch (const std::exception& e)
    {
        if (!Database::isRetryable(e)) return false;
    }
    return false;
}

void Settlement::applyIn(const OrderResult& r)
{
    const Transaction& claimed = r.order;
    const TrxState from = claimed.status;
    _ctx.ledger().lock(claimed.memberId);   // same lock order as the hold: partner, then transaction
    Transactions transactions = _ctx.transactions();
    Transaction current;
    if (!transactions.findById(claimed.id, current) || current.status != from) return;
    Poco::Int64 now = Clock::now();

    const char* said = r.outcome.kind == BillerOutcome::Kind::Success  ? "success"
                       : r.outcome.kind == BillerOutcome::Kind::Failed ? "failed"
                                                                        : "pending";
    const bool byOperator = r.kind == "operator";
    std::string reply = byOperator ? "by " + r.by + ": " + (r.outcome.reason.empty() ? r.outcome.sn : r.outcome.reason)
                                   : (r.outcome.raw.empty() ? r.outcome.reason : r.outcome.raw);
    Attempts(_ctx.db).record({current.id, r.kind, current.biller, current.supplierSku, current.sentAt, now, said,
                              cleanSupplierText(reply, 500)});

    if (r.outcome.kind == BillerOutcome::Kind::Pending)
    {
        const auto& schedule = _ctx.config.recheckSchedule;
        int step = std::min<int>(from == TrxState::Pending ? current.checks + 1 : 0, int(schedule.size()) - 1);
        transactions.keepPending(current.id, from, now + schedule[step], now);
        return;
    }
    bool success = r.outcome.kind == BillerOutcome::Kind::Success;
    // An operator's word is final: no other route after it.
    if (!success && !byOperator && fallBack(current, from, now)) return;

    current.status = success ? TrxState::Success : TrxState::Failed;
    current.rc = success ? RC::Success : RC::BillerFailed;
    current.sn = success ? cleanSupplierText(r.outcome.sn) : "";
    current.note = success ? "" : cleanSupplierText(r.outcome.reason);
    current.updatedAt = now;
    // What the supplier said it charged, if it said (range-checked by the
    // biller), else the route's cost; a failure costs nothing.
    if (success && r.outcome.price && *r.outcome.price >= 0 && *r.outcome.price <= MaxRupiah)
        current.cost = *r.outcome.price;
    if (!success) current.cost = 0;

    Settled s;
    s.to = current.status;
    s.rc = current.rc;
    s.sn = current.sn;
    s.note = current.note;
    s.cost = current.cost;
    s.at = now;
    // The partner heard "SEDANG DIPROSES": from now on cek=1 answers this
    // text, and the callback carries exactly the same.
    if (current.answeredPending) s.mitraMessage = current.mitraMessage = _statusText(current);
    if (!transactions.settle(current.id, from, s)) return;
    if (!success)
        _ctx.ledger().post(current.memberId, current.id, "refund", current.price,
                           "refund " + current.product + " " + current.dest +
                               (byOperator ? " (settled by hand: " + current.note + ")" : ""),
                           r.by);
    if (current.answeredPending)
    {
        std::string reportUrl = _ctx.partners().reportUrl(current.memberId);
        if (!reportUrl.empty())
            Callbacks(_ctx.db).enqueue(current, Callbacks::reportFor(reportUrl, current, current.mitraMessage), now);
    }
}

bool Settlement::fallBack(const Transaction& t, TrxState from, Poco::Int64 now)
{
    // Topups only: a bill was read at its supplier, and only that one can pay it.
    if (t.kind != "topup") return false;
    Product product;
    if (!_ctx.catalogue().find(Families::baseCode(t.product), product)) return false;
    std::set<std::string> failed = Attempts(_ctx.db).failedAt(t.id);
    for (const Route& route : Routes(_ctx.db).usable(_ctx.config, product.code, product.biller, product.price))
    {
        if (failed.count(route.supplier)) continue;
        Rupiah cost = 0;
        if (!multiplyRupiah(route.cost, t.qty, cost)) continue;
        return _ctx.transactions().requeue(t.id, from, route.supplier, route.code, cost, now);
    }
    return false;
}

} // namespace Loket
