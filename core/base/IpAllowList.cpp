#include "IpAllowList.h"
#include <arpa/inet.h>
#include <cstring>
#include <stdexcept>

namespace Loket {
namespace {

/// Parses an address into 16 bytes (IPv4 in the first 4); 4, 6, or 0 when it is not one.
int parseAddress(const std::string& text, unsigned char out[16])
{
    std::memset(out, 0, 16);
    if (text.find(':') == std::string::npos)
        return ::inet_pton(AF_INET, text.c_str(), out) == 1 ? 4 : 0;
    if (::inet_pton(AF_INET6, text.c_str(), out) != 1) return 0;
    static const unsigned char mapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
    if (std::memcmp(out, mapped, 12) == 0)
    {
        std::memmove(out, out + 12, 4);
        std::memset(out + 4, 0, 12);
        return 4;
    }
    return 6;
}

bool samePrefix(const unsigned char* a, const unsigned char* b, int bits)
{
    int whole = bits / 8;
    if (std::memcmp(a, b, whole) != 0) return false;
    int rest = bits % 8;
    if (rest == 0) return true;
    unsigned char mask = static_cast<unsigned char>(0xff << (8 - rest));
    return (a[whole] & mask) == (b[whole] & mask);
}

} // namespace

IpAllowList::IpAllowList(const std::string& text)
{
    std::size_t pos = 0;
    while (pos < text.size())
    {
        std::size_t comma = text.find(',', pos);
        if (comma == std::string::npos) comma = text.size();
        std::string entry = text.substr(pos, comma - pos);
        pos = comma + 1;
        entry.erase(0, entry.find_first_not_of(" \t"));
        entry.erase(entry.find_last_not_of(" \t") + 1);
        if (entry.empty()) continue;
        Network n;
        std::size_t slash = entry.find('/');
        n.family = parseAddress(entry.substr(0, slash), n.bytes);
        int max = n.family == 4 ? 32 : 128;
        n.prefix = max;
        if (slash != std::string::npos)
        {
            std::string bits = entry.substr(slash + 1);
            if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos)
                n.family = 0;
            else
                n.prefix = std::stoi(bits);
        }
        if (n.family == 0 || n.prefix > max) throw std::invalid_argument("not an address or CIDR network: " + entry);
        // The canonical text shows the network, host bits cleared.
        for (int i = 0; i < 16; ++i)
        {
            int keep = n.prefix - i * 8;
            if (keep <= 0) n.bytes[i] = 0;
            else if (keep < 8) n.bytes[i] &= static_cast<unsigned char>(0xff << (8 - keep));
        }
        char out[INET6_ADDRSTRLEN] = "";
        ::inet_ntop(n.family == 4 ? AF_INET : AF_INET6, n.bytes, out, sizeof out);
        n.text = std::string(out) + "/" + std::to_string(n.prefix);
        _networks.push_back(n);
    }
}

bool IpAllowList::allows(const std::string& address) const
{
    if (_networks.empty()) return true;
    unsigned char bytes[16];
    int family = parseAddress(address, bytes);
    if (family == 0) return false;
    for (const auto& n : _networks)
        if (n.family == family && samePrefix(n.bytes, bytes, n.prefix)) return true;
    return false;
}

std::string IpAllowList::text() const
{
    std::string out;
    for (const auto& n : _networks) out += (out.empty() ? "" : ",") + n.text;
    return out;
}

} // namespace Loket
