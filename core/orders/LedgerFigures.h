#pragma once
#include "Database.h"
#include <Poco/Types.h>
#include <map>
#include <string>
#include <vector>

namespace Loket {

/// What one biller (a configured supplier, or a built-in biller such as sim)
/// has in hand and what we last heard from it.
struct BillerFigures
{
    std::string code;
    Poco::Int64 queued = 0;    ///< orders waiting for a dispatcher to send them to it
    Poco::Int64 sent = 0;      ///< orders a dispatcher has sent (or is sending) to it
    Poco::Int64 pending = 0;   ///< orders it has not settled yet (outcome unknown)
    bool configured = false;   ///< a row in `suppliers` (loketctl supplier add); false for built-ins
    bool open = true;          ///< suppliers.is_open (built-ins: always)
    bool balanceKnown = false; ///< the supplier has reported a balance at least once
    Poco::Int64 balance = 0;   ///< its last reported balance, rupiah
    Poco::Int64 balanceAt = 0; ///< when it reported it (epoch seconds)
};

/// The ledger's counts an operator graphs and alerts on (GET /loket/metrics,
/// issue 13), read in one snapshot.  Reads only.
struct LedgerFigures
{
    std::map<std::string, Poco::Int64> transactions;        ///< rows by status ("QUEUED", ...), every status present
    std::map<std::string, Poco::Int64> transactionsToday;   ///< rows by status last changed today (clock.timezone)
    Poco::Int64 oldestQueuedAge = 0;    ///< seconds the oldest QUEUED order has waited (0: none)
    Poco::Int64 oldestPendingAge = 0;   ///< seconds since the oldest PENDING order was made (0: none)
    Poco::Int64 callbacksOutstanding = 0;   ///< PENDING: not delivered yet
    Poco::Int64 callbacksFailing = 0;       ///< given up (FAILED) or refused at least once and still tried
    Poco::Int64 callbacksFailed = 0;        ///< given up (FAILED)
    Poco::Int64 callbacksDelivered = 0;
    Poco::Int64 partnersActive = 0;
    Poco::Int64 partnersInactive = 0;
    std::vector<BillerFigures> billers;   ///< by code: every configured supplier and every biller with orders in flight
};

/// Reads the figures at `now` (epoch seconds).  Throws what the database throws.
LedgerFigures readLedgerFigures(Database& db, Poco::Int64 now);

} // namespace Loket
