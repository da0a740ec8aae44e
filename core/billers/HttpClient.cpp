#include "HttpClient.h"
#include <Poco/Exception.h>
#include <Poco/Net/Context.h>
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <Poco/Net/HTTPSClientSession.h>
#include <Poco/Net/NetException.h>
#include <Poco/Net/RejectCertificateHandler.h>
#include <Poco/Net/SSLException.h>
#include <Poco/Net/SSLManager.h>
#include <Poco/Net/SecureStreamSocket.h>
#include <Poco/Net/SocketAddress.h>
#include <Poco/Net/StreamSocket.h>
#include <Poco/URI.h>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <sys/socket.h>

namespace Loket {
namespace {

using Clock = std::chrono::steady_clock;

/// Ends a blocked exchange at its deadline.  Per-read socket timeouts cannot do
/// that: a peer that sends one byte a second never lets one expire.  At the
/// deadline the socket is shut down (not closed: the descriptor stays ours
/// until the session is destroyed), so the reading thread's recv returns.
class Watchdog
{
public:
    Watchdog(int fd, Clock::time_point deadline) : _fd(fd), _deadline(deadline)
    {
        _thread = std::thread([this] { run(); });
    }
    ~Watchdog()
    {
        {
            std::lock_guard<std::mutex> lock(_mutex);
            _done = true;
        }
        _wake.notify_one();
        _thread.join();
    }
    bool fired() const
    {
        std::lock_guard<std::mutex> lock(_mutex);
        return _fired;
    }

private:
    void run()
    {
        std::unique_lock<std::mutex> lock(_mutex);
        if (_wake.wait_until(lock, _deadline, [this] { return _done; })) return;
        _fired = true;
        ::shutdown(_fd, SHUT_RDWR);
    }

    int _fd;
    Clock::time_point _deadline;
    mutable std::mutex _mutex;
    std::condition_variable _wake;
    bool _done = false;
    bool _fired = false;
    std::thread _thread;
};

Poco::Net::Context::Ptr tlsContext()
{
    static std::once_flag once;
    static Poco::Net::Context::Ptr context;
    std::call_once(once, [] {
        Poco::Net::initializeSSL();
        context = new Poco::Net::Context(Poco::Net::Context::TLS_CLIENT_USE, "", "", "",
                                         Poco::Net::Context::VERIFY_RELAXED, 9, true);
        // Never ask anyone about a bad certificate: refuse it.
        Poco::Net::SSLManager::instance().initializeClient(
            nullptr, new Poco::Net::RejectCertificateHandler(false), context);
    });
    return context;
}

int msSince(Clock::time_point start)
{
    return static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start).count());
}

Poco::Timespan remaining(Clock::time_point deadline)
{
    auto left = std::chrono::duration_cast<std::chrono::microseconds>(deadline - Clock::now()).count();
    return Poco::Timespan(left > 1000 ? left : 1000);
}

/// Reads at most `max` bytes of the body; true when the body ended within it.
bool readBounded(std::istream& in, std::size_t max, std::string& body)
{
    char buffer[4096];
    while (in)
    {
        in.read(buffer, sizeof buffer);
        std::size_t n = static_cast<std::size_t>(in.gcount());
        if (n == 0) break;
        if (body.size() + n > max)
        {
            body.append(buffer, max - body.size());
            return false;
        }
        body.append(buffer, n);
    }
    return true;
}

/// A short reason for a Poco exception, without anything from the request.
std::string reasonOf(const Poco::Exception& e)
{
    if (dynamic_cast<const Poco::Net::ConnectionRefusedException*>(&e)) return "connection refused";
    if (dynamic_cast<const Poco::Net::ConnectionResetException*>(&e)) return "connection reset";
    if (dynamic_cast<const Poco::TimeoutException*>(&e)) return "timed out";
    if (dynamic_cast<const Poco::Net::NoMessageException*>(&e)) return "connection closed without a reply";
    if (dynamic_cast<const Poco::Net::MessageException*>(&e)) return "malformed HTTP reply";
    if (dynamic_cast<const Poco::Net::SSLException*>(&e)) return "TLS failure: " + e.message();
    if (dynamic_cast<const Poco::Net::HostNotFoundException*>(&e)) return "host not found";
    if (dynamic_cast<const Poco::InvalidArgumentException*>(&e)) return e.message();
    if (dynamic_cast<const Poco::SyntaxException*>(&e)) return "malformed URL";
    return e.name();
}

/// Rethrows the socket error a session's stream swallowed.
[[noreturn]] void failWith(Poco::Net::HTTPClientSession& session)
{
    if (const Poco::Exception* e = session.networkException()) e->rethrow();
    throw Poco::Net::ConnectionResetException();
}

} // namespace

