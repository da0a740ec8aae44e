#include "WriteLockWaiters.h"
#include <fcntl.h>
#include <linux/futex.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <cerrno>
#include <climits>
#include <ctime>
#include <map>
#include <mutex>

namespace Loket {
namespace {

constexpr std::size_t MappedBytes = 4096;

int openBeside(const std::string& ledgerPath)
{
    struct stat ledger;
    if (::stat(ledgerPath.c_str(), &ledger) != 0) return -1;   // no file yet (or ":memory:")
    std::string path = ledgerPath + "-waiters";
    // The ledger's own mode: whoever may write the ledger may take turns at it.
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, ledger.st_mode & 0666);
    if (fd >= 0)
    {
        // Written, not only sized: the page then has its block (tmpfs: its
        // memory) now, so a full disk fails this write instead of a later
        // store to the mapped page (SIGBUS).
        char zeros[MappedBytes] = {};
        if (::pwrite(fd, zeros, MappedBytes, 0) != static_cast<ssize_t>(MappedBytes))
        {
            ::close(fd);
            ::unlink(path.c_str());
            return -1;
        }
        return fd;
    }
    if (errno != EEXIST) return -1;
    fd = ::open(path.c_str(), O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0) return -1;
    struct stat own;
    // Shorter: its creator has not written it yet (or failed to).  Another
    // owner, or a mode wider than the ledger's: not a file Loket made for this
    // ledger.  Either way this connection waits the plain way.
    if (::fstat(fd, &own) != 0 || !S_ISREG(own.st_mode) || own.st_size < static_cast<off_t>(MappedBytes) ||
        own.st_uid != ledger.st_uid || (own.st_mode & 0777 & ~(ledger.st_mode & 0777)) != 0)
    {
        ::close(fd);
        return -1;
    }
    return fd;
}

long futex(void* word, int op, std::uint32_t value, const timespec* timeout)
{
    return ::syscall(SYS_futex, word, op, value, timeout, nullptr, 0);
}

} // namespace

std::shared_ptr<WriteLockWaiters> WriteLockWaiters::forLedger(const std::string& ledgerPath)
{
    static std::mutex mutex;
    static std::map<std::string, std::weak_ptr<WriteLockWaiters>> mapped;
    std::lock_guard<std::mutex> lock(mutex);
    std::weak_ptr<WriteLockWaiters>& slot = mapped[ledgerPath];
    std::shared_ptr<WriteLockWaiters> waiters = slot.lock();
    if (!waiters || !waiters->usable())
    {
        waiters = std::make_shared<WriteLockWaiters>(ledgerPath);
        slot = waiters;
    }
    return waiters;
}

WriteLockWaiters::WriteLockWaiters(const std::string& ledgerPath)
{
    int fd = openBeside(ledgerPath);
    if (fd < 0) return;
    void* page = ::mmap(nullptr, MappedBytes, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    ::close(fd);
    if (page != MAP_FAILED) _shared = static_cast<Shared*>(page);   // a new file is zeros: both counters 0
}

WriteLockWaiters::~WriteLockWaiters()
{
    if (_shared) ::munmap(_shared, MappedBytes);
}

std::uint32_t WriteLockWaiters::generation() const
{
    return _shared ? _shared->generation.load() : 0;
}

void WriteLockWaiters::waitPast(std::uint32_t seen, long maxMicros)
{
    timespec timeout{maxMicros / 1000000, (maxMicros % 1000000) * 1000};
    if (!_shared)
    {
        ::nanosleep(&timeout, nullptr);
        return;
    }
    // Flagged before the futex compares the counter with `seen`: a writer
    // that finds no flag has bumped the counter before we compare.
    _shared->someoneWaits.store(1);
    futex(&_shared->generation, FUTEX_WAIT, seen, &timeout);
}

void WriteLockWaiters::writerDone()
{
    if (!_shared) return;
    _shared->generation.fetch_add(1);
    if (_shared->someoneWaits.exchange(0) != 0) futex(&_shared->generation, FUTEX_WAKE, INT_MAX, nullptr);
}

} // namespace Loket
