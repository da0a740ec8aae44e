#pragma once
#include "Database.h"
#include "Transactions.h"
#include <string>
#include <vector>

namespace Loket {

/// One partner callback (report) in the outbox.
struct Callback
{
    Poco::Int64 id = 0;
    Poco::Int64 trxId = 0;
    std::string memberId;
    std::string url;            ///< the full URL to GET, query included
    std::string status;         ///< PENDING, DELIVERED, FAILED (given up)
    int attempts = 0;
    Poco::Int64 nextAttemptAt = 0;
    std::string lastError;
    Poco::Int64 createdAt = 0;
    Poco::Int64 deliveredAt = 0;
};

/// The callbacks table: an outbox written in the same database transaction as
/// the settlement it reports, so a settled order's callback can never be lost;
/// delivered at least once by a dispatcher (dispatch/CallbackSender).
class Callbacks
{
public:
    explicit Callbacks(Database& db) : _db(db) {}

    /// The URL reporting `t`'s final state to `reportUrl`:
    /// URL?refid=&status=20|40&t=&price=&sn=&message= ('&' where URL has a query).
    static std::string reportFor(const std::string& reportUrl, const Transaction& t, const std::string& message);

    /// Queues the report of settled transaction `t` (inside the settlement's write).
    void enqueue(const Transaction& t, const std::string& url, Poco::Int64 now);

    /// Leases up to `limit` callbacks due at `now` to `owner` until `leaseUntil`.
    /// True when claimDue() would find a callback now (a read: no write lock).
    bool anyDue(Poco::Int64 now);
    std::vector<Callback> claimDue(const std::string& owner, Poco::Int64 now, Poco::Int64 leaseUntil, int limit);
    void delivered(Poco::Int64 id, Poco::Int64 at);
    /// A failed attempt: tried again at `nextAt`, or given up (FAILED) when `giveUp`.
    /// `attemptsBefore` is the count the attempt was claimed with: an answer
    /// written again (after a round whose COMMIT reported an error but took
    /// effect) changes nothing the second time.
    void failed(Poco::Int64 id, const std::string& error, Poco::Int64 nextAt, bool giveUp, int attemptsBefore);
    /// Makes callback `id` due now again (loketctl callbacks retry); false if there is none.
    bool retry(Poco::Int64 id, Poco::Int64 now);
    std::vector<Callback> list(const std::string& memberId, bool failedOnly);

private:
    Database& _db;
};

} // namespace Loket
