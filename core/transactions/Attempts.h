#pragma once
#include "Database.h"
#include <set>
#include <string>
#include <vector>

namespace Loket {

/// One call about an order: its purchase (or payment), a status call, or a
/// supplier's report, and what it answered.
struct Attempt
{
    Poco::Int64 trxId = 0;
    std::string kind;        ///< order, status, report
    std::string supplier;
    std::string code;        ///< the supplier's product code used
    Poco::Int64 sentAt = 0;
    Poco::Int64 answeredAt = 0;
    std::string outcome;     ///< success, failed, pending
    std::string reply;       ///< what the supplier said, cleaned and bounded
};

/// The attempts table: every call of a transaction, for `loketctl trx show`
/// and for routing (a supplier that definitely failed an order is not tried
/// again for it).
class Attempts
{
public:
    explicit Attempts(Database& db) : _db(db) {}
    void record(const Attempt& attempt);
    std::vector<Attempt> of(Poco::Int64 trxId);
    /// Suppliers whose answer about `trxId` was a definite failure.
    std::set<std::string> failedAt(Poco::Int64 trxId);

private:
    Database& _db;
};

} // namespace Loket
