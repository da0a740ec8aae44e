// loket-fcgi: one FastCGI worker.  A thin front: accept a request, hand the
// endpoint and query string to the core's Service, write the one-line reply.
// Run many of them under spawn-fcgi + multiwatch (scripts/run, scripts/scale)
// or systemd (scripts/systemd/loket.service); the listening socket is fd 0.
#include "Clock.h"
#include "Config.h"
#include "Database.h"
#include "RequestLog.h"
#include "Service.h"
#include <arpa/inet.h>
#include <fcgiapp.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

namespace {

// Stopping.  TERM, INT, HUP, QUIT and USR1 (multiwatch's default "graceful"
// signal) all mean: finish the request in hand, accept no other, exit.
//
// The worker accepts connections itself and hands each one to libfcgi, so
// that the signals are open only while it waits in accept(): from the moment
// a connection is accepted until its reply is written they are blocked, and
// neither reading the request nor writing the reply can be cut short.
// (libfcgi's own accept loop, after accepting on a unix socket, waits in a
// select() that a signal interrupts, and then drops the connection: nginx
// answers 502.)
//
// The handler puts /dev/null on this process's fd 0, so an accept() about to
// start, or restarted after the handler (SA_RESTART), fails at once with
// ENOTSOCK instead of waiting for one more connection.  Only this process's
// descriptor changes; the other workers keep the shared listening socket.
const int StopSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1};
const int ListenFd = 0;
sigset_t stopSet;
volatile sig_atomic_t stopRequested = 0;
int devNull = -1;

extern "C" void onStop(int)
{
    int savedErrno = errno;
    stopRequested = 1;
    if (devNull >= 0) ::dup2(devNull, ListenFd);
    errno = savedErrno;
}

void installStopHandlers()
{
    devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    sigemptyset(&stopSet);
    for (int s : StopSignals) sigaddset(&stopSet, s);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = onStop;
    sa.sa_flags = SA_RESTART;
    sa.sa_mask = stopSet;
    // Installed before FCGX_Init, which then leaves SIGUSR1 to us.
    for (int s : StopSignals) sigaction(s, &sa, nullptr);
    sigprocmask(SIG_BLOCK, &stopSet, nullptr);
}

bool isSocket(int fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

/// FCGI_WEB_SERVER_ADDRS, as libfcgi's own accept honours it: when set, a TCP
/// connection is served only from one of these comma-separated addresses.
/// Unix-socket connections (the shipped setup) are not affected.
class WebServerAddrs
{
public:
    WebServerAddrs()
    {
        const char* env = std::getenv("FCGI_WEB_SERVER_ADDRS");
        std::string all = env ? env : "";
        std::size_t pos = 0;
        while (pos <= all.size() && !all.empty())
        {
            std::size_t comma = all.find(',', pos);
            std::string a = all.substr(pos, comma == std::string::npos ? std::string::npos : comma - pos);
            a.erase(0, a.find_first_not_of(" \t"));
            a.erase(a.find_last_not_of(" \t") + 1);
            if (!a.empty()) _addrs.push_back(a);
            if (comma == std::string::npos) break;
            pos = comma + 1;
        }
    }

    bool allows(int fd) const
    {
        if (_addrs.empty()) return true;
        sockaddr_storage peer;
        socklen_t len = sizeof peer;
        if (::getpeername(fd, reinterpret_cast<sockaddr*>(&peer), &len) != 0) return false;
        char text[INET6_ADDRSTRLEN] = "";
        if (peer.ss_family == AF_INET)
            ::inet_ntop(AF_INET, &reinterpret_cast<sockaddr_in*>(&peer)->sin_addr, text, sizeof text);
        else if (peer.ss_family == AF_INET6)
            ::inet_ntop(AF_INET6, &reinterpret_cast<sockaddr_in6*>(&peer)->sin6_addr, text, sizeof text);
        else
            return true;
        for (const auto& a : _addrs)
            if (a == text) return true;
        return false;
    }

private:
    std::vector<std::string> _addrs;
};

/// Waits for the next connection with the stop signals open.  Returns the
/// connected socket, or -1 when the worker should exit.
int acceptNext(const WebServerAddrs& allowed)
{
    for (;;)
    {
        if (stopRequested) return -1;
        sigprocmask(SIG_UNBLOCK, &stopSet, nullptr);
        int fd = ::accept4(ListenFd, nullptr, nullptr, SOCK_CLOEXEC);
        int acceptErrno = errno;
        sigprocmask(SIG_BLOCK, &stopSet, nullptr);
        if (fd >= 0)
        {
            if (!allowed.allows(fd))
            {
                ::close(fd);
                continue;
            }
            // A peer that connects and sends nothing cannot hold the worker.
            timeval limit{30, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
            // Over TCP (pools on several hosts) the one short reply leaves at once.
            int on = 1;
            ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);   // fails harmlessly on a unix socket
            return fd;
        }
        if (stopRequested) return -1;
        switch (acceptErrno)
        {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
            continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            ::usleep(100000);
            continue;
        default:
            std::cerr << "loket-fcgi: accept on fd 0 failed: " << std::strerror(acceptErrno) << "\n";
            return -1;
        }
    }
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
    installStopHandlers();
    if (!isSocket(ListenFd))
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
    WebServerAddrs allowed;
    FCGX_Request request;
    // No listening socket for libfcgi: connections come from acceptNext().
    FCGX_InitRequest(&request, -1, 0);
    for (;;)
    {
        int fd = acceptNext(allowed);
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
    return stopRequested ? 0 : 1;
}
