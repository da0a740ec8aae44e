#pragma once
#include "ResponseCode.h"
#include <Poco/Types.h>
#include <string>

namespace Loket {

/// A partner's request after parsing and validation.  Fields are filled only
/// when they passed their ParameterRules, so anything in here is safe to echo.
struct Request
{
    Action action = Action::Topup;
    std::string memberId;
    std::string pin;
    std::string password;
    std::string sign;      ///< HTTP-GET SIGN, used when neither pin nor password is sent
    std::string remoteAddr;   ///< set by the front (REMOTE_ADDR), never parsed from the query
    std::string product;   ///< as sent, including an "@part"
    std::string dest;      ///< as sent, including an "@part"
    std::string refId;
    int qty = 1;
    /// The journal endpoint's period (from=, to=): epoch seconds, 0 when not given.
    Poco::Int64 from = 0;
    Poco::Int64 to = 0;
    /// The client's address (REMOTE_ADDR), for the request log; set by the front.
    std::string address;

    /// Empty when the request is well formed; otherwise the name of the first
    /// missing or malformed parameter (RC 30 names it).
    std::string badParameter;

    bool productValid = false;
    bool destValid = false;

    /// Parses the query string of `endpoint` ("/V1/http-get",
    /// "/V1/http-get/balance", "/V1/http-get/mutasi" or "/V1/http-get/pricelist", or an alias:
    /// "/V1/http-get/", "/trx", "/trx/balance").  Never throws.
    static Request parse(const std::string& endpoint, const std::string& query);
};

} // namespace Loket
