#pragma once
#include "Billers.h"
#include "Context.h"
#include "Templates.h"
#include <string>

namespace Loket {

/// The legacy HTTP-GET interface, independent of how requests arrive:
/// parse and validate, authenticate, dispatch to topup, inquiry, payment,
/// status check or balance, and render the one-line reply.  One per worker.
class Service
{
public:
    Service(const Config& config, Database& db);

    /// Answers one request.  Never throws: an internal error before any debit
    /// is RC 99, an unknown outcome after a debit is RC 68.
    Reply handle(const std::string& endpoint, const std::string& query, Request& parsed);

    /// Reloads the templates when `version` differs from the loaded one.  If
    /// loading fails, the last good set stays and the next call tries again.
    void useTemplateVersion(const std::string& version);

    Templates& templates() { return _templates; }

    /// The reply when no Service can be built at all (the ledger cannot be
    /// opened): RC 99 in the built-in shape, with only validated fields echoed.
    static Reply unavailable(const std::string& endpoint, const std::string& query, Request& parsed,
                             const std::string& why);

private:
    /// Reads the templates afresh; false (keeping the current set) when it cannot.
    bool loadTemplates();
    Reply dispatch(const Request& req);
    Reply balance(const Partner& partner);

    const Config& _config;
    Database& _db;
    Templates _templates;
    std::string _templateVersion;
    bool _schemaTooNew = false;
    Billers _billers;
    Context _ctx;
};

} // namespace Loket
