#pragma once
#include "Ledger.h"
#include <string>
#include <vector>

namespace Loket {

/// One row of a partner's statement: a journal row and the refID of its
/// transaction ("" for deposits, withdrawals and adjustments).
struct StatementRow
{
    Mutation mutation;
    std::string refId;
};

/// A partner's journal (mutasi) over a period, as the partner may read it.
struct Statement
{
    Poco::Int64 from = 0;           ///< first second included
    Poco::Int64 to = 0;             ///< last second included
    std::vector<StatementRow> rows; ///< oldest first
    bool truncated = false;         ///< more rows follow the last one (at most MaxRows are given)
    Poco::Int64 nextAt = 0;         ///< when truncated: created_at of the first row left out
};

namespace Statements {

/// The most rows one statement carries: a partner asks again from nextAt.
const int MaxRows = 1000;

/// The journal of `memberId` with created_at in [from, to], oldest first, at
/// most MaxRows rows.  Reads only.
Statement of(Database& db, const std::string& memberId, Poco::Int64 from, Poco::Int64 to);

} // namespace Statements
} // namespace Loket
