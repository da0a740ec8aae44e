#include "LedgerFigures.h"
#include "Clock.h"
#include "TransactionState.h"
#include <algorithm>

namespace Loket {

using namespace Poco::Data::Keywords;

namespace {

/// `sql` returns (name, count) rows: adds each count under its name.
void countBy(Database& db, const std::string& sql, std::map<std::string, Poco::Int64>& into_, Poco::Int64 bound = -1)
{
    std::vector<std::string> names;
    std::vector<Poco::Int64> counts;
    Poco::Data::Statement st(db.session());
    st << sql, into(names), into(counts);
    if (bound >= 0) st, bind(bound);
    st.execute();
    for (std::size_t i = 0; i < names.size(); ++i) into_[names[i]] += counts[i];
}

Poco::Int64 scalar(Database& db, const std::string& sql)
{
    Poco::Int64 value = 0;
    db.session() << sql, into(value), now;
    return value;
}

BillerFigures& billerNamed(std::vector<BillerFigures>& billers, const std::string& code)
{
    for (BillerFigures& b : billers)
        if (b.code == code) return b;
    billers.push_back(BillerFigures());
    billers.back().code = code;
    return billers.back();
}

} // namespace

LedgerFigures readLedgerFigures(Database& db, Poco::Int64 at)
{
    LedgerFigures f;
    ReadSnapshot snapshot(db);   // every figure from the same moment
    for (TrxState s : {TrxState::Inquired, TrxState::Queued, TrxState::Sent, TrxState::Pending, TrxState::Success,
                       TrxState::Failed})
    {
        f.transactions[stateName(s)] = 0;
        f.transactionsToday[stateName(s)] = 0;
    }
    // Both read the (status, updated_at) index, never the whole table.
    countBy(db, "SELECT status, COUNT(*) FROM transactions GROUP BY status", f.transactions);
    Poco::Int64 dayStart = Clock::endOfDay(at) - 86399;
    countBy(db, "SELECT status, COUNT(*) FROM transactions WHERE updated_at >= ? GROUP BY status",
            f.transactionsToday, dayStart);

    Poco::Int64 queuedSince = scalar(db, "SELECT COALESCE(MIN(created_at), 0) FROM transactions WHERE status = 'QUEUED'");
    f.oldestQueuedAge = queuedSince > 0 ? std::max<Poco::Int64>(0, at - queuedSince) : 0;
    Poco::Int64 pendingSince = scalar(db, "SELECT COALESCE(MIN(created_at), 0) FROM transactions WHERE status = 'PENDING'");
    f.oldestPendingAge = pendingSince > 0 ? std::max<Poco::Int64>(0, at - pendingSince) : 0;

    std::map<std::string, Poco::Int64> callbacks;
    countBy(db, "SELECT status, COUNT(*) FROM callbacks GROUP BY status", callbacks);
    f.callbacksOutstanding = callbacks["PENDING"];
    f.callbacksFailed = callbacks["FAILED"];
    f.callbacksDelivered = callbacks["DELIVERED"];
    // The same rule as GET /loket/health's "callbacks failing".
    f.callbacksFailing = scalar(db, "SELECT COUNT(*) FROM callbacks WHERE status = 'FAILED' OR "
                                    "(status = 'PENDING' AND attempts > 0)");

    f.partnersActive = scalar(db, "SELECT COUNT(*) FROM partners WHERE active <> 0");
    f.partnersInactive = scalar(db, "SELECT COUNT(*) FROM partners WHERE active = 0");

    {
        std::vector<std::string> codes;
        std::vector<int> open;
        std::vector<Poco::Int64> balance, balanceAt;
        db.session() << "SELECT code, is_open, balance, balance_at FROM suppliers ORDER BY code", into(codes),
            into(open), into(balance), into(balanceAt), now;
        for (std::size_t i = 0; i < codes.size(); ++i)
        {
            BillerFigures& b = billerNamed(f.billers, codes[i]);
            b.configured = true;
            b.open = open[i] != 0;
            b.balanceKnown = balanceAt[i] > 0;
            b.balance = balance[i];
            b.balanceAt = balanceAt[i];
        }
    }
    {
        std::vector<std::string> billers, statuses;
        std::vector<Poco::Int64> counts;
        db.session() << "SELECT biller, status, COUNT(*) FROM transactions WHERE status IN ('QUEUED', 'SENT', 'PENDING') "
                        "GROUP BY biller, status",
            into(billers), into(statuses), into(counts), now;
        for (std::size_t i = 0; i < billers.size(); ++i)
        {
            BillerFigures& b = billerNamed(f.billers, billers[i]);
            if (statuses[i] == "QUEUED") b.queued += counts[i];
            else if (statuses[i] == "SENT") b.sent += counts[i];
            else b.pending += counts[i];
        }
    }
    std::sort(f.billers.begin(), f.billers.end(),
              [](const BillerFigures& a, const BillerFigures& b) { return a.code < b.code; });
    return f;
}

} // namespace Loket
