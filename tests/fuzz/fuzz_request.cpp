// libFuzzer target: a partner's request, parsed and validated, then rendered
// as every reply could render it.  Invariants: parsing never throws; a field
// that passed is one ParameterRules accepts; a reply never echoes a value that
// did not pass, and is one line.
#include "Authentication.h"
#include "Reply.h"
#include "ParameterRules.h"
#include "Request.h"
#include "Templates.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace Loket;

namespace {
const char* const Endpoints[] = {"/V1/http-get", "/V1/http-get/balance", "/V1/http-get/", "/trx", "/trx/balance",
                                 "/v1/http-get", ""};

void check(bool ok)
{
    if (!ok) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size == 0) return 0;
    std::string endpoint = Endpoints[data[0] % (sizeof Endpoints / sizeof *Endpoints)];
    std::string query(reinterpret_cast<const char*>(data + 1), size - 1);
    Request r = Request::parse(endpoint, query);
    if (r.badParameter.empty())
    {
        check(ParameterRules::validMemberId(r.memberId));
        check(r.sign.empty() ? ParameterRules::validPin(r.pin) && ParameterRules::validPassword(r.password)
                             : ParameterRules::validSign(r.sign) && r.pin.empty() && r.password.empty());
        if (r.action != Action::Balance) check(ParameterRules::validRefId(r.refId));
        check(r.qty >= 1 && r.qty <= ParameterRules::MaxQty);
    }
    if (r.productValid) check(ParameterRules::validProduct(r.product));
    if (r.destValid) check(ParameterRules::validDest(r.dest));
    AuthRequest a = authRequestOf(r);
    check(a.signedFields.asSent.size() == a.signedFields.upperCased.size());

    Templates none;   // the built-in RC 99 shape
    for (const Fields& f : {fieldsOf(r), badParameterFields(r, r.badParameter)})
    {
        std::string reply = none.render("99", r.action, f);
        check(reply.find('\n') == std::string::npos && reply.find('\r') == std::string::npos);
        if (!r.productValid || !r.destValid) check(reply.find("[kodeproduk]") == std::string::npos);
    }
    return 0;
}
