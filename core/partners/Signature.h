#pragma once
#include <string>
#include <vector>

namespace Loket {

/// HTTP-GET SIGN (docs/protocol.md, "Signed requests"): instead of pin and
/// password a partner sends
///     sign = base64url-without-padding(SHA1(PREFIX|field|...|pin|password))
/// PREFIX is auth.sign_prefix or the partner's own.  OtomaX clients differ on
/// case, so a sign over memberID and product upper-cased is accepted too.
namespace Signature {

/// The values a sign covers between the prefix and the secrets, as sent and
/// with memberID and product upper-cased.
struct Fields
{
    std::vector<std::string> asSent;
    std::vector<std::string> upperCased;
};

/// memberID|product|dest|refID: topup, bill inquiry and payment, status check
/// (a status check without product or dest signs them as empty).
Fields forTransaction(const std::string& memberId, const std::string& product, const std::string& dest,
                      const std::string& refId);
/// CheckBalance|memberID
Fields forBalance(const std::string& memberId);
/// PriceList|memberID: the price list, GET /V1/http-get/pricelist (issue 10)
Fields forPriceList(const std::string& memberId);

/// The sign of PREFIX|fields...|pin|password.
std::string compute(const std::string& prefix, const std::vector<std::string>& fields, const std::string& pin,
                    const std::string& password);

/// True when `sign` is the sign of either form of `fields`.  Both forms are
/// always computed and compared in constant time.
bool verify(const std::string& sign, const std::string& prefix, const Fields& fields, const std::string& pin,
            const std::string& password);

/// base64url without padding (RFC 4648 section 5).
std::string base64Url(const std::string& bytes);

} // namespace Signature
} // namespace Loket
