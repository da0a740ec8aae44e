#include "CommitGroup.h"
#include "Query.h"

namespace Loket {

CommitGroup::CommitGroup(const Config& config, bool durable)
    : _config(config), _durable(durable), _writer([this] { writerLoop(); }) {}

CommitGroup::~CommitGroup()
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stop = true;
    }
    _queued.notify_one();
    _writer.join();
}

void CommitGroup::run(const std::function<void(Database&)>& work)
{
    Job job;
    job.work = &work;
    std::future<void> finished = job.finished.get_future();
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _queue.push_back(&job);
    }
    _queued.notify_one();
    finished.get();   // rethrows the job's error
}

Database* CommitGroup::connection()
{
    if (_db && _db->stale()) _db.reset();   // see Database::stale
    if (!_db)
    {
        _db = std::make_unique<Database>(_config);
        if (!_durable) _db->skipSync();
    }
    return _db.get();
}

void CommitGroup::writerLoop()
{
    for (;;)
    {
        {
            std::unique_lock<std::mutex> lock(_mutex);
            _queued.wait(lock, [&] { return _stop || !_queue.empty(); });
            if (_queue.empty()) return;   // stopping, and nobody waits
        }
        std::deque<Job*> batch;
        std::exception_ptr failed;
        bool shared = false;
        try
        {
            // The write lock first: while it is being waited for, more work
            // queues up and joins this same transaction.  Through ODBC each
            // piece runs alone, one after the other (PostgreSQL shares WAL
            // flushes between concurrent commits by itself).
            shared = connection()->isSQLite();
            if (shared) _db->beginGroup();
        }
        catch (const std::exception& e)
        {
            failed = std::make_exception_ptr(NotBegun(e.what()));
            _db.reset();   // opened anew for the next batch
        }
        {
            std::lock_guard<std::mutex> lock(_mutex);
            while (!_queue.empty() && batch.size() < MaxBatch)
            {
                batch.push_back(_queue.front());
                _queue.pop_front();
            }
        }
        if (failed)
        {
            // No transaction: nothing of theirs was written.
            for (Job* job : batch) job->error = failed;
        }
        else if (shared)
            runBatch(batch);
        else
            runAlone(batch, false);
        for (Job* job : batch)
        {
            // A job lives on its thread's stack, which may return as soon as
            // the promise is kept: the promise is moved out first, so that
            // keeping it touches only this copy and the state it shares with
            // the waiting thread's future.
            std::exception_ptr error = job->error;
            std::promise<void> finished = std::move(job->finished);
            if (error) finished.set_exception(error);
            else finished.set_value();
        }
    }
}

void CommitGroup::runBatch(std::deque<Job*>& batch)
{
    Database& db = *_db;
    bool intact = true;
    for (Job* job : batch)
    {
        // Each piece in its own savepoint, so that one that fails leaves the
        // others' writes in place.
        try
        {
            // SQLite ends a transaction by itself on some errors (a full disk,
            // an I/O error): a SAVEPOINT would then begin a new one that its
            // RELEASE commits alone.  Such a batch is not intact.
            if (!db.inTransaction()) throw std::runtime_error("the shared transaction ended early");
            Query(db, "SAVEPOINT job").run();
        }
        catch (const std::exception&)
        {
            intact = false;
            break;
        }
        try
        {
            (*job->work)(db);
            Query(db, "RELEASE job").run();
        }
        catch (...)
        {
            job->error = std::current_exception();
            try
            {
                Query(db, "ROLLBACK TO job").run();
                Query(db, "RELEASE job").run();
            }
            catch (const std::exception&)
            {
                intact = false;
            }
        }
        if (!intact || db.groupSpoiled()) break;
    }
    bool commitFailed = false;
    if (intact && !db.groupSpoiled() && db.inTransaction())
    {
        try
        {
            db.commitGroup();
            ++_commits;
            return;
        }
        catch (const std::exception&)
        {
            commitFailed = true;
            // Not known to be committed: undone below, and every piece runs
            // again alone (work reads before it writes, so a piece that did
            // commit finds its own row and answers from it).
        }
    }
    try
    {
        db.rollbackGroup();
    }
    catch (const std::exception&)
    {
        // Checked below.
    }
    // A connection still inside the shared transaction must never commit it
    // later with someone else's work: closing it is the rollback.
    if (db.inTransaction()) _db.reset();
    runAlone(batch, commitFailed);
}

void CommitGroup::runAlone(std::deque<Job*>& batch, bool afterFailedCommit)
{
    for (Job* job : batch)
    {
        job->error = nullptr;
        try
        {
            (*job->work)(*connection());
        }
        catch (const std::exception& e)
        {
            // After a COMMIT that failed (and may have committed after all),
            // a second run that fails cannot tell whether the first one's
            // writes are there.
            job->error = afterFailedCommit ? std::make_exception_ptr(Unknown(e.what())) : std::current_exception();
        }
        catch (...)
        {
            job->error = afterFailedCommit ? std::make_exception_ptr(Unknown("unknown error"))
                                           : std::current_exception();
        }
    }
}

} // namespace Loket
