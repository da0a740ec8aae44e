// libFuzzer target: the credentials a request offers — a sign, sealed secrets,
// an IP allowlist — from bytes an attacker chooses.  Invariants: nothing
// throws but a bad allowlist (std::invalid_argument); a sign verifies only if
// it is the sign; a sealed value opens only to what was sealed.
#include "IpAllowList.h"
#include "SecretBox.h"
#include "Signature.h"
#include <cstdint>
#include <cstdlib>
#include <stdexcept>
#include <string>
#include <unistd.h>

using namespace Loket;

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

const SecretBox& box()
{
    static std::string path = [] {
        char name[] = "/tmp/loket-fuzz-key-XXXXXX";
        int fd = ::mkstemp(name);
        ::close(fd);
        ::unlink(name);
        SecretBox::createKeyFile(name);
        return std::string(name);
    }();
    static SecretBox b = SecretBox::fromKeyFile(path);
    return b;
}

/// Splits `in` at '|' into at most `n` parts.
std::vector<std::string> parts(const std::string& in, std::size_t n)
{
    std::vector<std::string> out;
    std::size_t pos = 0;
    while (out.size() + 1 < n)
    {
        std::size_t bar = in.find('|', pos);
        if (bar == std::string::npos) break;
        out.push_back(in.substr(pos, bar - pos));
        pos = bar + 1;
    }
    out.push_back(in.substr(std::min(pos, in.size())));
    while (out.size() < n) out.push_back("");
    return out;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string in(reinterpret_cast<const char*>(data), size);
    auto p = parts(in, 8);   // prefix|member|product|dest|ref|pin|password|offered sign
    auto fields = Signature::forTransaction(p[1], p[2], p[3], p[4]);
    std::string good = Signature::compute(p[0], fields.asSent, p[5], p[6]);
    check(good.size() == 27);
    check(Signature::verify(good, p[0], fields, p[5], p[6]));
    if (Signature::verify(p[7], p[0], fields, p[5], p[6]))
        check(p[7] == good || p[7] == Signature::compute(p[0], fields.upperCased, p[5], p[6]));

    std::string plain;
    if (box().open(in, p[1], plain)) check(false);   // no forgery from random bytes
    std::string sealed = box().seal(p[5], p[1]);
    check(box().open(sealed, p[1], plain) && plain == p[5]);

    try
    {
        IpAllowList list(p[0]);
        list.allows(p[1]);
        IpAllowList again(list.text());
        check(again.text() == list.text());
    }
    catch (const std::invalid_argument&)
    {
    }
    return 0;
}
