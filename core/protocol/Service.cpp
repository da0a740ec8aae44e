#include "Service.h"
#include "BillInquiry.h"
#include "BillPayment.h"
#include "Clock.h"
#include "Schema.h"
#include "StatusCheck.h"
#include "Topup.h"
#include <Poco/Exception.h>

namespace Loket {

Service::Service(const Config& config, Database& db)
    : _config(config), _db(db), _billers(config, db), _ctx{config, db, _templates, _billers}
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

Reply Service::handle(const std::string& endpoint, const std::string& query, Request& req)
{
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
    if (!req.badParameter.empty())
        return _ctx.reply(RC::BadParameter, req.action, badParameterFields(req, req.badParameter));
    if (_schemaTooNew)
    {
        Reply reply = _ctx.reply(RC::SystemBusy, req.action, fieldsOf(req));
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
        return dispatch(req);
    }
    catch (const std::exception& e)
    {
        if (attempt < attempts && Database::isRetryable(e)) continue;
        _db.noteFailure();
        // Every path that debits handles its own errors after the debit, so
        // whatever reaches here happened before any money moved.
        Reply reply = _ctx.reply(RC::SystemBusy, req.action, fieldsOf(req));
        const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
        reply.error = poco ? poco->displayText() : e.what();
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

Reply Service::dispatch(const Request& req)
{
    Partner partner;
    // An unknown memberID and a wrong pin or password get the same reply.
    if (!_ctx.partners().find(req.memberId, partner) || !Partners::authenticates(partner, req.pin, req.password))
        return _ctx.reply(RC::WrongCredentials, req.action, fieldsOf(req));
    if (!partner.active) return _ctx.reply(RC::PartnerSuspended, req.action, fieldsOf(req));
    if (partner.useSignature) return _ctx.reply(RC::SignatureRequired, req.action, fieldsOf(req));

    switch (req.action)
    {
    case Action::Topup: return Topup(_ctx).handle(req, partner);
    case Action::Inquiry: return BillInquiry(_ctx).handle(req, partner);
    case Action::Payment: return BillPayment(_ctx).handle(req, partner);
    case Action::Status: return StatusCheck(_ctx).handle(req, partner);
    case Action::Balance: return balance(partner);
    }
    return _ctx.reply(RC::SystemBusy, req.action, fieldsOf(req));
}

Reply Service::balance(const Partner& partner)
{
    return _ctx.reply(RC::Success, Action::Balance,
                      {{"saldo", formatRupiah(partner.balance)}, {"waktu", Clock::format(Clock::now())}});
}

} // namespace Loket
