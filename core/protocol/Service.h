#pragma once
#include "CommitGroup.h"
#include "Config.h"
#include "Database.h"
#include "Outcome.h"
#include "Partners.h"
#include "Reply.h"
#include "SupplierReport.h"
#include "Templates.h"
#include <string>

namespace Loket {

/// What a request is still waiting for after Service::handle: an order to
/// become final, or a bill inquiry to be answered by a dispatcher.
struct Awaiting
{
    Request request;
    Partner partner;
    Poco::Int64 order = 0;
    Poco::Int64 inquiry = 0;
    Transaction transaction;   ///< the order as queued (its reply if the ledger fails us later)

    bool any() const { return order != 0 || inquiry != 0; }
};

/// The legacy HTTP-GET interface on one database connection, independent of
/// how requests arrive: parse and validate, authenticate, run the use case
/// (topup, inquiry, payment, status check, balance) and render its outcome as
/// the one-line reply.  A purchase or inquiry is answered in two halves —
/// handle() queues it, finish() answers once the caller has waited — so that
/// the wait holds no connection (ServicePool).
class Service
{
public:
    /// `group`: when given, purchases run in it (one commit for a worker's
    /// concurrent holds, database.group_commit); else on `db` alone.
    Service(const Config& config, Database& db, CommitGroup* group = nullptr);

    /// Answers one request, or (awaiting.any()) queues it and returns nothing
    /// yet.  Never throws: an internal error before any debit is RC 99.
    /// `remoteAddr` is the client's address (REMOTE_ADDR), for IP allowlists.
    Reply handle(const std::string& endpoint, const std::string& query, Request& parsed, Awaiting& awaiting,
                 const std::string& remoteAddr = "");

    /// The reply to a request handle() queued, once the wait is over (or timed out).
    Reply finish(const Awaiting& awaiting);

    /// GET /loket/health: 200 when the ledger answers, this host's dispatcher is
    /// up and no order has waited for a dispatcher longer than a minute; else
    /// 503.  The body names what it saw (monitoring reads the first word).
    Reply health();

    /// A supplier's report to /V1/supplier-report/CODE/TOKEN (orders/SupplierReports).
    Reply supplierReport(const std::string& code, const SupplierReportRequest& request);

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
    Outcome dispatch(const Request& req, Awaiting& awaiting);
    /// A topup or bill payment (orders/Purchase), in the commit group if there is one.
    Outcome purchase(const Request& req, const Partner& partner);
    Reply failure(const Request& req, const std::exception& e);

    const Config& _config;
    Database& _db;
    CommitGroup* _group;
    Templates _templates;
    std::string _templateVersion;
    bool _schemaTooNew = false;
};

} // namespace Loket
