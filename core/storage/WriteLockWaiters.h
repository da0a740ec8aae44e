#pragma once
#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

namespace Loket {

/// Wakes the connections waiting for SQLite's write lock as soon as a writer
/// lets it go.  SQLite itself cannot wait for its lock: a connection that
/// finds it taken is refused and retries from its busy handler, and a waiter
/// that slept a fixed millisecond left the lock idle for the rest of it while
/// the workers' group writers, the dispatcher and the sim took turns (issue 12).
///
/// Every connection to one ledger file on this host maps the same small file
/// beside it (`<ledger>-waiters`) holding a counter.  A writer that ends its
/// transaction bumps the counter and, if anyone waits, wakes them (a futex on
/// the shared page); a waiter sleeps until the counter moves, or at most a
/// millisecond, then lets SQLite try again.  SQLite's lock stays the only
/// lock: a writer that does not bump the counter (the sqlite3 shell, an older
/// binary) is only noticed a millisecond later, and without the file (it
/// cannot be created or opened) every wait is the plain millisecond.
class WriteLockWaiters
{
public:
    /// Maps `<ledgerPath>-waiters`, created with the ledger file's mode if
    /// missing.  usable() is false when that fails (no ledger file yet, a
    /// read-only or full disk): waits are then the plain millisecond.
    explicit WriteLockWaiters(const std::string& ledgerPath);
    ~WriteLockWaiters();
    WriteLockWaiters(const WriteLockWaiters&) = delete;
    WriteLockWaiters& operator=(const WriteLockWaiters&) = delete;

    /// The one mapping of `<ledgerPath>-waiters` in this process, shared by
    /// all its connections to that ledger (every method is safe to call from
    /// several threads at once).  One that is not usable (the file could not
    /// be opened: a read-only disk) is made again at the next call.
    static std::shared_ptr<WriteLockWaiters> forLedger(const std::string& ledgerPath);

    bool usable() const { return _shared != nullptr; }

    /// The counter now: read before each try for the lock, so that a writer
    /// that ends between the refused try and the wait is not missed.
    std::uint32_t generation() const;
    /// Sleeps until the counter differs from `seen`, or `maxMicros` passed
    /// (without the file: sleeps `maxMicros`).
    void waitPast(std::uint32_t seen, long maxMicros);
    /// A write transaction on this connection ended (committed or rolled back).
    void writerDone();

private:
    /// The mapped page (a new file is zeros).  Atomics of 4 bytes that are
    /// lock-free are plain words, as the futex needs and another process sees.
    struct Shared
    {
        std::atomic<std::uint32_t> generation;
        /// Set by a waiter before it sleeps, cleared by the writer that wakes:
        /// so that a waiter killed in its sleep costs one needless wake, not
        /// one at every commit from then on.
        std::atomic<std::uint32_t> someoneWaits;
    };
    static_assert(std::atomic<std::uint32_t>::is_always_lock_free, "futex words must be plain words");
    static_assert(sizeof(std::atomic<std::uint32_t>) == 4, "futex words are 4 bytes");
    Shared* _shared = nullptr;
};

} // namespace Loket
