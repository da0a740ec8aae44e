#include "Ledger.h"
#include "Clock.h"
#include <limits>

using namespace Poco::Data::Keywords;

namespace Loket {

Rupiah Ledger::balance(const std::string& memberId)
{
    Rupiah b = 0;
    _db.session() << "SELECT balance FROM partners WHERE member_id = ?", into(b), bind(memberId), now;
    return b;
}

void Ledger::lock(const std::string& memberId)
{
    if (_db.isSQLite()) return;
    Rupiah b = 0;
    _db.session() << "SELECT balance FROM partners WHERE member_id = ? FOR UPDATE", into(b), bind(memberId), now;
}

Mutation Ledger::post(const std::string& memberId, Poco::Int64 trxId, const std::string& kind, Rupiah amount,
                      const std::string& note, const std::string& by)
{
    Mutation m;
    m.by = by;
    m.memberId = memberId;
    m.trxId = trxId;
    m.kind = kind;
    m.amount = amount;
    m.note = note;
    m.createdAt = Clock::now();
    m.balanceBefore = balance(memberId);
    if (amount > MaxRupiah || amount < -MaxRupiah || m.balanceBefore > MaxRupiah - amount)
        throw AmountOutOfRange();
    m.balanceAfter = m.balanceBefore + amount;
    if (m.balanceAfter < 0) throw InsufficientBalance();

    // The WHERE on the old balance makes a lost update impossible even on a
    // backend whose transactions do not serialise writers the way SQLite does.
    // RETURNING counts the row on every backend (an ODBC update count is not reliable).
    Rupiah written = 0;
    Poco::Data::Statement update(_db.session());
    update << "UPDATE partners SET balance = ? WHERE member_id = ? AND balance = ? RETURNING balance",
        bind(m.balanceAfter), bind(memberId), bind(m.balanceBefore), into(written);
    if (!fetchOne(update)) throw std::runtime_error("balance of " + memberId + " changed concurrently");

    Poco::Data::Statement insert(_db.session());
    if (trxId > 0)
        insert << "INSERT INTO mutations (member_id, trx_id, kind, amount, balance_before, balance_after, note, "
                  "created_at, done_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            bind(memberId), bind(trxId), bind(kind), bind(amount), bind(m.balanceBefore), bind(m.balanceAfter),
            bind(note), bind(m.createdAt), bind(by), into(m.id);
    else
        insert << "INSERT INTO mutations (member_id, kind, amount, balance_before, balance_after, note, "
                  "created_at, done_by) VALUES (?, ?, ?, ?, ?, ?, ?, ?) RETURNING id",
            bind(memberId), bind(kind), bind(amount), bind(m.balanceBefore), bind(m.balanceAfter), bind(note),
            bind(m.createdAt), bind(by), into(m.id);
    insert.execute();
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
