#include "Dispatcher.h"
#include "Callbacks.h"
#include "Clock.h"
#include "Families.h"
#include "Reply.h"
#include <Poco/Exception.h>
#include <fcntl.h>
#include <poll.h>
#include <sys/file.h>
#include <unistd.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <thread>

namespace Loket {

namespace {

Order orderOf(const Transaction& t)
{
    Order o;
    o.orderId = std::to_string(t.id);
    // The supplier's own product code (its route's SKU), else ours.
    o.product = t.supplierSku.empty() ? Families::baseCode(t.product) : t.supplierSku;
    o.dest = Families::baseCode(t.dest);
    o.qty = t.qty;
    o.amount = t.billAmount;
    return o;
}

/// One process per dispatcher.id on a host: a restarted dispatcher knows
/// that every order leased to its id belongs to a process that is gone.
int takeLock(const std::string& path)
{
    int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0) throw std::runtime_error("cannot open " + path + ": " + std::strerror(errno));
    if (::flock(fd, LOCK_EX | LOCK_NB) != 0)
    {
        ::close(fd);
        throw std::runtime_error("another dispatcher holds " + path + " (same dispatcher.id on this host)");
    }
    return fd;
}

} // namespace

Dispatcher::Dispatcher(const Config& config, std::function<void(const std::string&)> log)
    : _config(config),
      _log(std::move(log)),
      _owner(config.dispatcherId),
      _lockFd(takeLock(config.dispatcherSocket + ".lock")),
      _db(config),
      _billers(config),
      _bell(config.dispatcherSocket)
{
    if (::pipe2(_wakePipe, O_NONBLOCK | O_CLOEXEC) != 0) throw std::runtime_error("cannot create a pipe");
    _templates.load(_db, false);
    std::string problem = _billers.reload(_db);
    if (!problem.empty()) _log(problem);
    adoptOwnOrphans();
}

Dispatcher::~Dispatcher()
{
    if (_wakePipe[0] >= 0) ::close(_wakePipe[0]);
    if (_wakePipe[1] >= 0) ::close(_wakePipe[1]);
    if (_lockFd >= 0) ::close(_lockFd);
}

void Dispatcher::adoptOwnOrphans()
{
    // A previous life of this dispatcher may have sent these orders before it
    // died: never send them again; ask the biller first.
    Poco::Int64 now = Clock::now();
    WriteTransaction tx(_db);
    int orphans = Transactions(_db).orphanSent(_owner, now);
    _db.session() << "UPDATE transactions SET lease_owner = '', lease_until = 0 WHERE lease_owner = ?",
        Poco::Data::Keywords::bind(_owner), Poco::Data::Keywords::now;
    _db.session() << "UPDATE callbacks SET lease_owner = '', lease_until = 0 WHERE lease_owner = ?",
        Poco::Data::Keywords::bind(_owner), Poco::Data::Keywords::now;
    tx.commit();
    if (orphans > 0)
        _log(std::to_string(orphans) + " order(s) sent by a previous run of dispatcher " + _owner +
             " are pending: their biller is asked before anything else happens to them");
}

std::string Dispatcher::statusText(const Transaction& t) const
{
    return _templates.render(t.rc, Action::Status, fieldsOf(t));
}

void Dispatcher::wakeLoop()
{
    char one = 1;
    (void)::write(_wakePipe[1], &one, 1);
}

void Dispatcher::spawn(std::function<void()> call)
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        ++_threads;
    }
    try
    {
        _callThreads.run([this, call = std::move(call)] {
            call();
            {
                std::lock_guard<std::mutex> lock(_mutex);
                --_threads;
            }
            wakeLoop();
        });
    }
    catch (const std::exception&)
    {
        // Every call is made for work already claimed and committed (an
        // order SENT under our lease, a callback taken): one that no thread
        // makes would wait for ever.  Restart: the orders are then asked
        // about (adoptOwnOrphans), never sent twice.
        _log("cannot start a thread for a claimed call; restarting");
        std::_Exit(3);
    }
}

int Dispatcher::inFlight(const std::string& biller)
{
    std::lock_guard<std::mutex> lock(_mutex);
    return _billerInFlight[biller];
}

