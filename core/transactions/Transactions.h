#pragma once
#include "Database.h"
#include "Money.h"
#include "TransactionState.h"
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
    TrxState status = TrxState::Queued;
    std::string rc;                  ///< the response code this transaction answers with
    std::string sn;                  ///< biller's serial number / reference
    std::string note;                ///< reason of a failure ([keterangan])
    std::string billName;
    Rupiah billAmount = 0;
    Rupiah billAdmin = 0;
    std::string billPeriod;
    Poco::Int64 inquiryExpiresAt = 0;
    std::string mitraMessage;        ///< the STATUS reply frozen when a transaction answered 68 settles
    Poco::Int64 createdAt = 0;
    Poco::Int64 updatedAt = 0;
    Poco::Int64 sentAt = 0;          ///< when a dispatcher claimed the order to send it (0: never)
    std::string biller;              ///< the biller (supplier) that serves the order now, chosen by its route
    std::string supplierSku;         ///< that supplier's code for the product ("" = ours)
    Rupiah cost = 0;                 ///< what the order costs us there (route cost × qty, or what it said)
    int routeNo = 0;                 ///< routes tried before this one (fallbacks after definite failures)
    std::string leaseOwner;          ///< the dispatcher working on it now ("" when none)
    Poco::Int64 leaseUntil = 0;      ///< its lease ends then (seconds); another dispatcher may take over after
    Poco::Int64 nextCheckAt = 0;     ///< PENDING: when the biller is asked again
    int checks = 0;                  ///< status calls made so far
    bool answeredPending = false;    ///< the partner was answered SEDANG DIPROSES: settle with a callback

    bool isPending() const { return isInFlight(status); }
    bool isFinal() const { return Loket::isFinal(status); }
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
    std::string status;              ///< a state name (stateName)
    Poco::Int64 since = 0;
    Poco::Int64 updatedBefore = 0;   ///< 0: no bound
    int limit = 0;                   ///< 0: no limit
};

/// The final outcome written by a settlement.
struct Settled
{
    TrxState to = TrxState::Success;
    Rupiah cost = 0;
    std::string rc;
    std::string sn;
    std::string note;
    std::string mitraMessage;
    Poco::Int64 at = 0;
};

/// The transactions table.  Every change of a row's status is a guarded
/// UPDATE (`WHERE status = <from>`), so two processes can never both move the
/// same transaction: the loser's update matches no row and it backs off.
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

    /// Writes the request-side fields of `t` (status, rc, price, bill, biller)
    /// if the row is still in state `from`; false when it was not.
    bool update(const Transaction& t, TrxState from);

    /// Moves transaction `id` from `from` to `settled.to` with its outcome,
    /// ending any lease; false when it was no longer in `from`.
    bool settle(Poco::Int64 id, TrxState from, const Settled& settled);

    // -- the dispatcher's side --------------------------------------------

    /// Claims up to `limit` QUEUED orders of `biller` for dispatcher `owner`
    /// (QUEUED → SENT, lease until `leaseUntil`), oldest first, and returns them.
    /// True when claimQueued or claimDueChecks would find an order for `biller`
    /// now: a read, so that an idle dispatcher round takes no write lock.
    bool anyClaimable(const std::string& biller, Poco::Int64 now);

    std::vector<Transaction> claimQueued(const std::string& biller, const std::string& owner, Poco::Int64 now,
                                         Poco::Int64 leaseUntil, int limit);

    /// Leases up to `limit` PENDING orders of `biller` whose next check is due
    /// and that nobody else holds, for a status call.
    std::vector<Transaction> claimDueChecks(const std::string& biller, const std::string& owner, Poco::Int64 now,
                                            Poco::Int64 leaseUntil, int limit);

    /// After a definite failure at its supplier, sends the order down its next
    /// route instead of refunding it: SENT or PENDING → QUEUED on `supplier`.
    bool requeue(Poco::Int64 id, TrxState from, const std::string& supplier, const std::string& sku, Rupiah cost,
                 Poco::Int64 at);

    /// SENT orders whose dispatcher is gone (its lease ran out, or it is
    /// `deadOwner`, a previous life of the caller) may have reached the biller:
    /// they become PENDING, due for a status call now, never sent again.
    /// Returns how many.
    int orphanSent(const std::string& deadOwner, Poco::Int64 now);

    /// Extends every lease `owner` holds.
    void renewLeases(const std::string& owner, Poco::Int64 leaseUntil);

    /// SENT → PENDING (the first answer was unknown), or a PENDING order whose
    /// status call was still unknown: asked again at `nextCheckAt`.
    bool keepPending(Poco::Int64 id, TrxState from, Poco::Int64 nextCheckAt, Poco::Int64 at);

    /// next_check_at of an order a reconcile run made due (issue 13): due at
    /// once and first in line (1970-01-01), and claimed by that run alone until
    /// a dispatcher has asked the biller (which sets a real next_check_at).
    static constexpr Poco::Int64 CheckAskedByReconcile = 1;

    /// Makes every PENDING order older than `olderThan` (updated_at) due for a
    /// status call now, except those another reconcile run already made due
    /// and no dispatcher has asked about yet; returns the ids this call claimed
    /// (loketctl reconcile: a run reports only these).
    std::vector<Poco::Int64> makeChecksDue(Poco::Int64 updatedBefore);

    /// Records that the partner was answered SEDANG DIPROSES, if the order is
    /// still open; false when it became final first (answer that instead).
    bool markAnsweredPending(Poco::Int64 id);

private:
    std::vector<Poco::Int64> queuedIds(const std::string& biller, int limit);

    Database& _db;
};

} // namespace Loket
