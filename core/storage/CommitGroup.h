#pragma once
#include "Config.h"
#include "Database.h"
#include <atomic>
#include <condition_variable>
#include <deque>
#include <exception>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <thread>

namespace Loket {

/// Group commit for one process's writers on SQLite (`database.group_commit`).
///
/// SQLite lets one connection of the whole machine write at a time, and every
/// commit waits for its own fdatasync (synchronous=FULL): with every request
/// thread committing its own hold, a ledger passes no more holds per second
/// than the disk has syncs.  Here the work of every thread that is waiting
/// runs in ONE transaction on the group's own connection, each piece in its
/// own savepoint, and one COMMIT (one sync) makes all of them durable.  run()
/// returns only after that COMMIT: nothing is acknowledged before it is durable.
///
/// If the shared transaction cannot be committed (or a savepoint cannot be
/// undone), it is rolled back whole and each piece of work runs again alone, in
/// its own transaction, exactly as without a group.  So work must be safe to
/// run again after a rollback: it reads what is there before it writes (a
/// purchase looks its refID up first), and does nothing outside the ledger.
class CommitGroup
{
public:
    /// `durable` false: commits are not fsynced (Database::skipSync), for the
    /// sim biller's own records only.
    explicit CommitGroup(const Config& config, bool durable = true);
    ~CommitGroup();
    CommitGroup(const CommitGroup&) = delete;
    CommitGroup& operator=(const CommitGroup&) = delete;

    /// The shared transaction could not begin; `work` did not run.  The caller
    /// runs it on a connection of its own instead: a connection of the group's
    /// that a fault left unable to write (a read-only remount with the WAL left
    /// behind) must not stop purchases that other connections can make.
    struct NotBegun : std::runtime_error
    {
        using std::runtime_error::runtime_error;
    };

    /// The shared COMMIT failed (it may have committed after all), and running
    /// `work` again alone failed too: whether its first run's writes are in the
    /// ledger is unknown.  The caller must answer as for an unknown outcome.
    struct Unknown : std::runtime_error
    {
        using std::runtime_error::runtime_error;
    };

    /// Runs `work` on the group's connection, inside a transaction shared with
    /// other threads' work (a WriteTransaction inside it is a savepoint), and
    /// returns once that transaction is committed.  Rethrows what `work` threw
    /// (its writes undone); throws NotBegun if no transaction could begin, and
    /// Unknown as above.
    void run(const std::function<void(Database&)>& work);

    /// Shared transactions committed so far (tests, figures).
    long commits() const { return _commits; }

    /// The most pieces of work one transaction takes.
    static constexpr std::size_t MaxBatch = 64;

private:
    struct Job
    {
        const std::function<void(Database&)>* work;
        std::exception_ptr error;
        /// Its own, so that a finished batch wakes only its own threads, and
        /// without the group's mutex: woken under it, every thread of a batch
        /// blocked again on that mutex at once (issue 12).
        std::promise<void> finished;
    };
    void writerLoop();
    void runBatch(std::deque<Job*>& batch);
    /// Each piece alone, in its own transaction (the shared one could not be
    /// committed, or there is none: ODBC).
    void runAlone(std::deque<Job*>& batch, bool afterFailedCommit);
    Database* connection();

    const Config& _config;
    const bool _durable;
    std::unique_ptr<Database> _db;   ///< used by the writer thread only
    std::mutex _mutex;
    std::condition_variable _queued;
    std::deque<Job*> _queue;
    bool _stop = false;
    std::atomic<long> _commits{0};
    std::thread _writer;
};

} // namespace Loket