int Dispatcher::run(const std::atomic<bool>& stop)
{
    Poco::Int64 stopDeadline = 0;
    for (;;)
    {
        try
        {
            _db.ensureConnected();
            round(stop);
        }
        catch (const std::exception& e)
        {
            // The ledger is unreachable or busy: nothing was claimed or settled
            // in the failed transaction; answers stay in memory for the next round.
            abandonRound(_commitFailed);
            _db.noteFailure();
            const auto* poco = dynamic_cast<const Poco::Exception*>(&e);
            _log(std::string("ledger: ") + redactSecrets(poco ? poco->displayText() : e.what()));
            std::this_thread::sleep_for(std::chrono::milliseconds(200));
        }
        if (stop)
        {
            std::lock_guard<std::mutex> lock(_mutex);
            bool idle = _threads == 0 && _orderResults.empty() && _inquiryAnswers.empty() && _callbackAnswers.empty();
            if (stopDeadline == 0) stopDeadline = Clock::now() + _config.leaseLength();
            if (idle) return 0;
            if (Clock::now() > stopDeadline) return _threads;
        }
        _bell.wait(_config.dispatcherPollMs, _wakePipe[0]);
        char buf[256];
        while (::read(_wakePipe[0], buf, sizeof buf) > 0)
        {
        }
    }
}

void Dispatcher::round(bool stopping)
{
    _commitFailed = false;
    bool grouped = _config.groupCommit && _db.isSQLite();
    if (grouped) _db.beginGroupAtFirstWrite();
    settleAnswers();
    if (!stopping)
    {
        housekeeping();
        claimWork();
        claimCallbacks();
    }
    _db.endLazyGroup();
    if (_db.inGroup())
    {
        // A savepoint that could not be undone, or a transaction SQLite ended
        // by itself: what is left must not be committed as if whole.
        if (_db.groupSpoiled() || !_db.inTransaction()) throw std::runtime_error("the round's transaction is spoiled");
        _commitFailed = true;
        _db.commitGroup();
        _commitFailed = false;
    }
    // Durable now: the claimed calls may go out, and nothing of this round is
    // to be undone any more.
    std::vector<Deferred> calls;
    calls.swap(_afterCommit);
    _roundOrders.clear();
    _roundInquiries.clear();
    _roundCallbacks.clear();
    for (Deferred& d : calls) spawn(std::move(d.call));
}

void Dispatcher::abandonRound(bool commitFailed)
{
    _db.endLazyGroup();
    if (_db.inGroup() || _db.inTransaction())
    {
        try
        {
            _db.rollbackGroup();
        }
        catch (const std::exception&)
        {
            // Checked below.
        }
    }
    if ((commitFailed && !_afterCommit.empty()) || _db.inTransaction())
    {
        _log("the ledger did not confirm a round that claimed orders; restarting, so that they are "
             "asked about first and never sent twice");
        std::_Exit(3);   // the supervisor starts us again; adoptOwnOrphans takes over
    }
    for (Deferred& d : _afterCommit) d.undo();
    _afterCommit.clear();
    std::lock_guard<std::mutex> lock(_mutex);
    _orderResults.insert(_orderResults.end(), _roundOrders.begin(), _roundOrders.end());
    _inquiryAnswers.insert(_inquiryAnswers.end(), _roundInquiries.begin(), _roundInquiries.end());
    _callbackAnswers.insert(_callbackAnswers.end(), _roundCallbacks.begin(), _roundCallbacks.end());
    _roundOrders.clear();
    _roundInquiries.clear();
    _roundCallbacks.clear();
}

void Dispatcher::startAfterCommit(std::function<void()> call, std::function<void()> undo)
{
    if (_db.inGroup()) _afterCommit.push_back({std::move(call), std::move(undo)});
    else spawn(std::move(call));
}

