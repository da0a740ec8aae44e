#pragma once
#include <string>

namespace Loket {

/// Partner secrets are stored only as salted SHA-256 digests.
namespace Credentials {

std::string newSalt();
std::string digest(const std::string& salt, const std::string& secret);

/// Constant-time comparison of two digests.
bool same(const std::string& a, const std::string& b);

} // namespace Credentials
} // namespace Loket
