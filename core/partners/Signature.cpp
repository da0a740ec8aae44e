#include "Signature.h"
#include "Credentials.h"
#include <Poco/SHA1Engine.h>

namespace Loket {
namespace Signature {
namespace {

std::string upper(std::string s)
{
    for (char& c : s)
        if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    return s;
}

} // namespace

Fields forTransaction(const std::string& memberId, const std::string& product, const std::string& dest,
                      const std::string& refId)
{
    return {{memberId, product, dest, refId}, {upper(memberId), upper(product), dest, refId}};
}

Fields forBalance(const std::string& memberId)
{
    return {{"CheckBalance", memberId}, {"CheckBalance", upper(memberId)}};
}

Fields forPriceList(const std::string& memberId)
{
    return {{"PriceList", memberId}, {"PriceList", upper(memberId)}};
}

std::string base64Url(const std::string& in)
{
    static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    std::string out;
    std::size_t i = 0;
    auto byte = [&in](std::size_t k) { return static_cast<unsigned char>(in[k]); };
    for (; i + 3 <= in.size(); i += 3)
    {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8 | byte(i + 2);
        for (int shift = 18; shift >= 0; shift -= 6) out += alphabet[(v >> shift) & 63];
    }
    if (in.size() - i == 1)
    {
        unsigned v = byte(i) << 16;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
    }
    else if (in.size() - i == 2)
    {
        unsigned v = byte(i) << 16 | byte(i + 1) << 8;
        out += alphabet[(v >> 18) & 63];
        out += alphabet[(v >> 12) & 63];
        out += alphabet[(v >> 6) & 63];
    }
    return out;
}

std::string compute(const std::string& prefix, const std::vector<std::string>& fields, const std::string& pin,
                    const std::string& password)
{
    Poco::SHA1Engine sha;
    sha.update(prefix);
    for (const auto& f : fields)
    {
        sha.update('|');
        sha.update(f);
    }
    sha.update('|');
    sha.update(pin);
    sha.update('|');
    sha.update(password);
    const auto& digest = sha.digest();
    return base64Url(std::string(digest.begin(), digest.end()));
}

bool verify(const std::string& sign, const std::string& prefix, const Fields& fields, const std::string& pin,
            const std::string& password)
{
    bool asSent = Credentials::same(sign, compute(prefix, fields.asSent, pin, password));
    bool upperCased = Credentials::same(sign, compute(prefix, fields.upperCased, pin, password));
    return asSent | upperCased;
}

} // namespace Signature
} // namespace Loket
