#include "Listener.h"
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sys/socket.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>
#include <chrono>
#include <iostream>
#include <vector>

namespace Listener {
namespace {

// Stopping.  TERM, INT, HUP, QUIT and USR1 (multiwatch's default "graceful"
// signal) all mean: finish the requests in hand, accept no other, exit.
//
// Every request thread accepts its own connections (no hand-off between
// threads: that cost a wake-up and a context switch per request, issue 12),
// and the stop signals are open only while a thread waits in accept(): from
// the moment a connection is accepted until its reply is written they are
// blocked, and neither reading the request nor writing the reply can be cut
// short.  (libfcgi's own accept loop, after accepting on a unix socket, waits
// in a select() that a signal interrupts, and then drops the connection:
// nginx answers 502.)
//
// The handler puts /dev/null on this process's fd 0, so an accept() about to
// start, or restarted after the handler (SA_RESTART), fails at once with
// ENOTSOCK instead of waiting for one more connection.  Only this process's
// descriptor changes; the other workers keep the shared listening socket.
// The handler also wakes the main thread (a byte in stopPipe), which then
// sends USR1 to every request thread: one still waiting in accept() is
// interrupted; one serving a request sees `stopFlag` before it would accept
// again, and ends.
const int StopSignals[] = {SIGTERM, SIGINT, SIGHUP, SIGQUIT, SIGUSR1};
sigset_t stopSet;
std::atomic<int> stopFlag{0};   // lock-free: safe in a handler, read by every thread
static_assert(std::atomic<int>::is_always_lock_free, "a handler may only touch lock-free atomics");
std::atomic<bool> failureReported{false};
int devNull = -1;
int stopPipe[2] = {-1, -1};

extern "C" void onStop(int)
{
    int savedErrno = errno;
    stopFlag = 1;
    if (devNull >= 0) ::dup2(devNull, ListenFd);
    char s = 's';
    ssize_t ignored = ::write(stopPipe[1], &s, 1);   // async-signal-safe; a full pipe is already awake
    (void)ignored;
    errno = savedErrno;
}

/// How a FastCGI request's records stand in `data` (a peek at the socket).
enum class Arrival { Complete, Incomplete, Malformed };

/// A request is complete once its PARAMS and its STDIN have each ended with
/// an empty record (FastCGI 1.0, section 3.3); records are 8-byte headers,
/// then content and padding.
Arrival arrival(const unsigned char* data, std::size_t size)
{
    const unsigned char Params = 4, Stdin = 5;
    bool paramsEnded = false, stdinEnded = false;
    std::size_t pos = 0;
    while (pos + 8 <= size)
    {
        const unsigned char* h = data + pos;
        if (h[0] != 1) return Arrival::Malformed;
        std::size_t content = static_cast<std::size_t>(h[4]) << 8 | h[5];
        std::size_t length = 8 + content + h[6];
        if (pos + length > size) break;
        if (h[1] == Params && content == 0) paramsEnded = true;
        if (h[1] == Stdin && content == 0) stdinEnded = true;
        pos += length;
    }
    return paramsEnded && stdinEnded ? Arrival::Complete : Arrival::Incomplete;
}

} // namespace

bool awaitRequest(int fd, int deadlineMs)
{
    // nginx writes a whole request at once, so it lies in the socket's buffer
    // well within the deadline; a client that dribbles its records (a byte
    // every few seconds would pass any per-read timeout) is dropped here,
    // before the worker gives it any more time.  Peeking leaves the bytes for
    // libfcgi to read.
    thread_local std::vector<unsigned char> buffer(MaxRequestBytes + 1);
    auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(deadlineMs);
    for (;;)
    {
        ssize_t n = ::recv(fd, buffer.data(), buffer.size(), MSG_PEEK | MSG_DONTWAIT);
        if (n > 0)
        {
            Arrival a = arrival(buffer.data(), static_cast<std::size_t>(n));
            if (a == Arrival::Complete) return true;
            if (a == Arrival::Malformed || static_cast<std::size_t>(n) > MaxRequestBytes) return false;
        }
        else if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR))
            return false;   // closed, or broken, before the request was whole
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) return false;
        // Woken by new bytes; with a partial record already waiting, poll
        // returns at once, so wait a little between peeks instead.
        pollfd p{fd, POLLIN, 0};
        if (n > 0) ::usleep(2000);
        else ::poll(&p, 1, static_cast<int>(left.count()));
    }
}

