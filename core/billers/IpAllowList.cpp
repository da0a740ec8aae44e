#include "IpAllowList.h"
#include <Poco/NumberParser.h>
#include <Poco/String.h>
#include <Poco/StringTokenizer.h>
#include <stdexcept>

namespace Loket {

IpAllowList::IpAllowList(const std::string& text)
{
    Poco::StringTokenizer entries(text, ",", Poco::StringTokenizer::TOK_TRIM | Poco::StringTokenizer::TOK_IGNORE_EMPTY);
    for (const auto& entry : entries)
    {
        std::size_t slash = entry.find('/');
        Poco::Net::IPAddress address;
        if (!Poco::Net::IPAddress::tryParse(entry.substr(0, slash), address))
            throw std::invalid_argument("not an IP address or CIDR: " + entry);
        unsigned maxBits = address.family() == Poco::Net::IPAddress::IPv4 ? 32 : 128;
        unsigned bits = maxBits;
        if (slash != std::string::npos)
        {
            std::string b = entry.substr(slash + 1);
            if (b.empty() || b.size() > 3 || b.find_first_not_of("0123456789") != std::string::npos ||
                (bits = Poco::NumberParser::parseUnsigned(b)) > maxBits)
                throw std::invalid_argument("bad prefix length in " + entry);
        }
        _ranges.emplace_back(address, bits);
    }
}

bool IpAllowList::allows(const std::string& ip) const
{
    if (_ranges.empty()) return true;
    Poco::Net::IPAddress peer;
    if (!Poco::Net::IPAddress::tryParse(ip, peer)) return false;
    for (const auto& range : _ranges)
    {
        Poco::Net::IPAddress candidate = peer;
        if (candidate.family() != range.first.family())
        {
            // An IPv4 peer seen on an IPv6 socket (::ffff:a.b.c.d).
            if (candidate.family() == Poco::Net::IPAddress::IPv6 && candidate.isIPv4Mapped() &&
                range.first.family() == Poco::Net::IPAddress::IPv4)
                candidate = Poco::Net::IPAddress(candidate.toString().substr(7));
            else
                continue;
        }
        Poco::Net::IPAddress mask(range.second, candidate.family());
        if ((candidate & mask) == (range.first & mask)) return true;
    }
    return false;
}

} // namespace Loket
