#pragma once
#include "Biller.h"
#include "Context.h"
#include "Outcome.h"
#include "Request.h"

namespace Loket {

/// The part inquiry and payment share: find the bill product and read product
/// and dest by its family's rules.  Returns false with `refusal` set (RC 20 or
/// RC 30 naming the part) when the request cannot go on.
bool readBillRequest(Context& ctx, const Request& req, Product& product, BillQuery& query, Outcome& refusal);

/// The answer to an inquiry or payment on a refID whose payment was already
/// attempted: the stored state, never a second bill.  A paid bill answers an
/// inquiry with RC 88 (TAGIHAN SUDAH TERBAYAR).
Outcome storedBillOutcome(const Transaction& t, Action action);

} // namespace Loket
