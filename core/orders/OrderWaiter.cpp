#include "OrderWaiter.h"
#include "Query.h"
#include <algorithm>
#include <vector>

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

/// How often the poller looks while someone waits: short enough that an
/// instant biller's answer reaches the partner at once, one cheap indexed
/// query per table per tick for however many waiters.
const auto PollInterval = std::chrono::milliseconds(3);

/// The ids among `ids` whose row has one of `wanted` statuses.  Ids are bound
/// in lists of 1, 2, 4 ... 64 (the last one padded by repeating an id), so
/// however many wait, the poller runs a few statements compiled once.  The
/// status is compared here, not in SQL: with "AND status IN (...)" SQLite's
/// planner scanned the status index (every SUCCESS row ever) instead of
/// looking the ids up by primary key, so each poll grew with the ledger.
std::vector<Poco::Int64> matching(Database& db, const std::string& table, const std::vector<Poco::Int64>& ids,
                                  std::initializer_list<const char*> wanted)
{
    const std::size_t Chunk = 64;
    std::vector<Poco::Int64> out;
    for (std::size_t from = 0; from < ids.size(); from += Chunk)
    {
        std::size_t count = std::min(Chunk, ids.size() - from);
        std::size_t width = 1;
        while (width < count) width *= 2;
        std::string marks;
        for (std::size_t i = 0; i < width; ++i) marks += i ? ",?" : "?";
        Query q(db, "SELECT id, status FROM " + table + " WHERE id IN (" + marks + ")");
        for (std::size_t i = 0; i < width; ++i) q.bind(ids[from + std::min(i, count - 1)]);
        while (q.next())
        {
            std::string status = q.text(1);
            for (const char* w : wanted)
                if (status == w) out.push_back(q.int64(0));
        }
    }
    return out;
}

} // namespace

OrderWaiter::OrderWaiter(const Config& config) : _config(config), _poller([this] { poll(); }) {}

OrderWaiter::~OrderWaiter()
{
    std::vector<std::promise<void>> woken;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _stop = true;
        for (auto& w : _waiting)
            if (!w.second->ready) woken.push_back(std::move(w.second->woken));
    }
    for (auto& w : woken) w.set_value();   // they return not ready
    _pollerWake.notify_one();
    _poller.join();
}

bool OrderWaiter::waitOrder(Poco::Int64 id, std::chrono::steady_clock::time_point deadline)
{
    return wait(Kind::Order, id, deadline);
}

bool OrderWaiter::waitInquiry(Poco::Int64 id, std::chrono::steady_clock::time_point deadline)
{
    return wait(Kind::Inquiry, id, deadline);
}

bool OrderWaiter::wait(Kind kind, Poco::Int64 id, std::chrono::steady_clock::time_point deadline)
{
    Waiter me;
    std::future<void> woken = me.woken.get_future();
    std::multimap<std::pair<Kind, Poco::Int64>, Waiter*>::iterator mine;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        if (_stop) return false;
        mine = _waiting.emplace(std::make_pair(kind, id), &me);
    }
    _pollerWake.notify_one();
    woken.wait_until(deadline);
    std::lock_guard<std::mutex> lock(_mutex);
    _waiting.erase(mine);
    return me.ready;
}

void OrderWaiter::poll()
{
    std::unique_ptr<Database> db;
    for (;;)
    {
        {
            std::unique_lock<std::mutex> lock(_mutex);
            _pollerWake.wait(lock, [&] {
                if (_stop) return true;
                for (const auto& w : _waiting)
                    if (!w.second->ready) return true;
                return false;
            });
            if (_stop) return;
        }
        try
        {
            if (db && db->stale()) db.reset();   // see Database::stale
            if (!db) db = std::make_unique<Database>(_config);
            pollOnce(*db);
        }
        catch (const std::exception&)
        {
            // The ledger is unreachable now: waiters time out and answer
            // SEDANG DIPROSES; a new connection is tried next round.
            db.reset();
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        std::this_thread::sleep_for(PollInterval);
    }
}

void OrderWaiter::pollOnce(Database& db)
{
    std::vector<Poco::Int64> orders, inquiries;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        for (const auto& w : _waiting)
        {
            if (w.second->ready) continue;
            (w.first.first == Kind::Order ? orders : inquiries).push_back(w.first.second);
        }
    }
    std::vector<Poco::Int64> finalOrders, answered;
    finalOrders = matching(db, "transactions", orders, {"SUCCESS", "FAILED"});
    answered = matching(db, "inquiries", inquiries, {"ANSWERED"});
    if (finalOrders.empty() && answered.empty()) return;
    std::vector<std::promise<void>> woken;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        takeReady(Kind::Order, finalOrders, woken);
        takeReady(Kind::Inquiry, answered, woken);
    }
    for (auto& w : woken) w.set_value();
}

void OrderWaiter::takeReady(Kind kind, const std::vector<Poco::Int64>& ids, std::vector<std::promise<void>>& into)
{
    // A waiter lives on its thread's stack and may return as soon as its
    // promise is kept (or its deadline passes): the promise is moved out here,
    // so that keeping it later touches only the state it shares with the
    // waiter's future.
    for (Poco::Int64 id : ids)
    {
        auto range = _waiting.equal_range({kind, id});
        for (auto it = range.first; it != range.second; ++it)
        {
            if (it->second->ready) continue;
            it->second->ready = true;
            into.push_back(std::move(it->second->woken));
        }
    }
}

} // namespace Loket