void Dispatcher::settleAnswers()
{
    std::vector<OrderResult> orders;
    std::vector<InquiryAnswer> inquiries;
    std::vector<CallbackAnswer> callbacks;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        orders.swap(_orderResults);
        inquiries.swap(_inquiryAnswers);
        callbacks.swap(_callbackAnswers);
    }
    if (_db.groupAtFirstWrite())
    {
        // Written in the round's transaction: kept until it is committed.
        _roundOrders = orders;
        _roundInquiries = inquiries;
        _roundCallbacks = callbacks;
    }
    Context ctx{_config, _db};
    if (!orders.empty())
    {
        Settlement settlement(ctx, [this](const Transaction& t) { return statusText(t); });
        std::vector<OrderResult> unwritten = settlement.applyAll(orders);
        if (!unwritten.empty())
        {
            // (Not kept for the round as well: they are queued again below.)
            _roundOrders.erase(std::remove_if(_roundOrders.begin(), _roundOrders.end(),
                                              [&](const OrderResult& r) {
                                                  return std::any_of(unwritten.begin(), unwritten.end(),
                                                                     [&](const OrderResult& u) {
                                                                         return u.order.id == r.order.id;
                                                                     });
                                              }),
                               _roundOrders.end());
            // The ledger refuses writes now (busy, full, read-only): keep the
            // answers and try again next round.  After a lease's time the order
            // is left to the status-call path instead (its lease runs out).
            Poco::Int64 now = Clock::now();
            std::lock_guard<std::mutex> lock(_mutex);
            int dropped = 0;
            for (OrderResult& r : unwritten)
            {
                if (r.firstFailedAt == 0) r.firstFailedAt = now;
                if (now - r.firstFailedAt < _config.leaseLength()) _orderResults.push_back(r);
                else ++dropped;
            }
            _log(std::to_string(unwritten.size()) + " settlement(s) could not be written; retrying" +
                 (dropped ? " (" + std::to_string(dropped) + " left to the status calls)" : ""));
        }
    }
    if (!inquiries.empty())
    {
        Inquiries table(_db);
        for (const auto& a : inquiries) table.answer(a.id, a.bill);
    }
    if (!callbacks.empty())
    {
        Callbacks table(_db);
        Poco::Int64 now = Clock::now();
        for (const auto& c : callbacks)
        {
            if (c.result.delivered)
            {
                table.delivered(c.id, now);
                continue;
            }
            // c.attempts counts this attempt: after the first, the schedule's
            // first wait (10 s by default, docs/protocol.md).
            const auto& schedule = _config.callbackRetrySchedule;
            int step = std::min<int>(std::max(c.attempts - 1, 0), int(schedule.size()) - 1);
            Poco::Int64 next = now + schedule[step];
            bool giveUp = next > c.createdAt + Poco::Int64(_config.callbackMaxAgeHours) * 3600;
            table.failed(c.id, c.result.error, next, giveUp, c.attempts - 1);
            _log("callback " + std::to_string(c.id) + " (" + c.host + ") not delivered: " + c.result.error +
                 (giveUp ? "; given up" : ""));
        }
    }
}

void Dispatcher::claimWork()
{
    Poco::Int64 now = Clock::now();
    Poco::Int64 leaseUntil = now + _config.leaseLength();
    for (const std::string& name : _billers.names())
    {
        std::shared_ptr<Biller> biller = _billers.find(name);
        if (!biller) continue;
        int room = _config.billerMaxInFlightFor(name) - inFlight(name);
        if (room <= 0) continue;

        std::vector<Transaction> orders, checks;
        std::vector<InquiryRequest> inquiries;
        std::map<Poco::Int64, BillQuery> payments;
        // Looked at first with reads: an idle round must not queue for the
        // write lock that every worker's hold needs (issue 12).
        if (!Transactions(_db).anyClaimable(name, now) && !Inquiries(_db).anyQueued(name, now)) continue;
        {
            WriteTransaction tx(_db);
            Transactions transactions(_db);
            orders = transactions.claimQueued(name, _owner, now, leaseUntil, room);
            room -= int(orders.size());
            inquiries = Inquiries(_db).claim(name, _owner, now, room);
            room -= int(inquiries.size());
            checks = transactions.claimDueChecks(name, _owner, now, leaseUntil, room);
            tx.commit();
        }
        Catalogue catalogue(_db);
        for (const Transaction& t : orders)
        {
            if (t.kind != "bill") continue;
            Product product;
            BillQuery q;
            if (catalogue.find(Families::baseCode(t.product), product))
                Families::read(product.family, t.product, t.dest, Clock::year(t.createdAt), q);
            payments[t.id] = q;
        }
        int started = int(orders.size() + inquiries.size() + checks.size());
        if (started == 0) continue;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            _billerInFlight[name] += started;
        }
        auto finish = [this, name](std::function<void()> record) {
            std::lock_guard<std::mutex> lock(_mutex);
            record();
            --_billerInFlight[name];
        };
        auto undo = [this, name] {
            std::lock_guard<std::mutex> lock(_mutex);
            --_billerInFlight[name];
        };
        for (const Transaction& t : orders)
        {
            bool bill = t.kind == "bill";
            BillQuery q = payments[t.id];
            startAfterCommit(
                [this, biller, t, bill, q, finish] {
                    BillerOutcome outcome = bill ? biller->pay(orderOf(t), q) : biller->purchase(orderOf(t));
                    finish([&] { _orderResults.push_back({t, outcome}); });
                },
                undo);
        }
        for (const Transaction& t : checks)
            startAfterCommit(
                [this, biller, t, finish] {
                    BillerOutcome outcome = biller->status(orderOf(t));
                    finish([&] { _orderResults.push_back({t, outcome, "status"}); });
                },
                undo);
        for (const InquiryRequest& r : inquiries)
            startAfterCommit(
                [this, biller, r, finish] {
                    Bill bill = biller->inquire(r.query);
                    finish([&] { _inquiryAnswers.push_back({r.id, bill}); });
                },
                undo);
    }
}

