#include "Attempts.h"
#include "Query.h"
#include <algorithm>

using namespace Poco::Data::Keywords;

namespace Loket {

void Attempts::record(const Attempt& a)
{
    // At most 255 bytes, never cut inside a UTF-8 sequence: an attempt keeps
    // the start of the supplier's reply, and 255 also stays within psqlODBC's
    // default MaxVarcharSize should an operator's connect string set it back
    // (Poco refuses a longer text parameter; a Digiflazz postpaid reply made
    // the whole settlement fail, again and again: issue 10).
    std::size_t cut = std::min<std::size_t>(a.reply.size(), 255);
    if (cut < a.reply.size())
        while (cut > 0 && (static_cast<unsigned char>(a.reply[cut]) & 0xC0) == 0x80) --cut;
    std::string reply = a.reply.substr(0, cut);
    Query(_db, "INSERT INTO attempts (trx_id, kind, supplier, code, sent_at, answered_at, outcome, reply) "
               "VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(a.trxId).bind(a.kind).bind(a.supplier).bind(a.code).bind(a.sentAt).bind(a.answeredAt)
        .bind(a.outcome).bind(reply).run();
}

std::vector<Attempt> Attempts::of(Poco::Int64 trxId)
{
    std::vector<Attempt> out;
    Attempt a;
    Poco::Data::Statement st(_db.session());
    st << "SELECT trx_id, kind, supplier, code, sent_at, answered_at, outcome, reply FROM attempts "
          "WHERE trx_id = ? ORDER BY id",
        into(a.trxId), into(a.kind), into(a.supplier), into(a.code), into(a.sentAt), into(a.answeredAt),
        into(a.outcome), into(a.reply), bind(trxId), range(0, 1);
    while (fetchNext(st))
    {
        out.push_back(a);
    }
    return out;
}

std::set<std::string> Attempts::failedAt(Poco::Int64 trxId)
{
    std::set<std::string> out;
    for (const Attempt& a : of(trxId))
        if (a.outcome == "failed") out.insert(a.supplier);
    return out;
}

} // namespace Loket
