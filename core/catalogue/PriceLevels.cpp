#include "PriceLevels.h"
#include "Query.h"
#include "Routes.h"

using namespace Poco::Data::Keywords;

namespace Loket {

Rupiah PriceLevels::markup(const std::string& memberId, const std::string& product)
{
    Query q(_db, "SELECT l.markup FROM partners p JOIN price_levels l ON l.level = p.level AND l.product = ? "
                 "WHERE p.member_id = ? AND p.level <> ''");
    q.bind(product).bind(memberId);
    return q.next() ? q.int64(0) : 0;
}

bool PriceLevels::priceFor(const std::string& memberId, const Product& product, Rupiah& price)
{
    // Range-checked sum: a markup or price beyond MaxRupiah is refused, never wrapped.
    return addRupiah(product.isBill() ? product.admin : product.price, markup(memberId, product.code), price);
}

void PriceLevels::set(const LevelMarkup& m)
{
    WriteTransaction tx(_db);
    _db.session() << "DELETE FROM price_levels WHERE level = ? AND product = ?", bind(m.level), bind(m.product), now;
    _db.session() << "INSERT INTO price_levels (level, product, markup) VALUES (?, ?, ?)", bind(m.level),
        bind(m.product), bind(m.markup), now;
    tx.commit();
}

bool PriceLevels::remove(const std::string& level, const std::string& product)
{
    std::string gone;
    Poco::Data::Statement st(_db.session());
    st << _db.returning("DELETE FROM price_levels WHERE level = ? AND product = ? RETURNING level"), bind(level),
        bind(product),
        into(gone);
    return fetchOne(st);
}

std::vector<LevelMarkup> PriceLevels::list(const std::string& level)
{
    std::vector<LevelMarkup> out;
    LevelMarkup m;
    std::string sql = "SELECT level, product, markup FROM price_levels";
    if (!level.empty()) sql += " WHERE level = ?";
    sql += " ORDER BY level, product";
    Poco::Data::Statement st(_db.session());
    st << sql, into(m.level), into(m.product), into(m.markup);
    if (!level.empty()) st, bind(level);
    st, range(0, 1);
    while (fetchNext(st)) out.push_back(m);
    return out;
}

std::string PriceLevels::levelOf(const std::string& memberId)
{
    Query q(_db, "SELECT level FROM partners WHERE member_id = ?");
    q.bind(memberId);
    return q.next() ? q.text(0) : std::string();
}

void PriceLevels::setLevel(const std::string& memberId, const std::string& level)
{
    _db.session() << "UPDATE partners SET level = ? WHERE member_id = ?", bind(level), bind(memberId), now;
}

std::vector<PriceLine> PriceLevels::priceList(const Config& config, const std::string& memberId)
{
    std::vector<PriceLine> out;
    Routes routes(_db);
    for (const Product& p : Catalogue(_db).list())
    {
        PriceLine line;
        line.product = p.code;
        line.kind = p.kind;
        // A price that cannot be computed cannot be bought (Purchase answers 47): closed.
        bool priced = priceFor(memberId, p, line.price);
        line.open = priced && p.open && !routes.usable(config, p.code, p.biller, p.price).empty();
        if (!priced) line.price = 0;
        out.push_back(line);
    }
    return out;
}

std::string PriceLevels::levelProblem(const std::string& level)
{
    if (level.empty() || level.size() > 32) return "a level is 1..32 characters";
    for (char c : level)
        if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-'))
            return "a level is made of A-Z a-z 0-9 _ -";
    return "";
}

} // namespace Loket
