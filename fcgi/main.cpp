// loket-fcgi: one FastCGI worker process.  A thin front: its request threads
// (pool.threads) each accept a connection (Listener), read its request with
// libfcgi, hand endpoint and query string to the core's ServicePool and write
// the one-line reply; its main thread waits for the stop signal.  Run many of them under
// spawn-fcgi + multiwatch (scripts/run, scripts/scale) or systemd
// (scripts/systemd/loket.service); the listening socket is fd 0.
#include "Clock.h"
#include "Config.h"
#include "Listener.h"
#include "RequestLog.h"
#include "ServicePool.h"
#include <fcgiapp.h>
#include <unistd.h>
#include <cstdlib>
#include <chrono>
#include <iostream>
#include <string>
#include <thread>
#include <vector>

namespace {

std::string param(FCGX_Request& r, const char* name)
{
    const char* v = FCGX_GetParam(name, r.envp);
    return v ? std::string(v) : std::string();
}

void respond(FCGX_Request& r, const std::string& text, int status = 200)
{
    // Built as one string and written with FCGX_PutStr: FCGX_FPrintF's own
    // printf silently fails on some formats.
    std::string out = "Status: " + std::to_string(status) + (status == 200 ? " OK" : status == 503 ? " Service Unavailable" : " Refused") +
                      "\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
                      "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
    FCGX_PutStr(out.data(), static_cast<int>(out.size()), r.out);
}

const std::string ReportPrefix = "/V1/supplier-report/";

/// A supplier's report: /V1/supplier-report/CODE/TOKEN, GET or POST, with its
/// body (at most SupplierReport::MaxBody bytes are read) and signature header.
Loket::Reply supplierReport(FCGX_Request& r, const std::string& uri, Loket::ServicePool& pool)
{
    std::string rest = uri.substr(ReportPrefix.size());
    std::size_t slash = rest.find('/');
    Loket::Reply refused{"UNKNOWN", "", "supplier report without a token"};
    refused.httpStatus = 404;
    if (slash == std::string::npos) return refused;
    Loket::SupplierReportRequest request;
    request.token = rest.substr(slash + 1);
    request.peerIp = param(r, "REMOTE_ADDR");
    request.method = param(r, "REQUEST_METHOD");
    request.query = param(r, "QUERY_STRING");
    long length = std::strtol(param(r, "CONTENT_LENGTH").c_str(), nullptr, 10);
    if (length > static_cast<long>(Loket::SupplierReport::MaxBody))
    {
        refused = {"TOO LARGE", "", "report body too large"};
        refused.httpStatus = 413;
        return refused;
    }
    if (length > 0)
    {
        request.body.resize(static_cast<std::size_t>(length));
        int got = FCGX_GetStr(&request.body[0], static_cast<int>(length), r.in);
        request.body.resize(got > 0 ? static_cast<std::size_t>(got) : 0);
    }
    for (const char* header : {"HTTP_X_HUB_SIGNATURE", "CONTENT_TYPE"})
    {
        std::string v = param(r, header);
        if (v.empty()) continue;
        std::string name = std::string(header) == "CONTENT_TYPE" ? "Content-Type" : "X-Hub-Signature";
        request.headers.emplace_back(name, v);
    }
    return pool.supplierReport(rest.substr(0, slash), request);
}

void serve(const Listener::WebServerAddrs& allowed, Loket::ServicePool& pool, Loket::RequestLog& log)
{
    FCGX_Request request;
    // No listening socket for libfcgi: each request thread accepts its own
    // connections (Listener), with the stop signals open only while it waits.
    FCGX_InitRequest(&request, -1, 0);
    for (int fd; (fd = Listener::acceptNext(allowed)) >= 0;)
    {
        if (!Listener::awaitRequest(fd)) { ::close(fd); continue; }   // too slow, malformed or gone
        request.ipcFd = fd;
        request.keepConnection = 1;   // keeps FCGX_Accept_r's opening Finish from closing it
        if (FCGX_Accept_r(&request) < 0) continue;   // nothing usable arrived; libfcgi closed it
        auto start = std::chrono::steady_clock::now();
        std::string uri = param(request, "DOCUMENT_URI");
        Loket::Request parsed;
        Loket::Reply reply;
        bool partner = false;   // partners always hear 200, and their requests are logged
        if (uri == "/loket/health" || uri == "/loket/metrics")
        {
            // issue 13: monitoring, local callers only (nginx/loket-server.conf)
            reply = uri == "/loket/health" ? pool.health() : pool.metrics();
        }
        else if (uri.compare(0, ReportPrefix.size(), ReportPrefix) == 0)
        {
            reply = supplierReport(request, uri, pool);
            // The token is in the URI: only the outcome reaches the log.
            if (!reply.error.empty()) std::cerr << "loket-fcgi: " << reply.error << "\n";
        }
        else
        {
            partner = true;
            // nginx passes the templates' version (templates-version.conf); a new
            // one makes the worker reload its reply texts (scripts/reload-templates).
            std::string address = param(request, "REMOTE_ADDR");
            reply = pool.answer(uri, param(request, "QUERY_STRING"), param(request, "LOKET_TEMPLATES_VERSION"), parsed,
                                address);
            parsed.address = address;   // the client, in the request log
        }
        respond(request, reply.text, partner ? 200 : reply.httpStatus);
        // One request per connection (fastcgi_keep_conn off), closed here
        // rather than by libfcgi (Listener::closeAnswered).  FCGX_Finish_r
        // still ends the request (its last records) and closes the
        // connection itself only after an error.
        request.keepConnection = 1;
        FCGX_Finish_r(&request);
        if (request.ipcFd >= 0) Listener::closeAnswered(request.ipcFd);
        request.ipcFd = -1;
        if (!partner) continue;
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        log.write(parsed, reply, ms);
    }
}

} // namespace

