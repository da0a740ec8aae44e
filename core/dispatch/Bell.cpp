#include "Bell.h"
#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace Loket {

namespace {

bool addressOf(const std::string& path, sockaddr_un& addr)
{
    std::memset(&addr, 0, sizeof addr);
    addr.sun_family = AF_UNIX;
    if (path.empty() || path.size() >= sizeof addr.sun_path) return false;
    std::memcpy(addr.sun_path, path.c_str(), path.size());
    return true;
}

} // namespace

void Bell::ring(const std::string& path)
{
    sockaddr_un addr;
    if (!addressOf(path, addr)) return;
    // One unbound socket rings for the whole process, from any thread: a
    // socket made and closed per ring cost every topup two more system calls
    // and a socket's allocation (issue 12).  Made again while it cannot be.
    static std::atomic<int> shared{-1};
    int fd = shared.load();
    if (fd < 0)
    {
        int mine = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (mine < 0) return;
        fd = -1;
        if (shared.compare_exchange_strong(fd, mine)) fd = mine;
        else ::close(mine);   // another thread's won
    }
    char one = 1;
    // A full queue means the dispatcher has wake-ups enough: dropping is fine.
    if (::sendto(fd, &one, 1, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&addr), sizeof addr) < 0 &&
        (errno == EBADF || errno == ENOTSOCK))
        shared.compare_exchange_strong(fd, -1);   // not ours any more: made again at the next ring
}

bool Bell::answered(const std::string& path)
{
    sockaddr_un addr;
    if (!addressOf(path, addr)) return false;
    int fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    char one = 1;
    ssize_t n = ::sendto(fd, &one, 1, MSG_DONTWAIT, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
    int e = errno;
    ::close(fd);
    // A full queue (EAGAIN) still means somebody is bound there.
    return n == 1 || e == EAGAIN;
}

Bell::Bell(const std::string& path) : _path(path)
{
    sockaddr_un addr;
    if (!addressOf(path, addr)) throw std::runtime_error("dispatcher.socket path is empty or too long: " + path);
    _fd = ::socket(AF_UNIX, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (_fd < 0) throw std::runtime_error(std::string("cannot create the wake-up socket: ") + std::strerror(errno));
    ::unlink(path.c_str());
    if (::bind(_fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0)
    {
        int e = errno;
        ::close(_fd);
        throw std::runtime_error("cannot bind " + path + ": " + std::strerror(e));
    }
    // Workers run as the same user, or in nginx's group beside it.
    ::chmod(path.c_str(), 0660);
}

Bell::~Bell()
{
    if (_fd >= 0) ::close(_fd);
    ::unlink(_path.c_str());
}

bool Bell::wait(int timeoutMs, int otherFd)
{
    pollfd fds[2] = {{_fd, POLLIN, 0}, {otherFd, POLLIN, 0}};
    int n = ::poll(fds, otherFd >= 0 ? 2 : 1, timeoutMs);
    if (n <= 0) return false;
    char buf[256];
    while (::recv(_fd, buf, sizeof buf, MSG_DONTWAIT) > 0)
    {
    }
    return true;
}

} // namespace Loket
