#include "CallbackSender.h"
#include "HttpClient.h"
#include <Poco/URI.h>
#include <algorithm>

namespace Loket {

std::string callbackHost(const std::string& url)
{
    try
    {
        Poco::URI uri(url);
        return uri.getHost() + ":" + std::to_string(uri.getPort());
    }
    catch (const std::exception&)
    {
        return "";
    }
}

CallbackDelivery deliverCallback(const std::string& url, int timeoutMs)
{
    // The one hardened client (billers/HttpClient): the deadline covers the TLS
    // handshake and a reply dribbled byte by byte, the body read is bounded.
    HttpRequest request;
    request.url = url;
    request.headers = {{"User-Agent", "Loket-callback/1"}};
    request.totalTimeoutMs = std::max(1, timeoutMs);
    request.connectTimeoutMs = request.totalTimeoutMs;
    request.maxBodyBytes = 4096;   // nothing in it is read for meaning
    HttpResult result = HttpClient::send(request);

    CallbackDelivery d;
    // The receiver's status line is its answer: a 2xx means it has the report,
    // even if its body then runs long or slow (that part is not waited for).
    if (result.status >= 200 && result.status < 300) d.delivered = true;
    else if (result.status != 0) d.error = callbackHost(url) + " answered HTTP " + std::to_string(result.status);
    else d.error = callbackHost(url) + ": " + result.error;   // never the URL's query: HttpClient keeps it out
    if (d.error.size() > 200) d.error.resize(200);
    return d;
}

} // namespace Loket
