#include "SupplierReport.h"
#include "Credentials.h"
#include "DigiflazzBiller.h"
#include "IpAllowList.h"
#include "OtomaxBiller.h"
#include <Poco/String.h>
#include <Poco/URI.h>
#include <map>

namespace Loket {
namespace {

/// The parameters of "a=1&b=2" (percent-decoded, + is a space).  A name given
/// twice with different values is kept as ambiguous (an empty value).
std::map<std::string, std::string> formParams(const std::string& text)
{
    std::map<std::string, std::string> params;
    std::map<std::string, int> seen;
    std::size_t start = 0;
    while (start <= text.size())
    {
        std::size_t end = text.find('&', start);
        if (end == std::string::npos) end = text.size();
        std::string pair = text.substr(start, end - start);
        std::size_t eq = pair.find('=');
        std::string name = pair.substr(0, eq), value = eq == std::string::npos ? "" : pair.substr(eq + 1);
        for (std::string* s : {&name, &value})
        {
            for (auto& c : *s)
                if (c == '+') c = ' ';
            std::string decoded;
            try
            {
                Poco::URI::decode(*s, decoded);
            }
            catch (const Poco::Exception&)
            {
                decoded.clear();
            }
            *s = decoded;
        }
        name = Poco::toLower(name);
        if (!name.empty())
        {
            if (seen[name]++ && params[name] != value) params[name] = "";
            else params[name] = value;
        }
        start = end + 1;
    }
    return params;
}

std::string header(const SupplierReportRequest& r, const std::string& name)
{
    for (const auto& h : r.headers)
        if (Poco::icompare(h.first, name) == 0) return h.second;
    return "";
}

std::string first(const std::map<std::string, std::string>& params, std::initializer_list<const char*> names)
{
    for (const char* n : names)
    {
        auto it = params.find(n);
        if (it != params.end() && !it->second.empty()) return it->second;
    }
    return "";
}

void readOtomax(const Supplier& supplier, const SupplierReportRequest& r, SupplierReport& report)
{
    std::map<std::string, std::string> params = formParams(r.query);
    if (r.method == "POST")
        for (const auto& p : formParams(r.body)) params.insert(p);   // the query wins when both say
    report.orderId = first(params, {"refid", "clientid", "idtrx"});
    std::string message = first(params, {"message", "msg"});
    OtomaxBiller biller(supplier, SupplierLimits());
    report.outcome = message.empty() ? BillerOutcome::pending() : biller.parse(message);
}

void readDigiflazz(const SupplierReportRequest& r, SupplierReport& report)
{
    report.outcome = DigiflazzBiller::parse(r.body, report.orderId);
}

} // namespace

SupplierReport readSupplierReport(const Supplier& supplier, const SupplierReportRequest& r)
{
    SupplierReport report;
    try
    {
        if (supplier.reportToken.empty() || !Credentials::same(supplier.reportToken, r.token))
        {
            report.verdict = SupplierReport::Verdict::WrongToken;
            return report;
        }
        if (!IpAllowList(supplier.reportIps).allows(r.peerIp))
        {
            report.verdict = SupplierReport::Verdict::IpNotAllowed;
            return report;
        }
        if (r.body.size() > SupplierReport::MaxBody) return report;
        if (supplier.type == "digiflazz")
        {
            if (!DigiflazzBiller::verifyWebhook(r.body, header(r, "X-Hub-Signature"), supplier.webhookSecret))
            {
                report.verdict = SupplierReport::Verdict::BadSignature;
                return report;
            }
            readDigiflazz(r, report);
        }
        else
            readOtomax(supplier, r, report);
        // Our ids are refID-shaped ([A-Za-z0-9_-]{1,64}); anything else names no order of ours.
        bool ours = !report.orderId.empty() && report.orderId.size() <= 64 &&
                    report.orderId.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-") ==
                        std::string::npos;
        report.verdict = ours ? SupplierReport::Verdict::Accepted : SupplierReport::Verdict::Unreadable;
    }
    catch (const std::exception&)
    {
        report.verdict = SupplierReport::Verdict::Unreadable;
    }
    if (report.verdict != SupplierReport::Verdict::Accepted)
    {
        report.orderId.clear();
        report.outcome = BillerOutcome::pending();
    }
    return report;
}

std::string verdictName(SupplierReport::Verdict verdict)
{
    switch (verdict)
    {
    case SupplierReport::Verdict::Accepted: return "accepted";
    case SupplierReport::Verdict::WrongToken: return "wrong-token";
    case SupplierReport::Verdict::IpNotAllowed: return "ip-not-allowed";
    case SupplierReport::Verdict::BadSignature: return "bad-signature";
    case SupplierReport::Verdict::Unreadable: return "unreadable";
    }
    return "unreadable";
}

} // namespace Loket
