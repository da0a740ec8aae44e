#pragma once
#include "Config.h"
#include "Database.h"
#include <Poco/Types.h>
#include <chrono>
#include <future>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace Loket {

/// Lets many request threads wait for their orders without holding a database
/// connection, a transaction or a lock: one poller thread per worker process
/// asks, with one query per table every few milliseconds, which of the
/// awaited orders became final and which inquiries were answered, and wakes
/// their threads.  Works the same on every backend and across hosts (the
/// ledger is the only channel between workers and dispatchers).
class OrderWaiter
{
public:
    explicit OrderWaiter(const Config& config);
    /// Wakes every waiter (they return false) and stops the poller.  Only
    /// after every thread that may call waitOrder/waitInquiry has returned
    /// (fcgi/main.cpp joins the request threads first): a woken waiter still
    /// takes the mutex to leave.
    ~OrderWaiter();

    /// Waits until transaction `id` is SUCCESS or FAILED, or `deadline`; true when final.
    bool waitOrder(Poco::Int64 id, std::chrono::steady_clock::time_point deadline);
    /// Waits until inquiry `id` is answered, or `deadline`; true when answered.
    bool waitInquiry(Poco::Int64 id, std::chrono::steady_clock::time_point deadline);

    OrderWaiter(const OrderWaiter&) = delete;
    OrderWaiter& operator=(const OrderWaiter&) = delete;

private:
    enum class Kind { Order, Inquiry };
    bool wait(Kind kind, Poco::Int64 id, std::chrono::steady_clock::time_point deadline);
    void poll();
    void pollOnce(Database& db);

    /// One waiting request thread, on its own stack.  Each has its own
    /// promise, so that the poller wakes exactly the threads whose orders
    /// became final, and a new waiter wakes only the poller (with one shared
    /// condition variable, every arrival and every poll woke every waiting
    /// thread: issue 12).  Promises are kept after _mutex is let go: woken
    /// under it, every thread of a poll blocked again on that mutex at once.
    struct Waiter
    {
        bool ready = false;   ///< under _mutex
        std::promise<void> woken;
    };
    /// Marks the waiters of `ids` ready and takes their promises (under
    /// _mutex), to be kept once it is let go.
    void takeReady(Kind kind, const std::vector<Poco::Int64>& ids, std::vector<std::promise<void>>& into);

    const Config& _config;
    std::mutex _mutex;
    std::condition_variable _pollerWake;   ///< a waiter was added, or stop
    std::multimap<std::pair<Kind, Poco::Int64>, Waiter*> _waiting;
    bool _stop = false;
    std::thread _poller;
};

} // namespace Loket
