#include "Statement.h"

using namespace Poco::Data::Keywords;

namespace Loket {
namespace Statements {

Statement of(Database& db, const std::string& memberId, Poco::Int64 from, Poco::Int64 to)
{
    Statement s;
    s.from = from;
    s.to = to;
    StatementRow r;
    Mutation& m = r.mutation;
    Poco::Data::Statement st(db.session());
    // One row more than is given tells whether there are more.
    st << "SELECT m.id, m.member_id, COALESCE(m.trx_id, 0), m.kind, m.amount, m.balance_before, m.balance_after, "
          "m.note, m.created_at, COALESCE(t.ref_id, '') FROM mutations m LEFT JOIN transactions t ON t.id = m.trx_id "
          "WHERE m.member_id = ? AND m.created_at >= ? AND m.created_at <= ? ORDER BY m.id LIMIT " +
              std::to_string(MaxRows + 1),
        into(m.id), into(m.memberId), into(m.trxId), into(m.kind), into(m.amount), into(m.balanceBefore),
        into(m.balanceAfter), into(m.note), into(m.createdAt), into(r.refId), bind(memberId), bind(from), bind(to),
        range(0, 1);
    while (fetchNext(st))
    {
        if (static_cast<int>(s.rows.size()) == MaxRows)
        {
            s.truncated = true;
            s.nextAt = m.createdAt;
            break;
        }
        s.rows.push_back(r);
    }
    return s;
}

} // namespace Statements
} // namespace Loket
