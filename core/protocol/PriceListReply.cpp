#include "PriceListReply.h"

namespace Loket {

std::string renderPriceList(const std::vector<PriceLine>& lines)
{
    std::string text = "HARGA SUKSES, " + std::to_string(lines.size()) + " PRODUK.\n";
    // Product codes pass the catalogue's rules (letters and digits): no separator to escape.
    for (const auto& l : lines)
        text += l.product + ";" + formatRupiah(l.price) + ";" + (l.open ? "open" : "closed") + "\n";
    return text;
}

Outcome priceListOutcome(Context& ctx, const Partner& partner)
{
    Outcome o = Outcome::of(RC::Success);
    o.frozenText = renderPriceList(PriceLevels(ctx.db).priceList(ctx.config, partner.memberId));
    return o;
}

} // namespace Loket
