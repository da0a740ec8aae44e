#pragma once
#include "Bell.h"
#include "CallThreads.h"
#include "CallbackSender.h"
#include "Billers.h"
#include "Config.h"
#include "Database.h"
#include "Inquiries.h"
#include "Settlement.h"
#include "Templates.h"
#include <atomic>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace Loket {

/// The only part of Loket that talks to billers (loket-dispatch).  One loop:
///  1. settle what billers answered (one write transaction for all that are ready);
///  2. claim QUEUED orders per biller up to its in-flight limit (QUEUED → SENT,
///     leased to this dispatcher) and send each on its own thread;
///  3. claim queued bill inquiries whose worker still waits, and ask;
///  4. claim PENDING orders due for a status call (dispatcher.recheck_schedule);
///  5. deliver partner callbacks from the outbox (callback.retry_schedule);
///  6. renew its leases; turn SENT orders of a dispatcher that died (lease run
///     out) into PENDING orders due for a status call — never sent again;
/// then sleep until a worker rings (Bell), a biller answers, or
/// dispatcher.poll_ms passes.  Several dispatchers may share one database:
/// every claim is a guarded UPDATE, so each order has one owner at a time.
class Dispatcher
{
public:
    /// Opens the ledger, takes this dispatcher's lock file (one process per
    /// dispatcher.id on a host) and binds the wake-up socket.  Throws if any
    /// of that fails (another dispatcher with this id is running, say).
    explicit Dispatcher(const Config& config, std::function<void(const std::string&)> log);
    ~Dispatcher();

    /// Runs until `stop` becomes true; then stops claiming, waits for the calls
    /// in flight (up to the order lease) and settles them.  Returns how many
    /// calls were still running when it stopped waiting: their threads use
    /// this object, so the caller must then end the process without
    /// destroying it (their orders stay SENT and are asked about by the next
    /// dispatcher run, as after a crash).
    int run(const std::atomic<bool>& stop);

private:
    struct InquiryAnswer
    {
        Poco::Int64 id;
        Bill bill;
    };
    struct CallbackAnswer
    {
        Poco::Int64 id;
        int attempts;
        Poco::Int64 createdAt;
        std::string host;
        CallbackDelivery result;
    };

    void adoptOwnOrphans();
    /// One round of the loop: settle what billers answered, then (unless
    /// stopping) housekeeping and new claims.  SQLite with
    /// database.group_commit: the round's writes are ONE transaction and one
    /// sync, begun at its first write, and the calls it claimed start only
    /// once it is committed.
    void round(bool stopping);
    /// The round's transaction is lost: its claimed calls never start, its
    /// answers wait for the next round.  Exits the process when the claims
    /// may have been committed after all (a failed COMMIT): the restart then
    /// asks the billers about them first (adoptOwnOrphans), never sends them.
    void abandonRound(bool commitFailed);
    /// Starts `call` once the claims made for it are durable (at once when they
    /// already are); `undo` frees its in-flight place if they never become so.
    void startAfterCommit(std::function<void()> call, std::function<void()> undo);
    void settleAnswers();
    void claimWork();
    void claimCallbacks();
    void housekeeping();
    /// Runs `call` on a call thread (CallThreads); its end wakes the loop.
    /// Exits the process (status 3) if no thread can be had.
    void spawn(std::function<void()> call);
    void wakeLoop();
    int inFlight(const std::string& biller);
    std::string statusText(const Transaction& t) const;

    const Config& _config;
    std::function<void(const std::string&)> _log;
    std::string _owner;
    int _lockFd = -1;
    int _wakePipe[2] = {-1, -1};
    Database _db;
    Templates _templates;
    Billers _billers;
    Bell _bell;

    std::mutex _mutex;   ///< guards everything below
    std::vector<OrderResult> _orderResults;
    std::vector<InquiryAnswer> _inquiryAnswers;
    std::vector<CallbackAnswer> _callbackAnswers;
    std::map<std::string, int> _billerInFlight;
    std::map<std::string, int> _hostInFlight;
    int _callbacksInFlight = 0;
    int _threads = 0;

    // The loop thread's own: what the current round started or took.
    struct Deferred
    {
        std::function<void()> call, undo;
    };
    std::vector<Deferred> _afterCommit;
    std::vector<OrderResult> _roundOrders;
    std::vector<InquiryAnswer> _roundInquiries;
    std::vector<CallbackAnswer> _roundCallbacks;
    bool _commitFailed = false;   ///< the round's COMMIT was sent and failed

    Poco::Int64 _lastHousekeeping = 0;
    Poco::Int64 _lastRenewal = 0;
    Poco::Int64 _lastTemplates = 0;

    /// Last, so that it is closed first: its idle threads end; a call still
    /// running at exit finishes on its own (as before, detached).
    CallThreads _callThreads;
};

} // namespace Loket
