#pragma once
#include "Context.h"
#include "Outcome.h"
#include "Request.h"
#include "Statement.h"
#include <string>

namespace Loket {

/// GET /V1/http-get/mutasi: an authenticated partner reads its own journal
/// (docs/protocol.md, "Mutasi").  Reads only; never moves money.  The
/// statement (Statements::of, the use case) is rendered here, in the protocol
/// layer, and handed back as the outcome's finished text; a bad period is RC 30.
Outcome mutationsOutcome(Context& ctx, const Request& request, const Partner& partner);

/// The reply text of `statement`: one status line, then one journal row per
/// line, "id;time;kind;amount;balance_before;balance_after;refID;note".
std::string renderStatement(const Statement& statement);

} // namespace Loket
