#pragma once
#include "Transactions.h"
#include <string>
#include <vector>

namespace Loket {

/// What an operator looks transactions up by.  Kept apart from Transactions
/// (a few SELECTs of ids, then Transactions::findById) so that it depends only
/// on the id, dest, sn and ref_id columns.
namespace TransactionSearch {

/// The transactions whose dest (with or without its "@part"), SN, refID or our
/// transaction id equals `term`, newest first, at most `limit`.
std::vector<Transaction> find(Database& db, const std::string& term, int limit);

} // namespace TransactionSearch
} // namespace Loket
