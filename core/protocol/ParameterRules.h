#pragma once
#include <string>

namespace Loket {

/// The one place that says which characters and lengths each request
/// parameter may have (docs/protocol.md, "Parameter rules").  Values are
/// std::string with explicit length, so an embedded NUL is just a byte that
/// fails the character check; it never truncates a value.
namespace ParameterRules {

const std::size_t MaxQueryLength = 2048;   ///< whole query string, bytes
const int MaxQty = 100;

bool validMemberId(const std::string& v);  ///< [A-Za-z0-9_-]{1,32}
bool validPin(const std::string& v);       ///< [0-9A-Za-z]{1,32}
bool validPassword(const std::string& v);  ///< printable ASCII without space, {1,128}
bool validSign(const std::string& v);      ///< [A-Za-z0-9_-]{27}: base64url of a SHA-1, no padding
bool validRefId(const std::string& v);     ///< [A-Za-z0-9_-]{1,64}
bool validProduct(const std::string& v);   ///< [A-Za-z0-9]{1,20}, optionally "@" + [A-Za-z0-9]{1,15}
bool validDest(const std::string& v);      ///< [A-Za-z0-9]{1,32}, optionally "@" + [A-Za-z0-9]{1,15}
bool parseQty(const std::string& v, int& qty); ///< [1-9][0-9]{0,2}, at most MaxQty

} // namespace ParameterRules
} // namespace Loket
