#pragma once
#include "Config.h"
#include "Database.h"
#include "OrderWaiter.h"
#include "Service.h"
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

namespace Loket {

/// One worker process's side of the interface, shared by its request threads
/// (pool.threads): a few Services, each on its own database connection
/// (pool.connections), lent to a thread for the parts of a request that use
/// the ledger.  A purchase or inquiry is queued, the dispatcher rung, and the
/// thread then waits up to reply.wait_ms *without* a connection (OrderWaiter),
/// so hundreds of slow orders can wait while other partners are served.
class ServicePool
{
public:
    explicit ServicePool(const Config& config);

    /// Answers one request; thread-safe.  `templatesVersion` comes from nginx
    /// (templates-version.conf): a new one reloads the reply texts.
    /// `remoteAddr` is the client's address (REMOTE_ADDR), for IP allowlists.
    Reply answer(const std::string& endpoint, const std::string& query, const std::string& templatesVersion,
                 Request& parsed, const std::string& remoteAddr = "");

    /// GET /loket/health (Service::health); thread-safe.
    Reply health();

    /// GET /loket/metrics (Metrics.h, issue 13); thread-safe.
    Reply metrics();

    /// A supplier's report (/V1/supplier-report/CODE/TOKEN); thread-safe.
    Reply supplierReport(const std::string& code, const SupplierReportRequest& request);

private:
    struct Slot
    {
        std::unique_ptr<Database> db;
        std::unique_ptr<Service> service;
        std::string openError;
        std::chrono::steady_clock::time_point lastOpen{};
    };
    /// Waits for a free slot; opens its ledger connection if it has none
    /// (at most once a second while the ledger cannot be opened).
    Slot* borrow();
    void giveBack(Slot* slot);
    /// Closes the slot's connection if it is stale (Database::stale).
    static void closeIfStale(Slot& slot);

    const Config& _config;
    std::mutex _mutex;
    std::condition_variable _freed;
    std::vector<std::unique_ptr<Slot>> _slots;
    std::vector<Slot*> _free;
    OrderWaiter _waiter;
    std::unique_ptr<CommitGroup> _group;   ///< SQLite with database.group_commit
};

} // namespace Loket
