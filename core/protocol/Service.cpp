#include "Service.h"
#include "Authentication.h"
#include "BillInquiry.h"
#include "Clock.h"
#include "MutationsReply.h"
#include "PriceListReply.h"
#include "Purchase.h"
#include "Schema.h"
#include "StatusCheck.h"
#include "Bell.h"
#include "Clock.h"
#include "SupplierReports.h"
#include <Poco/Exception.h>

namespace Loket {

Service::Service(const Config& config, Database& db, CommitGroup* group) : _config(config), _db(db), _group(group)
{
    // A worker must start even while the ledger cannot be read (a read-only
    // disk, a lost -shm file): it answers RC 99 until the templates load on a
    // later request.  Dying instead makes the supervisor give up on it.
    loadTemplates();
    // A ledger upgraded by a newer Loket may mean things this binary does not
    // know: serve nothing from it (RC 99) rather than guess.
    _schemaTooNew = Schema::version(db) > Schema::CurrentVersion;
}

bool Service::loadTemplates()
{
    try
    {
        // With a good set in hand a bad row refuses the whole new set; with
        // none yet (a worker starting), the good rows are better than nothing.
        Templates fresh;
        fresh.load(_db, _templates.size() > 0);
        _templates = fresh;
        return true;
    }
    catch (const std::exception&)
    {
        return false;   // keep the last good set (none at start: the built-in RC 99 text)
    }
}

void Service::useTemplateVersion(const std::string& version)
{
    if (version == _templateVersion) return;
    // On failure the last good set stays, and the next request tries again.
    if (loadTemplates()) _templateVersion = version;
}

Reply Service::failure(const Request& req, const std::exception& e)
{
    _db.noteFailure();
    Reply reply = render(_templates, Outcome::of(RC::SystemBusy), req);
    const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
    reply.error = poco ? poco->displayText() : e.what();
    return reply;
}

Reply Service::handle(const std::string& endpoint, const std::string& query, Request& req, Awaiting& awaiting,
                      const std::string& remoteAddr)
{
    awaiting = Awaiting();
    try
    {
        _db.ensureConnected();
    }
    catch (const std::exception&)
    {
        // Still down: the request below fails with RC 99 and the next one tries again.
    }
    if (_templates.size() == 0) loadTemplates();
    req = Request::parse(endpoint, query);
    req.remoteAddr = remoteAddr;   // issue 11: the IP allowlist
    if (!req.badParameter.empty()) return render(_templates, Outcome::badParam(req.badParameter), req);
    if (_schemaTooNew)
    {
        Reply reply = render(_templates, Outcome::of(RC::SystemBusy), req);
        reply.error = "the ledger's schema is newer than this Loket; upgrade the binaries";
        return reply;
    }
    // Everything that reaches the catch happened before any money moved, so a
    // transaction the database chose to abort (serialization failure, deadlock)
    // is simply run again, a bounded number of times.
    const int attempts = 3;
    for (int attempt = 1;; ++attempt)
    try
    {
        Outcome outcome = dispatch(req, awaiting);
        if (awaiting.any()) return Reply();
        return render(_templates, outcome, req);
    }
    catch (const std::exception& e)
    {
        awaiting = Awaiting();
        if (attempt < attempts && Database::isRetryable(e)) continue;
        // Every path that debits handles its own errors after the debit, so
        // whatever reaches here happened before any money moved.
        return failure(req, e);
    }
}

Reply Service::finish(const Awaiting& awaiting)
{
    const Request& req = awaiting.request;
    try
    {
        _db.ensureConnected();
        Context ctx{_config, _db};
        Outcome o = awaiting.order ? Purchase(ctx).finish(awaiting.order)
                                   : BillInquiry(ctx).finish(awaiting.inquiry, req, awaiting.partner);
        o.balance = ctx.ledger().balance(awaiting.partner.memberId);   // [saldo], after the order
        return render(_templates, o, req);
    }
    catch (const std::exception& e)
    {
        // The order is queued and debited: its outcome is unknown to us now,
        // so the partner hears SEDANG DIPROSES and checks its status later.
        Reply reply = failure(req, e);
        if (awaiting.order)
        {
            std::string error = reply.error;
            reply = render(_templates, Outcome::of(RC::Pending, awaiting.transaction), req);
            reply.error = error;
        }
        return reply;
    }
}

Reply Service::health()
{
    Reply reply;
    std::string problems;
    Poco::Int64 oldestQueued = 0, pending = 0, callbacksFailing = 0;
    try
    {
        using namespace Poco::Data::Keywords;
        _db.ensureConnected();
        Poco::Int64 now = Clock::now();
        Poco::Int64 queuedSince = 0;
        _db.session() << "SELECT COALESCE(MIN(created_at), 0) FROM transactions WHERE status = 'QUEUED'",
            into(queuedSince), Poco::Data::Keywords::now;
        oldestQueued = queuedSince > 0 ? now - queuedSince : 0;
        _db.session() << "SELECT COUNT(*) FROM transactions WHERE status = 'PENDING'", into(pending),
            Poco::Data::Keywords::now;
        _db.session() << "SELECT COUNT(*) FROM callbacks WHERE status = 'FAILED' OR (status = 'PENDING' AND attempts > 0)",
            into(callbacksFailing), Poco::Data::Keywords::now;
        if (oldestQueued > 60) problems += " orders-waiting-for-a-dispatcher";
    }
    catch (const std::exception&)
    {
        _db.noteFailure();
        problems += " ledger-down";
    }
    if (!Bell::answered(_config.dispatcherSocket)) problems += " dispatcher-down";
    reply.httpStatus = problems.empty() ? 200 : 503;
    reply.rc = problems.empty() ? "00" : "99";
    reply.text = std::string(problems.empty() ? "OK" : "FAIL" + problems) + "\npool: up\noldest queued order: " +
                 std::to_string(oldestQueued) + " s\npending orders: " + std::to_string(pending) +
                 "\ncallbacks failing: " + std::to_string(callbacksFailing) + "\n";
    return reply;
}

Reply Service::supplierReport(const std::string& code, const SupplierReportRequest& request)
{
    try
    {
        _db.ensureConnected();
        Context ctx{_config, _db};
        ReportAnswer a = acceptSupplierReport(ctx, code, request, [this](const Transaction& t) {
            return _templates.render(t.rc, Action::Status, fieldsOf(t));
        });
        Reply reply{a.text, "", a.log};
        reply.httpStatus = a.httpStatus;
        return reply;
    }
    catch (const std::exception& e)
    {
        _db.noteFailure();
        const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
        Reply reply{"RETRY", "", redactSecrets(poco ? poco->displayText() : e.what())};
        reply.httpStatus = 503;
        return reply;
    }
}

Reply Service::unavailable(const std::string& endpoint, const std::string& query, Request& req,
                           const std::string& why)
{
    req = Request::parse(endpoint, query);
    Templates none;
    return {none.render(RC::SystemBusy, req.action, fieldsOf(req)), RC::SystemBusy, why};
}

Outcome Service::purchase(const Request& req, const Partner& partner)
{
    if (!_group)
    {
        Context ctx{_config, _db};
        return Purchase(ctx).handle(req, partner);
    }
    // A purchase reads its refID before it writes, so the group may run it
    // again alone if the shared commit fails (CommitGroup).
    Outcome o;
    try
    {
        _group->run([&](Database& db) {
            Context ctx{_config, db};
            o = Purchase(ctx).handle(req, partner);
        });
    }
    catch (const CommitGroup::NotBegun&)
    {
        Context ctx{_config, _db};
        o = Purchase(ctx).handle(req, partner);
    }
    catch (const CommitGroup::Unknown&)
    {
        // The hold of the first run may be in the ledger: never "failed".
        if (o.awaitOrder) return Outcome::of(RC::Pending, o.transaction);
        throw;
    }
    return o;
}

Outcome Service::dispatch(const Request& req, Awaiting& awaiting)
{
    Context ctx{_config, _db};
    Partner partner;
    // core/partners/Authenticator: allowlist, lockout, pin+password or sign (issue 11).
    AuthOutcome auth = Authenticator(_config, _db).authenticate(authRequestOf(req), partner);
    if (auth != AuthOutcome::Ok) return Outcome::of(rcOf(auth));

    Outcome o;
    switch (req.action)
    {
    case Action::Topup:
    case Action::Payment: o = purchase(req, partner); break;
    case Action::Inquiry: o = BillInquiry(ctx).handle(req, partner); break;
    case Action::Status: o = StatusCheck(ctx).handle(req, partner); break;
    case Action::Balance:
        o = Outcome::of(RC::Success);
        o.balance = partner.balance;
        break;
    case Action::Mutations: o = mutationsOutcome(ctx, req, partner); break;   // issue 13 (MutationsReply)
    case Action::PriceList: o = priceListOutcome(ctx, partner); break;        // issue 10 (PriceListReply)
    }
    if (o.awaitOrder || o.awaitInquiry)
    {
        awaiting.request = req;
        awaiting.partner = partner;
        awaiting.order = o.awaitOrder;
        awaiting.inquiry = o.awaitInquiry;
        awaiting.transaction = o.transaction;
    }
    // [saldo] works in every template: the partner's balance after this request.
    else if (o.balance < 0 && req.action != Action::Mutations)
        o.balance = ctx.ledger().balance(partner.memberId);
    return o;
}

} // namespace Loket
