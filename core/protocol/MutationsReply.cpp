#include "MutationsReply.h"
#include "Clock.h"

namespace Loket {
namespace {

/// A note as one field: no separator, no line break, printable ASCII only.
std::string field(const std::string& text)
{
    std::string out;
    for (char c : text) out += (c >= 0x20 && c < 0x7f && c != ';') ? c : ' ';
    return out;
}

} // namespace

std::string renderStatement(const Statement& s)
{
    std::string text = "MUTASI SUKSES, " + std::to_string(s.rows.size()) + " BARIS, " + Clock::format(s.from) +
                       " SAMPAI " + Clock::format(s.to);
    // More rows than one reply carries: the partner asks again from there
    // (rows of that same second come again; the id tells them apart).
    text += s.truncated ? ", BERLANJUT DARI " + Clock::format(s.nextAt) + ".\n" : ".\n";
    for (const auto& r : s.rows)
    {
        const Mutation& m = r.mutation;
        text += std::to_string(m.id) + ";" + Clock::format(m.createdAt) + ";" + m.kind + ";" +
                std::to_string(m.amount) + ";" + formatRupiah(m.balanceBefore) + ";" +
                formatRupiah(m.balanceAfter) + ";" + field(r.refId) + ";" + field(m.note) + "\n";
    }
    return text;
}

Outcome mutationsOutcome(Context& ctx, const Request& req, const Partner& partner)
{
    Poco::Int64 now = Clock::now();
    Poco::Int64 to = req.to > 0 ? req.to : Clock::endOfDay(now);
    Poco::Int64 from = req.from > 0 ? req.from : Clock::endOfDay(now) - 86399;
    if (from > to) return Outcome::badParam("from");
    Outcome o = Outcome::of(RC::Success);
    o.frozenText = renderStatement(Statements::of(ctx.db, partner.memberId, from, to));
    return o;
}

} // namespace Loket
