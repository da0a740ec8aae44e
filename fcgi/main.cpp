// loket-fcgi: one FastCGI worker.  A thin front: accept a request, hand the
// endpoint and query string to the core's Service, write the one-line reply.
// Run many of them under spawn-fcgi + multiwatch (scripts/run, scripts/scale)
// or systemd (scripts/systemd/loket.service); the listening socket is fd 0.
#include "Clock.h"
#include "Config.h"
#include "Database.h"
#include "RequestLog.h"
#include "Service.h"
#include "Listener.h"
#include <fcgiapp.h>
#include <unistd.h>
#include <chrono>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

std::string param(FCGX_Request& r, const char* name)
{
    const char* v = FCGX_GetParam(name, r.envp);
    return v ? std::string(v) : std::string();
}

void respond(FCGX_Request& r, const std::string& text)
{
    // Built as one string and written with FCGX_PutStr: FCGX_FPrintF's own
    // printf silently fails on some formats.
    std::string out = "Status: 200 OK\r\nContent-Type: text/plain; charset=utf-8\r\nCache-Control: no-store\r\n"
                      "Content-Length: " + std::to_string(text.size()) + "\r\n\r\n" + text;
    FCGX_PutStr(out.data(), static_cast<int>(out.size()), r.out);
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
                         "or systemd with StandardInput=socket). TERM, INT, HUP, QUIT or USR1: finish the request\n"
                         "in hand, then exit.\n";
            return 0;
        }
        else
        {
            std::cerr << "loket-fcgi: unknown argument " << a << " (try --help)\n";
            return 2;
        }
    }
    Listener::installStopHandlers();
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
    // One connection per process, opened here, after spawn-fcgi/multiwatch forked
    // us.  If the ledger cannot be opened (PostgreSQL down), the worker stays up,
    // answers RC 99 and tries again at most once a second: dying instead would
    // make multiwatch give up on its slot.
    std::unique_ptr<Loket::Database> db;
    std::unique_ptr<Loket::Service> service;
    std::string openError;
    std::chrono::steady_clock::time_point lastOpen{};
    auto openLedger = [&]() {
        auto now = std::chrono::steady_clock::now();
        if (service || now - lastOpen < std::chrono::seconds(1)) return;
        lastOpen = now;
        try
        {
            service.reset();
            db = std::make_unique<Loket::Database>(config);
            service = std::make_unique<Loket::Service>(config, *db);
        }
        catch (const std::exception& e)
        {
            service.reset();
            db.reset();
            openError = "cannot open the ledger: " + Loket::redactSecrets(e.what());
            std::cerr << "loket-fcgi: " << openError << "\n";
        }
    };
    openLedger();
    Loket::RequestLog log(config.logFile);

    FCGX_Init();
    Listener::WebServerAddrs allowed;
    FCGX_Request request;
    // No listening socket for libfcgi: connections come from acceptNext().
    FCGX_InitRequest(&request, -1, 0);
    for (;;)
    {
        int fd = Listener::acceptNext(allowed);
        if (fd < 0) break;
        // Hand the connection to libfcgi, which reads the request from it.
        request.ipcFd = fd;
        request.keepConnection = 1;   // keeps FCGX_Accept_r's opening Finish from closing it
        if (FCGX_Accept_r(&request) < 0) continue;   // nothing usable arrived; libfcgi closed it

        auto start = std::chrono::steady_clock::now();
        // nginx passes the templates' version (templates-version.conf); a new
        // one makes this worker reload its reply texts (scripts/reload-templates).
        openLedger();
        Loket::Request parsed;
        Loket::Reply reply;
        if (service)
        {
            std::string version = param(request, "LOKET_TEMPLATES_VERSION");
            if (!version.empty()) service->useTemplateVersion(version);
            reply = service->handle(param(request, "DOCUMENT_URI"), param(request, "QUERY_STRING"), parsed);
        }
        else
            reply = Loket::Service::unavailable(param(request, "DOCUMENT_URI"), param(request, "QUERY_STRING"),
                                                parsed, openError);
        respond(request, reply.text);
        request.keepConnection = 0;   // one request per connection (fastcgi_keep_conn off)
        FCGX_Finish_r(&request);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        log.write(parsed, reply, ms);
    }
    return Listener::stopRequested() ? 0 : 1;
}
