#pragma once
#include <string>
#include <vector>

namespace Loket {

/// A partner's IP allowlist: "CIDR[,CIDR...]" of IPv4 and IPv6 networks
/// (a bare address is a /32 or /128).  Empty allows every address.
class IpAllowList
{
public:
    /// Parses `text`; throws std::invalid_argument naming the bad entry.
    explicit IpAllowList(const std::string& text);

    bool empty() const { return _networks.empty(); }

    /// True when `address` (REMOTE_ADDR as nginx passes it) is in one of the
    /// networks.  An IPv4-mapped IPv6 address counts as its IPv4 address.  An
    /// empty or unparsable address is never allowed by a non-empty list.
    bool allows(const std::string& address) const;

    /// The list in its canonical form ("10.0.0.0/8,2001:db8::/32").
    std::string text() const;

private:
    struct Network
    {
        unsigned char bytes[16];
        int family;   ///< 4 or 6
        int prefix;
        std::string text;
    };
    std::vector<Network> _networks;
};

} // namespace Loket