void Dispatcher::claimCallbacks()
{
    int room;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        room = _config.callbackMaxInFlight - _callbacksInFlight;
    }
    if (room <= 0) return;
    Poco::Int64 now = Clock::now();
    std::vector<Callback> due;
    if (!Callbacks(_db).anyDue(now)) return;
    {
        WriteTransaction tx(_db);
        // Leased for longer than one delivery can take, so nobody else sends it meanwhile.
        due = Callbacks(_db).claimDue(_owner, now, now + _config.callbackTimeoutMs / 1000 + 30, room);
        tx.commit();
    }
    for (const Callback& c : due)
    {
        std::string host = callbackHost(c.url);
        bool busyHost;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            // A slow or dead receiver holds at most two slots: the others keep
            // reporting to everyone else.
            busyHost = _hostInFlight[host] >= 2;
            if (!busyHost)
            {
                ++_hostInFlight[host];
                ++_callbacksInFlight;
            }
        }
        if (busyHost)
        {
            Poco::Int64 soon = now + 1;
            _db.session() << "UPDATE callbacks SET lease_owner = '', lease_until = 0, next_attempt_at = ? "
                             "WHERE id = ? AND status = 'PENDING'",
                Poco::Data::Keywords::bind(soon), Poco::Data::Keywords::bind(c.id), Poco::Data::Keywords::now;
            continue;
        }
        int timeoutMs = _config.callbackTimeoutMs;
        startAfterCommit(
            [this, c, host, timeoutMs] {
                CallbackDelivery result = deliverCallback(c.url, timeoutMs);
                std::lock_guard<std::mutex> lock(_mutex);
                _callbackAnswers.push_back({c.id, c.attempts + 1, c.createdAt, host, result});
                --_hostInFlight[host];
                --_callbacksInFlight;
            },
            [this, host] {
                std::lock_guard<std::mutex> lock(_mutex);
                --_hostInFlight[host];
                --_callbacksInFlight;
            });
    }
}

void Dispatcher::housekeeping()
{
    Poco::Int64 now = Clock::now();
    int lease = _config.leaseLength();
    if (now - _lastRenewal >= std::max(1, lease / 3))
    {
        Transactions(_db).renewLeases(_owner, now + lease);
        _lastRenewal = now;
    }
    if (now - _lastHousekeeping < 1) return;
    _lastHousekeeping = now;
    WriteTransaction tx(_db);
    int orphans = Transactions(_db).orphanSent("", now);
    Inquiries(_db).purge(now - 3600);
    tx.commit();
    if (orphans > 0)
        _log(std::to_string(orphans) + " order(s) of a dispatcher whose lease ran out are pending: "
             "their biller is asked before anything else happens to them");
    if (now - _lastTemplates >= 10)
    {
        _lastTemplates = now;
        try
        {
            Templates fresh;
            fresh.load(_db, true);
            _templates = fresh;
        }
        catch (const std::exception&)
        {
            // The last good set stays (as in the workers).
        }
        // Suppliers added, changed, opened or closed since.
        std::string problem = _billers.reload(_db);
        if (!problem.empty()) _log(problem);
    }
}

} // namespace Loket
