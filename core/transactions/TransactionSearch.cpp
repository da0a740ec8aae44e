#include "TransactionSearch.h"

using namespace Poco::Data::Keywords;

namespace Loket {
namespace TransactionSearch {

std::vector<Transaction> find(Database& db, const std::string& term, int limit)
{
    std::vector<Transaction> out;
    if (term.empty()) return out;
    Poco::Int64 id = -1;
    if (term.size() <= 18 && term.find_first_not_of("0123456789") == std::string::npos) id = std::stoll(term);
    // "@part" of a dest: a bill's dest is stored as the partner sent it (e.g. 0812...@2026).
    std::string withPart;
    for (char c : term) withPart += (c == '%' || c == '_' || c == '\\') ? std::string("\\") + c : std::string(1, c);
    withPart += "@%";
    std::vector<Poco::Int64> ids;
    Poco::Int64 found = 0;
    Poco::Data::Statement st(db.session());
    st << "SELECT id FROM transactions WHERE id = ? OR ref_id = ? OR sn = ? OR dest = ? OR dest LIKE ? ESCAPE '\\' "
          "ORDER BY id DESC LIMIT " + std::to_string(limit),
        into(found), bind(id), bind(term), bind(term), bind(term), bind(withPart), range(0, 1);
    while (fetchNext(st)) ids.push_back(found);
    Transactions transactions(db);
    for (Poco::Int64 each : ids)
    {
        Transaction t;
        if (transactions.findById(each, t)) out.push_back(t);
    }
    return out;
}

} // namespace TransactionSearch
} // namespace Loket
