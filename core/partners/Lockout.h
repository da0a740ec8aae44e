#pragma once
#include "Database.h"
#include <Poco/Types.h>
#include <string>

namespace Loket {

/// Consecutive failed authentications per memberID (table auth_failures),
/// in the ledger so every worker and host shares them and they survive
/// restarts.  Unknown memberIDs are counted and locked exactly like known
/// ones, so a lock tells an attacker nothing about which memberIDs exist.
class Lockout
{
public:
    struct State
    {
        int failures = 0;
        Poco::Int64 lockedUntil = 0;   ///< epoch seconds; locked while now < lockedUntil
    };

    explicit Lockout(Database& db) : _db(db) {}

    State state(const std::string& memberId);

    /// Counts one failure at `at`.  The `maxFailures`-th consecutive one locks
    /// the memberID until at + lockSeconds and starts the count again; returns
    /// true when this failure locked it.  maxFailures 0: never locks.
    bool recordFailure(const std::string& memberId, Poco::Int64 at, int maxFailures, Poco::Int64 lockSeconds);

    /// Forgets the failures and any lock (a success, or `partner unlock`).
    /// True when there was something to forget.
    bool clear(const std::string& memberId);

    /// How long a count is kept after the last failure: a memberID that fails
    /// now and then, less than maxFailures times a day, never locks.
    static const Poco::Int64 ForgetAfterSeconds = 86400;

private:
    Database& _db;
};

} // namespace Loket
