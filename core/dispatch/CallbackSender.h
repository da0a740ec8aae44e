#pragma once
#include <string>

namespace Loket {

/// Delivers one partner callback: a GET of the stored URL through the one
/// hardened client (HttpClient): connect, TLS handshake and reply within
/// `timeoutMs` however slowly the receiver dribbles, at most 4 KiB of the
/// body read, no redirects followed.  Only a 2xx status counts as delivered.
/// Never throws.  The error text names the host and the HTTP status or
/// network error, never the URL's query (it may carry the partner's own token).
struct CallbackDelivery
{
    bool delivered = false;
    std::string error;
};

CallbackDelivery deliverCallback(const std::string& url, int timeoutMs);

/// "host:port" of `url` (for per-receiver limits and logs); empty if it cannot be parsed.
std::string callbackHost(const std::string& url);

} // namespace Loket
