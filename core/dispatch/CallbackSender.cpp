#include "CallbackSender.h"
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Timespan.h>
#include <Poco/URI.h>
#include <chrono>
#include <memory>
#include <mutex>

namespace Loket {

namespace {

Poco::Net::Context::Ptr clientContext()
{
    static std::once_flag once;
    static Poco::Net::Context::Ptr context;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                         Poco::Net::Context::VERIFY_RELAXED, 9, true);
    });
    return context;
}

} // namespace

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
    CallbackDelivery d;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(timeoutMs);
    try
    {
        Poco::URI uri(url);
        std::unique_ptr<Poco::Net::HTTPClientSession> session;
        if (uri.getScheme() == "https")
            session = std::make_unique<Poco::Net::HTTPSClientSession>(uri.getHost(), uri.getPort(), clientContext());
        else if (uri.getScheme() == "http")
            session = std::make_unique<Poco::Net::HTTPClientSession>(uri.getHost(), uri.getPort());
        else
        {
            d.error = "not an http(s) URL";
            return d;
        }
        Poco::Timespan limit(static_cast<long>(timeoutMs / 1000), static_cast<long>(timeoutMs % 1000) * 1000);
        session->setTimeout(limit, limit, limit);
        Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_GET, uri.getPathAndQuery(),
                                       Poco::Net::HTTPMessage::HTTP_1_1);
        request.set("User-Agent", "Loket-callback/1");
        request.set("Connection", "close");
        session->sendRequest(request);
        Poco::Net::HTTPResponse response;
        std::istream& body = session->receiveResponse(response);
        // Read a little of the body (some receivers want it read), bounded in
        // size and in time: a receiver that dribbles cannot hold a slot.
        char buf[1024];
        std::size_t total = 0;
        while (total < 4096 && std::chrono::steady_clock::now() < deadline && body.read(buf, sizeof buf))
            total += static_cast<std::size_t>(body.gcount());
        int status = static_cast<int>(response.getStatus());
        if (status >= 200 && status < 300) d.delivered = true;
        else d.error = uri.getHost() + " answered HTTP " + std::to_string(status);
    }
    catch (const Poco::Exception& e)
    {
        d.error = callbackHost(url) + ": " + e.displayText();
    }
    catch (const std::exception& e)
    {
        d.error = callbackHost(url) + ": " + e.what();
    }
    // Exception texts can quote the request; keep only what is safe and short.
    if (d.error.size() > 200) d.error.resize(200);
    return d;
}

} // namespace Loket
