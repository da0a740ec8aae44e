#pragma once
#include "Biller.h"
#include "Database.h"
#include <string>
#include <vector>

namespace Loket {

/// A bill inquiry on its way to a biller (the inquiries table).
struct InquiryRequest
{
    Poco::Int64 id = 0;
    std::string biller;
    BillQuery query;
    bool answered = false;
    Poco::Int64 deadline = 0;   ///< the waiting worker gives up then (seconds)
    Bill bill;                  ///< once answered
};

/// The queue of bill inquiries between workers and dispatchers.  A worker
/// queues one and waits; a dispatcher claims it (QUEUED → SENT, guarded),
/// asks the biller and writes the answer (ANSWERED).  Nothing here moves money.
class Inquiries
{
public:
    explicit Inquiries(Database& db) : _db(db) {}

    Poco::Int64 enqueue(const std::string& biller, const BillQuery& query, Poco::Int64 deadline, Poco::Int64 now);
    bool find(Poco::Int64 id, InquiryRequest& out);
    /// Claims up to `limit` queued inquiries of `biller` whose worker still waits.
    /// True when claim() would find an inquiry for `biller` now (a read: no write lock).
    bool anyQueued(const std::string& biller, Poco::Int64 now);
    std::vector<InquiryRequest> claim(const std::string& biller, const std::string& owner, Poco::Int64 now, int limit);
    void answer(Poco::Int64 id, const Bill& bill);
    /// Forgets inquiries created before `before` (answered or abandoned).
    void purge(Poco::Int64 before);

private:
    Database& _db;
};

} // namespace Loket
