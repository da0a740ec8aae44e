#pragma once
#include <string>
#include <utility>
#include <vector>

namespace Loket {

/// One outgoing HTTP request: to a supplier, or (later) a partner's callback URL.
struct HttpRequest
{
    std::string method = "GET";    ///< GET or POST
    std::string url;               ///< http:// or https://; its query may hold secrets
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;              ///< sent when not empty (or when the method is POST)
    int connectTimeoutMs = 3000;   ///< for the TCP connect (and no more than totalTimeoutMs)
    int totalTimeoutMs = 10000;    ///< from the start to the last byte of the reply, whatever happens
    std::size_t maxBodyBytes = 64 * 1024;   ///< a longer reply is cut here and is not ok
};

/// What came back.  `ok` means a whole, well-formed HTTP reply arrived in time
/// and within the size limit; whatever its status.  When not ok, the other side
/// may or may not have acted on the request: a caller that sent an order must
/// treat it as unknown (pending), never as failed.
struct HttpResult
{
    bool ok = false;
    bool connected = false;      ///< the TCP connection was made (a refused connect sent nothing)
    int status = 0;              ///< the HTTP status, 0 when none was read
    std::string body;            ///< at most maxBodyBytes of the reply body (partial when not ok)
    std::string contentType;
    std::string error;           ///< why not ok; never contains the URL's query, headers or body
    int elapsedMs = 0;
};

/// A hardened HTTP/1.1 client over Poco::Net: bounded connect and total time
/// (a reply dribbled one byte a second ends at the deadline), bounded reply
/// size, redirects never followed (a 3xx is just a status), resets, refusals
/// and garbage reported in HttpResult.  Never throws.  TLS certificates are
/// verified against the system's CAs.
class HttpClient
{
public:
    static HttpResult send(const HttpRequest& request);

    /// The URL without its query and fragment: what may be logged or shown.
    static std::string safeUrl(const std::string& url);
};

} // namespace Loket
