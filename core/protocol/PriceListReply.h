#pragma once
#include "Context.h"
#include "Outcome.h"
#include "PriceLevels.h"
#include <vector>

namespace Loket {

/// GET /V1/http-get/pricelist (issue 10): an authenticated partner reads its
/// own prices (docs/protocol.md, "Price list").  Reads only; never moves
/// money.  The list (PriceLevels::priceList, the use case) is rendered here
/// and handed back as the outcome's finished text.
Outcome priceListOutcome(Context& ctx, const Partner& partner);

/// The reply text: one status line "HARGA SUKSES, N PRODUK.", then one
/// product per line, "code;price;open" or "code;price;closed".
std::string renderPriceList(const std::vector<PriceLine>& lines);

} // namespace Loket
