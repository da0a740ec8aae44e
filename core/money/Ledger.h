#pragma once
#include "Database.h"
#include "Money.h"
#include <stdexcept>
#include <string>
#include <vector>

namespace Loket {

/// One row of the journal (mutasi).
struct Mutation
{
    Poco::Int64 id = 0;
    std::string memberId;
    Poco::Int64 trxId = 0;        ///< 0 when the change belongs to no transaction
    std::string kind;             ///< deposit, hold, refund, adjust, withdraw
    Rupiah amount = 0;            ///< signed: negative takes money from the partner
    Rupiah balanceBefore = 0;
    Rupiah balanceAfter = 0;
    std::string note;
    Poco::Int64 createdAt = 0;
    std::string by;               ///< who posted it by hand (loketctl --by); "" for a purchase
};

/// Thrown when an amount or the balance it makes is beyond MaxRupiah.
class AmountOutOfRange : public std::range_error
{
public:
    AmountOutOfRange() : std::range_error("amount out of range (at most " + std::to_string(MaxRupiah) + " rupiah)") {}
};

/// Thrown when a change would make a balance negative.
class InsufficientBalance : public std::runtime_error
{
public:
    InsufficientBalance() : std::runtime_error("insufficient balance") {}
};

/// Partner balances and their journal.  Every change of a balance goes through
/// post(), which writes the journal row in the same database transaction, so a
/// balance always equals the sum of its journal.  Call inside a WriteTransaction.
class Ledger
{
public:
    explicit Ledger(Database& db) : _db(db) {}

    Rupiah balance(const std::string& memberId);

    /// Locks the partner's row until the write transaction ends, so that all
    /// of one partner's writes (refID claim, debit, refund) run one at a time.
    /// SQLite's BEGIN IMMEDIATE already serialises every writer; PostgreSQL
    /// needs SELECT ... FOR UPDATE.  Take it first, before reading transactions.
    void lock(const std::string& memberId);
    /// lock(), returning the balance, which from now on only this transaction
    /// can change (one statement on either backend).
    Rupiah lockAndRead(const std::string& memberId);

    /// Changes the balance by `amount` and journals it.  `trxId` 0 means none;
    /// the journal's UNIQUE (trx_id, kind) refuses a second hold or refund.
    /// Throws InsufficientBalance if the balance would go below zero, and
    /// AmountOutOfRange (before any arithmetic) if |amount| or the new balance
    /// would exceed MaxRupiah.
    Mutation post(const std::string& memberId, Poco::Int64 trxId, const std::string& kind, Rupiah amount,
                  const std::string& note, const std::string& by = "");
    /// The same, from the balance lockAndRead() returned, which saves reading it
    /// again (a round trip on PostgreSQL).  Still safe if it is stale: the
    /// update only applies to that exact balance, and throws otherwise.
    Mutation post(const std::string& memberId, Poco::Int64 trxId, const std::string& kind, Rupiah amount,
                  const std::string& note, const std::string& by, Rupiah lockedBalance);

    /// The journal of one partner, oldest first; `from`/`to` bound created_at (0: open).
    std::vector<Mutation> journal(const std::string& memberId, Poco::Int64 from, Poco::Int64 to);

private:
    Database& _db;
};

} // namespace Loket