std::string HttpClient::safeUrl(const std::string& url)
{
    std::size_t cut = url.find_first_of("?#");
    return cut == std::string::npos ? url : url.substr(0, cut);
}

HttpResult HttpClient::send(const HttpRequest& request)
{
    HttpResult result;
    const Clock::time_point start = Clock::now();
    const Clock::time_point deadline = start + std::chrono::milliseconds(std::max(1, request.totalTimeoutMs));
    // Declared before the watchdog, so destroyed after it: the descriptor the
    // watchdog may shut down stays ours until the watchdog is gone (a closed
    // descriptor could already belong to another thread's connection).
    std::unique_ptr<Poco::Net::HTTPClientSession> session;
    std::unique_ptr<Watchdog> watchdog;
    try
    {
        Poco::URI uri(request.url);
        bool tls = uri.getScheme() == "https";
        if (!tls && uri.getScheme() != "http") throw Poco::InvalidArgumentException("not an http(s) URL");
        if (uri.getHost().empty()) throw Poco::InvalidArgumentException("URL without a host");
        if (request.method != "GET" && request.method != "POST")
            throw Poco::InvalidArgumentException("method must be GET or POST");

        Poco::Net::SocketAddress address(uri.getHost(), uri.getPort());
        int connectMs = std::min(std::max(1, request.connectTimeoutMs), std::max(1, request.totalTimeoutMs));
        Poco::Timespan connectTimeout(static_cast<Poco::Timespan::TimeDiff>(connectMs) * 1000);
        // The socket is connected here, not by the session, so that the watchdog
        // holds its descriptor from the first byte on.  TLS: the handshake is
        // lazy (it happens inside sendRequest, under the watchdog).  A session
        // made on an unconnected socket: Poco 1.11's HTTPSClientSession refuses
        // a connected one (its constructor sets the port).
        if (tls)
        {
            Poco::Net::SecureStreamSocket secure(tlsContext());
            secure.setPeerHostName(uri.getHost());
            secure.setLazyHandshake(true);
            session = std::make_unique<Poco::Net::HTTPSClientSession>(secure);
            session->setHost(uri.getHost());
            session->setPort(uri.getPort());
            secure.connect(address, connectTimeout);
            result.connected = true;
            watchdog = std::make_unique<Watchdog>(secure.impl()->sockfd(), deadline);
        }
        else
        {
            Poco::Net::StreamSocket socket;
            socket.connect(address, connectTimeout);
            result.connected = true;
            session = std::make_unique<Poco::Net::HTTPClientSession>(socket);   // shares the descriptor
            watchdog = std::make_unique<Watchdog>(socket.impl()->sockfd(), deadline);
        }
        session->setKeepAlive(false);
        session->setTimeout(remaining(deadline), remaining(deadline), remaining(deadline));

        Poco::Net::HTTPRequest req(request.method, uri.getPathAndQuery().empty() ? "/" : uri.getPathAndQuery(),
                                   Poco::Net::HTTPMessage::HTTP_1_1);
        req.setHost(uri.getHost(), uri.getPort());
        req.set("User-Agent", "Loket");
        for (const auto& h : request.headers) req.set(h.first, h.second);
        if (!request.body.empty() || request.method == "POST") req.setContentLength(request.body.size());
        std::ostream& out = session->sendRequest(req);
        out << request.body;
        out.flush();
        // Poco's streams swallow socket errors; the session keeps the exception.
        if (!out || session->networkException()) failWith(*session);

        Poco::Net::HTTPResponse response;
        std::istream& in = session->receiveResponse(response);
        result.status = static_cast<int>(response.getStatus());
        result.contentType = response.getContentType();
        bool whole = readBounded(in, request.maxBodyBytes, result.body);
        if (watchdog->fired()) throw Poco::TimeoutException();
        // A body that ended on a socket error (a reset half-way) is not a whole reply.
        if (session->networkException()) failWith(*session);
        if (!whole)
            result.error = "reply larger than " + std::to_string(request.maxBodyBytes) + " bytes";
        else if (response.hasContentLength() && response.getContentLength64() >= 0 &&
                 static_cast<Poco::UInt64>(response.getContentLength64()) != result.body.size())
            result.error = "reply cut short";
        else
            result.ok = true;
    }
    catch (const Poco::Exception& e)
    {
        result.error = watchdog && watchdog->fired() ? "timed out" : reasonOf(e);
    }
    catch (const std::exception&)
    {
        result.error = watchdog && watchdog->fired() ? "timed out" : "failure";
    }
    if (!result.ok && result.error == "timed out")
        result.error = "timed out after " + std::to_string(request.totalTimeoutMs) + " ms";
    watchdog.reset();
    result.elapsedMs = msSince(start);
    return result;
}

} // namespace Loket