void closeAnswered(int fd)
{
    // Bounded: a peer that keeps sending after its request gets no more of
    // this thread than a request's worth of reading.
    char unread[4096];
    std::size_t drained = 0;
    ssize_t n;
    while (drained < MaxRequestBytes && (n = ::recv(fd, unread, sizeof unread, MSG_DONTWAIT)) > 0)
        drained += static_cast<std::size_t>(n);
    ::close(fd);
}

bool installStopHandlers()
{
    devNull = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (devNull < 0 || ::pipe2(stopPipe, O_CLOEXEC) != 0) return false;
    ::fcntl(stopPipe[1], F_SETFL, O_NONBLOCK);
    sigemptyset(&stopSet);
    for (int s : StopSignals) sigaddset(&stopSet, s);
    // Blocked before the handlers exist: a signal in between waits for the
    // first accept instead of running on this thread.
    pthread_sigmask(SIG_BLOCK, &stopSet, nullptr);
    struct sigaction sa;
    std::memset(&sa, 0, sizeof sa);
    sa.sa_handler = onStop;
    sa.sa_flags = SA_RESTART;
    sa.sa_mask = stopSet;
    // Installed before FCGX_Init, which then leaves SIGUSR1 to us.
    for (int s : StopSignals) sigaction(s, &sa, nullptr);
    return true;
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

namespace {

/// Whether the pool's socket is TCP (pools on several hosts) rather than a
/// unix socket: looked up once, not tried on every connection.
bool listensOnTcp()
{
    static const bool tcp = [] {
        sockaddr_storage address;
        socklen_t length = sizeof address;
        if (::getsockname(ListenFd, reinterpret_cast<sockaddr*>(&address), &length) != 0) return false;
        return address.ss_family == AF_INET || address.ss_family == AF_INET6;
    }();
    return tcp;
}

} // namespace

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
            // A peer that connects and sends nothing cannot hold a thread for
            // long: see awaitRequest, which the request thread calls first.
            timeval limit{30, 0};
            ::setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);

            // Over TCP (pools on several hosts) the one short reply leaves at once.
            int on = 1;
            if (listensOnTcp()) ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
            return fd;
        }
        if (stopFlag) return -1;
        switch (acceptErrno)
        {
        case EINTR:
        case ECONNABORTED:
        case EPROTO:
        // Network errors pending on a TCP connection: accept(2) says to retry.
        case ENETDOWN:
        case ENOPROTOOPT:
        case EHOSTDOWN:
        case ENONET:
        case EHOSTUNREACH:
        case EOPNOTSUPP:
        case ENETUNREACH:
            continue;
        case EMFILE:
        case ENFILE:
        case ENOBUFS:
        case ENOMEM:
            ::usleep(100000);
            continue;
        default:
            if (failureReported.exchange(true)) return -1;   // one line, not one per thread
            std::cerr << "loket-fcgi: accept on fd 0 failed: " << std::strerror(acceptErrno) << "\n";
            char f = 'f';
            ssize_t ignored = ::write(stopPipe[1], &f, 1);   // the main thread ends the others
            (void)ignored;
            return -1;
        }
    }
}

bool stopRequested() { return stopFlag != 0; }

void waitForStop()
{
    char c;
    while (::read(stopPipe[0], &c, 1) < 0 && errno == EINTR)
    {
    }
}

void endThreads(const std::vector<pthread_t>& threads)
{
    stopFlag = 1;
    if (devNull >= 0) ::dup2(devNull, ListenFd);
    for (pthread_t t : threads) ::pthread_kill(t, SIGUSR1);
}

} // namespace Listener
