#include "Metrics.h"
#include "Bell.h"
#include "Clock.h"
#include <cctype>
#include <memory>

namespace Loket {

namespace {

/// A label value as the exposition format quotes it (\\, \" and \n escaped).
std::string quoted(const std::string& value)
{
    std::string out = "\"";
    for (char c : value)
    {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out + "\"";
}

std::string lower(std::string s)
{
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

/// Writes one metric family: HELP and TYPE once, then its samples.
class Family
{
public:
    Family(std::string& out, const std::string& name, const std::string& type, const std::string& help)
        : _out(out), _name(name)
    {
        _out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type + "\n";
    }
    void sample(Poco::Int64 value) { _out += _name + " " + std::to_string(value) + "\n"; }
    void sample(const std::string& label, const std::string& value, Poco::Int64 v)
    {
        _out += _name + "{" + label + "=" + quoted(value) + "} " + std::to_string(v) + "\n";
    }
    void sample(const std::string& label1, const std::string& value1, const std::string& label2,
                const std::string& value2, Poco::Int64 v)
    {
        _out += _name + "{" + label1 + "=" + quoted(value1) + "," + label2 + "=" + quoted(value2) + "} " +
                std::to_string(v) + "\n";
    }

private:
    std::string& _out;
    std::string _name;
};

} // namespace

std::string renderMetrics(const LedgerFigures* f, bool dispatcherUp)
{
    std::string out;
    Family(out, "loket_ledger_up", "gauge", "1 when the ledger answered this scrape, 0 when it could not be read.")
        .sample(f ? 1 : 0);
    Family(out, "loket_dispatcher_up", "gauge", "1 when this host's dispatcher answers on dispatcher.socket.")
        .sample(dispatcherUp ? 1 : 0);
    if (!f) return out;

    Family settled(out, "loket_transactions_total", "counter",
                   "Transactions that reached a final status since the ledger began (success, failed).");
    for (const char* status : {"SUCCESS", "FAILED"}) settled.sample("status", lower(status), f->transactions.at(status));
    Family today(out, "loket_transactions_today", "gauge",
                 "Transactions by status whose last change was today (local day of clock.timezone).");
    for (const auto& s : f->transactionsToday) today.sample("status", lower(s.first), s.second);
    Family orders(out, "loket_orders", "gauge",
                  "Orders holding a partner's money by state: queued (waiting for a dispatcher), sent (at a "
                  "biller), pending (outcome unknown, re-checked).");
    for (const char* state : {"QUEUED", "SENT", "PENDING"}) orders.sample("state", lower(state), f->transactions.at(state));
    Family(out, "loket_oldest_queued_order_age_seconds", "gauge",
           "How long the oldest queued order has waited for a dispatcher (0: none queued).")
        .sample(f->oldestQueuedAge);
    Family(out, "loket_oldest_pending_order_age_seconds", "gauge",
           "Age of the oldest order whose outcome is still unknown (0: none pending).")
        .sample(f->oldestPendingAge);

    Family(out, "loket_callbacks_outstanding", "gauge", "Partner callbacks not delivered yet and still being tried.")
        .sample(f->callbacksOutstanding);
    Family(out, "loket_callbacks_failing", "gauge",
           "Partner callbacks given up, or refused at least once and still being tried (as GET /loket/health).")
        .sample(f->callbacksFailing);
    Family(out, "loket_callbacks_failed", "gauge", "Partner callbacks given up after every attempt.")
        .sample(f->callbacksFailed);
    Family(out, "loket_callbacks_delivered_total", "counter", "Partner callbacks delivered.")
        .sample(f->callbacksDelivered);

    Family partners(out, "loket_partners", "gauge", "Partners by state (active, inactive).");
    partners.sample("state", "active", f->partnersActive);
    partners.sample("state", "inactive", f->partnersInactive);

    Family inFlight(out, "loket_biller_orders", "gauge",
                    "Orders in hand per biller (supplier code or built-in biller) by state: queued, sent, pending.");
    for (const BillerFigures& b : f->billers)
    {
        inFlight.sample("biller", b.code, "state", "queued", b.queued);
        inFlight.sample("biller", b.code, "state", "sent", b.sent);
        inFlight.sample("biller", b.code, "state", "pending", b.pending);
    }
    Family open(out, "loket_supplier_open", "gauge", "1 when the supplier takes orders, 0 when an operator closed it.");
    for (const BillerFigures& b : f->billers)
        if (b.configured) open.sample("supplier", b.code, b.open ? 1 : 0);
    Family balance(out, "loket_supplier_balance_rupiah", "gauge",
                   "The balance the supplier last reported, in rupiah (only suppliers that have reported one).");
    for (const BillerFigures& b : f->billers)
        if (b.configured && b.balanceKnown) balance.sample("supplier", b.code, b.balance);
    Family balanceAt(out, "loket_supplier_balance_timestamp_seconds", "gauge",
                     "When the supplier last reported its balance (Unix time).");
    for (const BillerFigures& b : f->billers)
        if (b.configured && b.balanceKnown) balanceAt.sample("supplier", b.code, b.balanceAt);
    return out;
}

Reply metricsReply(const Config& config, Database* db)
{
    std::unique_ptr<LedgerFigures> figures;
    if (db)
        try
        {
            db->ensureConnected();
            figures = std::make_unique<LedgerFigures>(readLedgerFigures(*db, Clock::now()));
        }
        catch (const std::exception&)
        {
            db->noteFailure();   // the next request reconnects; this scrape says loket_ledger_up 0
        }
    Reply reply;
    reply.text = renderMetrics(figures.get(), Bell::answered(config.dispatcherSocket));
    reply.rc = "00";
    return reply;
}

} // namespace Loket
