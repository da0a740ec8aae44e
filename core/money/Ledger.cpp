#include "Ledger.h"
#include "Clock.h"
#include "Query.h"
#include <limits>

using namespace Poco::Data::Keywords;

namespace Loket {

Rupiah Ledger::balance(const std::string& memberId)
{
    Query q(_db, "SELECT balance FROM partners WHERE member_id = ?");
    q.bind(memberId);
    return q.next() ? q.int64(0) : 0;
}

void Ledger::lock(const std::string& memberId)
{
    if (!_db.isSQLite()) lockAndRead(memberId);
}

Rupiah Ledger::lockAndRead(const std::string& memberId)
{
    if (_db.isSQLite()) return balance(memberId);
    Query q(_db, "SELECT balance FROM partners WHERE member_id = ? FOR UPDATE");
    q.bind(memberId);
    return q.next() ? q.int64(0) : 0;
}

Mutation Ledger::post(const std::string& memberId, Poco::Int64 trxId, const std::string& kind, Rupiah amount,
                      const std::string& note, const std::string& by)
{
    return post(memberId, trxId, kind, amount, note, by, balance(memberId));
}

Mutation Ledger::post(const std::string& memberId, Poco::Int64 trxId, const std::string& kind, Rupiah amount,
                      const std::string& note, const std::string& by, Rupiah lockedBalance)
{
    Mutation m;
    m.by = by;
    m.memberId = memberId;
    m.trxId = trxId;
    m.kind = kind;
    m.amount = amount;
    m.note = note;
    m.createdAt = Clock::now();
    m.balanceBefore = lockedBalance;
    if (amount > MaxRupiah || amount < -MaxRupiah || m.balanceBefore > MaxRupiah - amount)
        throw AmountOutOfRange();
    m.balanceAfter = m.balanceBefore + amount;
    if (m.balanceAfter < 0) throw InsufficientBalance();

    // The WHERE on the old balance makes a lost update impossible even on a
    // backend whose transactions do not serialise writers the way SQLite does.
    // RETURNING counts the row on every backend (an ODBC update count is not reliable).
    Query update(_db, "UPDATE partners SET balance = ? WHERE member_id = ? AND balance = ? RETURNING balance");
    update.bind(m.balanceAfter).bind(memberId).bind(m.balanceBefore);
    if (!update.next()) throw std::runtime_error("balance of " + memberId + " changed concurrently");
    update.run();

    Query insert(_db, trxId > 0 ? "INSERT INTO mutations (member_id, trx_id, kind, amount, balance_before, "
                                  "balance_after, note, created_at, done_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) "
                                  "RETURNING id"
                                : "INSERT INTO mutations (member_id, kind, amount, balance_before, balance_after, "
                                  "note, created_at, done_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id");
    insert.bind(memberId);
    if (trxId > 0) insert.bind(trxId);
    insert.bind(kind).bind(amount).bind(m.balanceBefore).bind(m.balanceAfter).bind(note).bind(m.createdAt).bind(by);
    if (!insert.next()) throw std::runtime_error("INSERT INTO mutations returned no id");
    m.id = insert.int64(0);
    insert.run();
    return m;
}

std::vector<Mutation> Ledger::journal(const std::string& memberId, Poco::Int64 from, Poco::Int64 to)
{
    std::vector<Mutation> out;
    Mutation m;
    Poco::Int64 toBound = to > 0 ? to : std::numeric_limits<Poco::Int64>::max();
    Poco::Data::Statement st(_db.session());
    st << "SELECT id, member_id, COALESCE(trx_id, 0), kind, amount, balance_before, balance_after, note, "
          "created_at, done_by FROM mutations WHERE member_id = ? AND created_at >= ? AND created_at <= ? ORDER BY id",
        into(m.id), into(m.memberId), into(m.trxId), into(m.kind), into(m.amount), into(m.balanceBefore),
        into(m.balanceAfter), into(m.note), into(m.createdAt), into(m.by), bind(memberId), bind(from), bind(toBound),
        range(0, 1);
    while (fetchNext(st))
    {
        out.push_back(m);
    }
    return out;
}

} // namespace Loket
