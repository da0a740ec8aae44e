#include "Catalogue.h"
#include "Query.h"

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {
const char* const Columns = "SELECT code, kind, family, price, admin, biller, is_open FROM products";
}

bool Catalogue::find(const std::string& code, Product& p)
{
    Query q(_db, std::string(Columns) + " WHERE code = ?");
    q.bind(code);
    if (!q.next()) return false;
    p.code = q.text(0), p.kind = q.text(1), p.family = q.text(2), p.price = q.int64(3), p.admin = q.int64(4);
    p.biller = q.text(5), p.open = q.int64(6) != 0;
    return true;
}

std::vector<Product> Catalogue::list()
{
    std::vector<Product> products;
    Product p;
    int open = 0;
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " ORDER BY code", into(p.code), into(p.kind), into(p.family), into(p.price),
        into(p.admin), into(p.biller), into(open), range(0, 1);
    while (fetchNext(st))
    {
        p.open = open != 0;
        products.push_back(p);
    }
    return products;
}

void Catalogue::set(const Product& p)
{
    WriteTransaction tx(_db);
    _db.session() << "DELETE FROM products WHERE code = ?", bind(p.code), now;
    _db.session() << "INSERT INTO products (code, kind, family, price, admin, biller, is_open) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?)",
        bind(p.code), bind(p.kind), bind(p.family), bind(p.price), bind(p.admin), bind(p.biller),
        bind(p.open ? 1 : 0), now;
    tx.commit();
}

} // namespace Loket
