#pragma once
#include <string>

namespace Loket {

/// Delivers one partner callback: a GET of the stored URL with bounded time
/// (connect to last byte within `timeoutMs`) and a bounded response (the
/// first 4 KiB are read, the rest ignored), no redirects followed.  Only a 2xx
/// counts as delivered.  Never throws.  The error text names the host and the
/// HTTP status or network error, never the URL's query (it may carry the
/// partner's own token).
struct CallbackDelivery
{
    bool delivered = false;
    std::string error;
};

CallbackDelivery deliverCallback(const std::string& url, int timeoutMs);

/// "host:port" of `url` (for per-receiver limits and logs); empty if it cannot be parsed.
std::string callbackHost(const std::string& url);

} // namespace Loket