int main(int argc, char** argv)
{
    std::string configPath;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if (a == "--config" && i + 1 < argc) configPath = argv[++i];
        else if (a == "--help")
        {
            std::cout << "usage: loket-fcgi [--config FILE]\n"
                         "FastCGI worker of Loket; serves the listening socket on fd 0 (spawn-fcgi + multiwatch,\n"
                         "or systemd with StandardInput=socket) with pool.threads request threads. TERM, INT, HUP,\n"
                         "QUIT or USR1: finish the requests in hand, then exit.\n";
            return 0;
        }
        else
        {
            std::cerr << "loket-fcgi: unknown argument " << a << " (try --help)\n";
            return 2;
        }
    }
    // Before any thread starts: every thread inherits the blocked stop signals,
    // and request threads open them only while they wait in accept.
    if (!Listener::installStopHandlers())
    {
        std::cerr << "loket-fcgi: cannot open /dev/null or a pipe for the stop signals\n";
        return 2;
    }
    if (!Listener::isSocket(Listener::ListenFd))
    {
        std::cerr << "loket-fcgi: fd 0 is not a listening socket; run it under spawn-fcgi/multiwatch or systemd\n";
        return 2;
    }
    Loket::Config config;
    try
    {
        config = Loket::Config::load(Loket::Config::locate(configPath));
        Loket::Clock::useZone(config.timezone);
    }
    catch (const std::exception& e)
    {
        std::cerr << "loket-fcgi: cannot start: " << e.what() << "\n";
        ::sleep(1);   // the supervisor restarts us; do not spin
        return 1;
    }
    FCGX_Init();
    Loket::ServicePool pool(config);
    Loket::RequestLog log(config);
    Listener::WebServerAddrs allowed;
    std::vector<std::thread> threads;
    for (int i = 0; i < config.poolThreads; ++i)
        threads.emplace_back([&] { serve(allowed, pool, log); });

    Listener::waitForStop();
    bool stopped = Listener::stopRequested();   // else the listening socket broke
    // No new connection; the threads finish what they hold (a waiting order
    // at most reply.wait_ms more), then exit.
    std::vector<pthread_t> handles;
    for (auto& t : threads) handles.push_back(t.native_handle());
    Listener::endThreads(handles);
    for (auto& t : threads) t.join();
    return stopped ? 0 : 1;
}
