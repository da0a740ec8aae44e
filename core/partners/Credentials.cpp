#include "Credentials.h"
#include <Poco/DigestEngine.h>
#include <Poco/RandomStream.h>
#include <Poco/SHA2Engine.h>

namespace Loket {
namespace Credentials {

std::string newSalt()
{
    Poco::RandomInputStream random;
    Poco::DigestEngine::Digest bytes(16);
    for (auto& b : bytes) b = static_cast<unsigned char>(random.get());
    return Poco::DigestEngine::digestToHex(bytes);
}

std::string digest(const std::string& salt, const std::string& secret)
{
    Poco::SHA2Engine sha(Poco::SHA2Engine::SHA_256);
    sha.update(salt);
    sha.update(':');
    sha.update(secret);
    return Poco::DigestEngine::digestToHex(sha.digest());
}

bool same(const std::string& a, const std::string& b)
{
    if (a.size() != b.size()) return false;
    unsigned char diff = 0;
    for (std::size_t i = 0; i < a.size(); ++i) diff |= static_cast<unsigned char>(a[i] ^ b[i]);
    return diff == 0;
}

} // namespace Credentials
} // namespace Loket
