#include "Request.h"
#include "Clock.h"
#include "ParameterRules.h"
#include <map>

namespace Loket {
namespace {

const char* const KnownNames[] = {"product", "dest", "refID", "memberID", "qty",
                                  "pin", "password", "sign", "cek", "check", "jenis", "from", "to"};

bool isKnown(const std::string& name)
{
    for (const char* k : KnownNames)
        if (name == k) return true;
    return false;
}

int hexValue(char c)
{
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/// Percent-decoding with '+' as space; false on a malformed escape.
bool decode(const std::string& in, std::string& out)
{
    out.clear();
    out.reserve(in.size());
    for (std::size_t i = 0; i < in.size(); ++i)
    {
        char c = in[i];
        if (c == '+') out += ' ';
        else if (c == '%')
        {
            if (i + 2 >= in.size()) return false;
            int hi = hexValue(in[i + 1]);
            int lo = hexValue(in[i + 2]);
            if (hi < 0 || lo < 0) return false;
            out += static_cast<char>(hi * 16 + lo);
            i += 2;
        }
        else out += c;
    }
    return true;
}

/// The known parameters of a query string.  A known name that repeats, or whose
/// value is badly encoded, is remembered as a problem; unknown names are ignored.
struct Query
{
    std::map<std::string, std::string> values;
    std::map<std::string, bool> problems;

    explicit Query(const std::string& query)
    {
        std::size_t pos = 0;
        while (pos <= query.size())
        {
            std::size_t amp = query.find('&', pos);
            if (amp == std::string::npos) amp = query.size();
            std::string pair = query.substr(pos, amp - pos);
            pos = amp + 1;
            if (pair.empty()) continue;
            std::size_t eq = pair.find('=');
            std::string rawName = pair.substr(0, eq);
            std::string rawValue = eq == std::string::npos ? std::string() : pair.substr(eq + 1);
            std::string name, value;
            if (!decode(rawName, name) || !isKnown(name)) continue;
            if (values.count(name) || !decode(rawValue, value))
            {
                problems[name] = true;
                continue;
            }
            values[name] = value;
        }
    }

    bool has(const std::string& name) const { return values.count(name) || problems.count(name); }
    bool bad(const std::string& name) const { return problems.count(name) > 0; }
    std::string get(const std::string& name) const
    {
        auto it = values.find(name);
        return it == values.end() ? std::string() : it->second;
    }
};

} // namespace

Request Request::parse(const std::string& endpoint, const std::string& queryString)
{
    Request r;
    auto fail = [&r](const char* name) {
        if (r.badParameter.empty()) r.badParameter = name;
    };
    // The endpoint alone decides a balance request, so even a refused one is
    // answered as SALDO.
    // The OtomaX-conventional paths are aliases (nginx/loket-server.conf).
    if (endpoint == "/V1/http-get/balance" || endpoint == "/trx/balance") r.action = Action::Balance;
    if (endpoint == "/V1/http-get/mutasi") r.action = Action::Mutations;
    if (endpoint == "/V1/http-get/pricelist") r.action = Action::PriceList;   // issue 10
    if (queryString.size() > ParameterRules::MaxQueryLength)
    {
        fail("query");
        return r;
    }
    Query q(queryString);

    // Every parameter is checked on its own; the first failure in this fixed
    // order is the one the reply names.
    auto take = [&](const char* name, bool (*valid)(const std::string&), std::string& field) {
        std::string v = q.get(name);
        if (q.bad(name) || !valid(v)) { fail(name); return false; }
        field = v;
        return true;
    };

    const bool balance = r.action == Action::Balance || r.action == Action::Mutations || r.action == Action::PriceList;
    if (!balance && endpoint != "/V1/http-get" && endpoint != "/V1/http-get/" && endpoint != "/trx")
    {
        fail("endpoint");
        return r;
    }
    // On the balance endpoint cek and jenis mean nothing: ignored like any unknown parameter.
    // check=1 is how some OtomaX clients spell cek=1; both at once is one parameter repeated.
    if (!balance && (q.has("cek") || q.has("check")))
    {
        r.action = Action::Status;
        const char* name = q.has("cek") ? "cek" : "check";
        if (q.has("cek") && q.has("check")) fail("check");
        else if (q.bad(name) || q.get(name) != "1") fail(name);
    }
    else if (!balance && q.has("jenis"))
    {
        std::string j = q.get("jenis");
        r.action = j == "6" ? Action::Payment : Action::Inquiry;
        if (q.bad("jenis") || (j != "5" && j != "6")) fail("jenis");
    }

    take("memberID", ParameterRules::validMemberId, r.memberId);
    // A sign replaces pin and password (HTTP-GET SIGN); with either of them
    // present, pin and password are the credentials and a sign is ignored.
    if (q.has("sign") && !q.has("pin") && !q.has("password"))
        take("sign", ParameterRules::validSign, r.sign);
    else
    {
        take("pin", ParameterRules::validPin, r.pin);
        take("password", ParameterRules::validPassword, r.password);
    }
    if (r.action == Action::Balance || r.action == Action::PriceList) return r;
    if (r.action == Action::Mutations)
    {
        // from= and to= are local dates (yyyy-mm-dd) or times (yyyy-mm-dd hh:mm:ss);
        // a date as `to` means the end of that day.
        for (const char* name : {"from", "to"})
        {
            if (!q.has(name)) continue;
            std::string v = q.get(name);
            Poco::Int64 at = 0;
            if (q.bad(name) || !Clock::parse(v, at)) { fail(name); continue; }
            if (std::string(name) == "from") r.from = at;
            else r.to = v.size() == 10 ? Clock::endOfDay(at) : at;
        }
        return r;
    }

    take("refID", ParameterRules::validRefId, r.refId);
    // A status check may leave product and dest out; elsewhere they are required.
    bool optional = r.action == Action::Status;
    if (!optional || q.has("product"))
        r.productValid = take("product", ParameterRules::validProduct, r.product);
    if (!optional || q.has("dest"))
        r.destValid = take("dest", ParameterRules::validDest, r.dest);
    if (q.has("qty") && (q.bad("qty") || !ParameterRules::parseQty(q.get("qty"), r.qty)))
        fail("qty");
    return r;
}

} // namespace Loket
