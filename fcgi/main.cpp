// loket-fcgi: one FastCGI worker.  A thin front: accept a request, hand the
// endpoint and query string to the core's Service, write the one-line reply.
// Run many of them under spawn-fcgi + multiwatch (scripts/pool) or systemd.
#include "Clock.h"
#include "Config.h"
#include "Database.h"
#include "RequestLog.h"
#include "Service.h"
#include <fcgiapp.h>
#include <chrono>
#include <csignal>
#include <cstring>
#include <iostream>
#include <memory>
#include <unistd.h>

namespace {

/// SIGTERM is blocked while a request is served and open while we wait in
/// accept(), so a stop never cuts a request short: it ends the process only
/// between requests.
sigset_t termSignals;

extern "C" void onTerm(int) { ::_exit(0); }

void installTermHandler()
{
    sigemptyset(&termSignals);
    sigaddset(&termSignals, SIGTERM);
    sigaddset(&termSignals, SIGINT);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = onTerm;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
}

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
                         "FastCGI worker of Loket; serves the socket on fd 0 (spawn-fcgi, systemd).\n";
            return 0;
        }
    }
    installTermHandler();
    std::unique_ptr<Loket::Database> db;
    std::unique_ptr<Loket::Service> service;
    Loket::Config config;
    try
    {
        config = Loket::Config::load(Loket::Config::locate(configPath));
        Loket::Clock::useZone(config.timezone);
        // One connection per process, opened here, after spawn-fcgi/multiwatch forked us.
        db = std::make_unique<Loket::Database>(config);
        service = std::make_unique<Loket::Service>(config, *db);
    }
    catch (const std::exception& e)
    {
        std::cerr << "loket-fcgi: cannot start: " << e.what() << "\n";
        ::sleep(1);   // the supervisor restarts us; do not spin
        return 1;
    }
    Loket::RequestLog log(config.logFile);

    FCGX_Init();
    FCGX_Request request;
    FCGX_InitRequest(&request, 0, 0);
    for (;;)
    {
        sigprocmask(SIG_UNBLOCK, &termSignals, nullptr);
        int accepted = FCGX_Accept_r(&request);
        sigprocmask(SIG_BLOCK, &termSignals, nullptr);
        if (accepted < 0) break;

        auto start = std::chrono::steady_clock::now();
        std::string version = param(request, "LOKET_TEMPLATES_VERSION");
        if (!version.empty()) service->useTemplateVersion(version);
        Loket::Request parsed;
        Loket::Reply reply = service->handle(param(request, "DOCUMENT_URI"), param(request, "QUERY_STRING"), parsed);
        respond(request, reply.text);
        FCGX_Finish_r(&request);
        double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
        log.write(parsed, reply, ms);
    }
    return 0;
}
