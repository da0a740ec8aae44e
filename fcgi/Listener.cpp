#include "Listener.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <iostream>

namespace Listener {
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
sigset_t stopSet;
volatile sig_atomic_t stopFlag = 0;
int devNull = -1;

extern "C" void onStop(int)
{
    int savedErrno = errno;
    stopFlag = 1;
    if (devNull >= 0) ::dup2(devNull, ListenFd);
    errno = savedErrno;
}

} // namespace

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
    pthread_sigmask(SIG_BLOCK, &stopSet, nullptr);
}

bool isSocket(int fd)
{
    int type = 0;
    socklen_t len = sizeof type;
    return ::getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) == 0;
}

WebServerAddrs::WebServerAddrs()
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

bool WebServerAddrs::allows(int fd) const
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

int acceptNext(const WebServerAddrs& allowed)
{
    for (;;)
    {
        if (stopFlag) return -1;
        pthread_sigmask(SIG_UNBLOCK, &stopSet, nullptr);
        int fd = ::accept4(ListenFd, nullptr, nullptr, SOCK_CLOEXEC);
        int acceptErrno = errno;
        pthread_sigmask(SIG_BLOCK, &stopSet, nullptr);
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
        if (stopFlag) return -1;
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

bool stopRequested() { return stopFlag != 0; }

} // namespace Listener
