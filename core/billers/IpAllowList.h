#pragma once
#include <Poco/Net/IPAddress.h>
#include <string>
#include <utility>
#include <vector>

namespace Loket {

/// The addresses a supplier may send reports from: `--report-ip CIDR,...`
/// (IPv4 or IPv6; a bare address is a /32 or /128).  Empty: any address.
class IpAllowList
{
public:
    /// Parses "10.0.0.0/8,192.0.2.7"; throws std::invalid_argument naming the bad entry.
    explicit IpAllowList(const std::string& text);

    bool any() const { return _ranges.empty(); }
    /// True when `ip` (text, e.g. REMOTE_ADDR) is in a range, or the list is empty.
    bool allows(const std::string& ip) const;

private:
    std::vector<std::pair<Poco::Net::IPAddress, unsigned>> _ranges;
};

} // namespace Loket
