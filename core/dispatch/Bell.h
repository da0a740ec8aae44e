#pragma once
#include <string>

namespace Loket {

/// A wake-up call from workers (and loketctl) to the dispatcher on this host:
/// a unix datagram socket.  Ringing is best effort and never blocks — a
/// dispatcher on another host, or one that is down, finds the work anyway on
/// its next look (dispatcher.poll_ms).
class Bell
{
public:
    /// Sends one wake-up to the dispatcher listening on `path`.
    static void ring(const std::string& path);

    /// True when a dispatcher is bound to `path` now (a wake-up is accepted).
    static bool answered(const std::string& path);

    /// Binds `path` (replacing a stale socket file), for the dispatcher.
    explicit Bell(const std::string& path);
    ~Bell();

    /// Waits until rung, or `timeoutMs`, or `otherFd` (if >= 0) is readable;
    /// drains what was rung.  Returns true when something woke it early.
    bool wait(int timeoutMs, int otherFd = -1);

    Bell(const Bell&) = delete;
    Bell& operator=(const Bell&) = delete;

private:
    std::string _path;
    int _fd = -1;
};

} // namespace Loket
