#pragma once
#include <pthread.h>
#include <cstddef>
#include <string>
#include <vector>

/// The worker's listening socket (fd 0, from spawn-fcgi or systemd): accepting
/// connections so that a stop signal never cuts a request short, and refusing
/// TCP peers that FCGI_WEB_SERVER_ADDRS does not list.
namespace Listener {

const int ListenFd = 0;

/// Installs the stop handlers (TERM, INT, HUP, QUIT, USR1) and blocks them
/// outside acceptNext().  Call before FCGX_Init and before any thread starts.
/// False when /dev/null or the stop pipe cannot be opened.
bool installStopHandlers();

/// True once a stop signal arrived: finish the requests in hand, then exit.
bool stopRequested();

/// The main thread: returns once a stop signal arrived, or a request thread
/// found the listening socket broken.
void waitForStop();

/// The main thread: makes every request thread's acceptNext() return -1,
/// at once if it waits in accept(), else after the request in hand.  Ask
/// stopRequested() before: from here on it is true.
void endThreads(const std::vector<pthread_t>& threads);

bool isSocket(int fd);

/// FCGI_WEB_SERVER_ADDRS, as libfcgi's own accept honours it: when set, a TCP
/// connection is served only from one of these comma-separated addresses.
/// Unix-socket connections (the shipped setup) are not affected.
class WebServerAddrs
{
public:
    WebServerAddrs();
    bool allows(int fd) const;

private:
    std::vector<std::string> _addrs;
};

/// The most a request may take (params, query string and body); nginx sends a
/// few KiB (a URI of at most 16 KiB, large_client_header_buffers).
const std::size_t MaxRequestBytes = 64 * 1024;

/// The total time a peer has to deliver a whole request, however it trickles.
const int RequestDeadlineMs = 10000;

/// Waits until the whole FastCGI request (up to its empty STDIN record) has
/// arrived on `fd`, without reading it.  False when it did not arrive within
/// `deadlineMs` in all, is malformed or larger than MaxRequestBytes, or the
/// peer closed first: the caller drops the connection.  A request thread
/// calls it before libfcgi reads, so a peer that trickles its records (a
/// byte every few seconds passes any per-read timeout) holds that thread for
/// deadlineMs at most, and no other thread.  Thread-safe.
bool awaitRequest(int fd, int deadlineMs = RequestDeadlineMs);

/// Waits for the next connection with the stop signals open (request
/// threads call it whenever they are idle, so a busy worker leaves
/// connections in the kernel's queue for the others).  Returns the connected
/// socket, or -1 when the worker should exit.
int acceptNext(const WebServerAddrs& allowed);

/// Closes a connection whose reply has been written, at once.  libfcgi's own
/// close first waits (a second at a time) for the web server to close its
/// end, so that no unread byte turns the close into a reset before the reply
/// is read: a sleep and a wake-up of the request thread per request (issue
/// 12).  The whole request was in the buffer before libfcgi read it
/// (awaitRequest), so whatever is left is drained without waiting instead.
void closeAnswered(int fd);

} // namespace Listener
