#pragma once
#include "Biller.h"
#include "Suppliers.h"
#include <string>
#include <utility>
#include <vector>

namespace Loket {

/// An asynchronous report from a supplier, as it reached
/// /V1/supplier-report/CODE/TOKEN (the front reads CODE to find the supplier).
struct SupplierReportRequest
{
    std::string token;       ///< the TOKEN part of the URL
    std::string peerIp;      ///< REMOTE_ADDR
    std::string method;      ///< GET or POST
    std::string query;       ///< the raw query string
    std::string body;        ///< the raw request body (at most MaxBody bytes are read)
    std::vector<std::pair<std::string, std::string>> headers;   ///< names in any case
};

/// What a report says, once it is believed.
struct SupplierReport
{
    enum class Verdict
    {
        Accepted,       ///< authentic: orderId and outcome are set
        WrongToken,     ///< the URL's token is not this supplier's
        IpNotAllowed,   ///< the peer is outside --report-ip
        BadSignature,   ///< Digiflazz: X-Hub-Signature missing or wrong (or no --webhook-secret)
        Unreadable      ///< authentic, but names no order of ours
    };
    Verdict verdict = Verdict::Unreadable;
    std::string orderId;     ///< our [idtrx] / ref_id
    BillerOutcome outcome;   ///< parsed like a reply: Pending unless it definitely says otherwise

    static const std::size_t MaxBody = 64 * 1024;
};

/// Checks and reads a report for `supplier`: the token first (constant time),
/// then the peer's address, then (Digiflazz) the signature; then our order id
/// from refid, clientid or idtrx (otomax; query or form body) or the JSON
/// data.ref_id (digiflazz), and the outcome from message / msg through the
/// supplier's own regexes, or from the JSON as a /transaction reply.
/// Never throws.  Moving the order is the caller's job: only a non-final order
/// moves, and a report that contradicts a final state moves no money.
SupplierReport readSupplierReport(const Supplier& supplier, const SupplierReportRequest& request);

/// The name of a verdict, for logs ("accepted", "wrong-token", ...).
std::string verdictName(SupplierReport::Verdict verdict);

} // namespace Loket
