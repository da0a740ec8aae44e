#pragma once
#include "Database.h"
#include <string>
#include <vector>

namespace Loket {

/// Checks the whole ledger and names every violation:
///  - each balance equals the sum of its journal, and the before/after chain is unbroken;
///  - no balance is negative;
///  - each transaction is debited at most once, by its price, and refunded at most
///    once, by its price, and only if it failed; a failed debited one is refunded;
///  - sum of balances + prices of SUCCESS and PENDING transactions
///    = deposits - withdrawals +/- adjustments.
class Audit
{
public:
    explicit Audit(Database& db) : _db(db) {}
    std::vector<std::string> run();

private:
    Database& _db;
};

} // namespace Loket
