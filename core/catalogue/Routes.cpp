#include "Routes.h"
#include "Billers.h"
#include "Query.h"

using namespace Poco::Data::Keywords;

namespace Loket {

void Routes::set(const Route& r)
{
    WriteTransaction tx(_db);
    _db.session() << "DELETE FROM routes WHERE product = ? AND supplier = ?", bind(r.product), bind(r.supplier), now;
    _db.session() << "INSERT INTO routes (product, supplier, code, cost, priority) VALUES (?, ?, ?, ?, ?)",
        bind(r.product), bind(r.supplier), bind(r.code), bind(r.cost), bind(r.priority), now;
    tx.commit();
}

bool Routes::remove(const std::string& product, const std::string& supplier)
{
    std::string gone;
    Poco::Data::Statement st(_db.session());
    st << _db.returning("DELETE FROM routes WHERE product = ? AND supplier = ? RETURNING supplier"), bind(product),
        bind(supplier),
        into(gone);
    return fetchOne(st);
}

std::vector<Route> Routes::list(const std::string& product)
{
    std::vector<Route> out;
    std::string sql = "SELECT product, supplier, code, cost, priority FROM routes";
    if (!product.empty()) sql += " WHERE product = ?";
    sql += " ORDER BY product, priority, cost, supplier";
    Query q(_db, sql);
    if (!product.empty()) q.bind(product);
    while (q.next())
    {
        Route r;
        r.product = q.text(0), r.supplier = q.text(1), r.code = q.text(2), r.cost = q.int64(3);
        r.priority = q.integer(4);
        out.push_back(r);
    }
    return out;
}

std::vector<Route> Routes::usable(const Config& config, const std::string& product, const std::string& billerColumn,
                                  Rupiah price)
{
    std::vector<Route> routes = list(product);
    if (routes.empty() && !billerColumn.empty())
    {
        Route implicit;
        implicit.product = implicit.code = product;
        implicit.supplier = billerColumn;
        routes.push_back(implicit);
    }
    std::vector<Route> out;
    for (const Route& r : routes)
    {
        // A route that loses money on every sale is never taken (a price of 0
        // marks a bill, whose amount the biller sets: any cost goes).
        if (price > 0 && r.cost > price) continue;
        if (Billers::serves(config, _db, r.supplier)) out.push_back(r);
    }
    return out;
}

} // namespace Loket
