#pragma once
#include "Database.h"
#include "Money.h"
#include <string>
#include <vector>

namespace Loket {

/// One partner request that can move money: a topup, or a bill (inquiry, then payment).
/// Identified by (memberId, refId), which the database keeps unique.
struct Transaction
{
    Poco::Int64 id = 0;
    std::string memberId;
    std::string refId;
    std::string kind = "topup";      ///< "topup" or "bill"
    std::string product;             ///< as the partner sent it, "@part" included
    std::string dest;                ///< as the partner sent it, "@part" included
    int qty = 1;
    Rupiah price = 0;                ///< what is (or would be) debited
    std::string status;              ///< INQUIRED, PENDING, SUCCESS, FAILED
    std::string rc;                  ///< the response code this transaction answers with
    std::string sn;                  ///< biller's serial number / reference
    std::string note;                ///< reason of a failure ([keterangan])
    std::string billName;
    Rupiah billAmount = 0;
    Rupiah billAdmin = 0;
    std::string billPeriod;
    Poco::Int64 inquiryExpiresAt = 0;
    std::string mitraMessage;        ///< stored reply for status checks after a late settlement
    Poco::Int64 createdAt = 0;
    Poco::Int64 updatedAt = 0;
    /// When its order went to the biller, while the worker that sent it has not
    /// heard back (Transactions::markSent); 0 otherwise.
    Poco::Int64 sentAt = 0;

    bool isPending() const { return status == "PENDING"; }
    /// The order may still be on its way: the worker that sent it has not reported.
    bool awaitingBiller() const { return isPending() && sentAt > 0; }
    /// Same request as `other` for refID purposes: kind, product, dest and qty.
    bool sameRequest(const std::string& kind, const std::string& product, const std::string& dest, int qty) const
    {
        return this->kind == kind && this->product == product && this->dest == dest && this->qty == qty;
    }
};

/// Filter for listing transactions; empty fields match everything.
struct TransactionFilter
{
    std::string memberId;
    std::string status;
    Poco::Int64 since = 0;
    Poco::Int64 updatedBefore = 0;   ///< 0: no bound
    int limit = 0;                   ///< 0: no limit
};

/// The transactions table.
class Transactions
{
public:
    explicit Transactions(Database& db) : _db(db) {}

    bool findByRef(const std::string& memberId, const std::string& refId, Transaction& t);
    bool findById(Poco::Int64 id, Transaction& t);
    std::vector<Transaction> list(const TransactionFilter& filter);

    /// Inserts `t` and sets t.id.  A reused (memberId, refId) throws the
    /// backend's constraint violation.
    void insert(Transaction& t);

    /// Writes every mutable field of `t` back (status, rc, price, sn, note, bill, message).
    void update(const Transaction& t);

    /// Moves a PENDING transaction to `t`'s status; false when it was no longer
    /// PENDING (someone else settled it first).
    bool settle(const Transaction& t);

    /// Records, inside the hold's write transaction, that the order is about to
    /// go to the biller at `at` (updated_at = -at): until the sending worker
    /// reports back, nobody may take the biller's "never received" as final.
    void markSent(Poco::Int64 id, Poco::Int64 at);

    /// The sending worker heard back "still pending": the order has reached
    /// the biller as far as we can tell, and later answers about it count.
    void markAnswered(Poco::Int64 id, Poco::Int64 at);

private:
    Database& _db;
};

} // namespace Loket
