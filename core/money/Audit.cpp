#include "Audit.h"
#include "Money.h"
#include "TransactionState.h"
#include <map>

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {

struct Debits
{
    int holds = 0;
    int refunds = 0;
    Rupiah held = 0;
    Rupiah refunded = 0;
};

} // namespace

std::vector<std::string> Audit::run()
{
    std::vector<std::string> v;
    ReadSnapshot snapshot(_db);   // one consistent view while workers keep writing
    auto& s = _db.session();

    // Balances against their journals, walking each chain in order.
    std::map<std::string, Rupiah> balances;
    {
        std::string member;
        Rupiah balance = 0;
        Poco::Data::Statement st(s);
        st << "SELECT member_id, balance FROM partners", into(member), into(balance), range(0, 1);
        while (fetchNext(st)) balances[member] = balance;
    }
    std::map<std::string, Rupiah> chainEnd;
    std::map<Poco::Int64, Debits> debits;
    Rupiah external = 0;   // deposits - withdrawals +/- adjustments
    {
        Poco::Int64 id = 0, trxId = 0;
        std::string member, kind;
        Rupiah amount = 0, before = 0, after = 0;
        Poco::Data::Statement st(s);
        st << "SELECT id, member_id, COALESCE(trx_id, 0), kind, amount, balance_before, balance_after "
              "FROM mutations ORDER BY member_id, id",
            into(id), into(member), into(trxId), into(kind), into(amount), into(before), into(after), range(0, 1);
        while (fetchNext(st))
        {
            Rupiah expected = chainEnd.count(member) ? chainEnd[member] : 0;
            if (before != expected)
                v.push_back("mutation " + std::to_string(id) + " of " + member + ": balance_before " +
                            formatRupiah(before) + " but the chain says " + formatRupiah(expected));
            if (after != before + amount)
                v.push_back("mutation " + std::to_string(id) + ": balance_after is not balance_before + amount");
            chainEnd[member] = after;
            if (kind == "hold") ++debits[trxId].holds, debits[trxId].held -= amount;
            else if (kind == "refund") ++debits[trxId].refunds, debits[trxId].refunded += amount;
            else external += amount;
            if (after < 0) v.push_back("mutation " + std::to_string(id) + ": negative balance");
        }
    }
    Rupiah sumBalances = 0;
    for (const auto& [member, balance] : balances)
    {
        sumBalances += balance;
        Rupiah journal = chainEnd.count(member) ? chainEnd[member] : 0;
        if (balance < 0) v.push_back("partner " + member + ": negative balance " + formatRupiah(balance));
        if (balance != journal)
            v.push_back("partner " + member + ": balance " + formatRupiah(balance) + " but journal sums to " +
                        formatRupiah(journal));
    }

    // Each transaction against its journal rows.
    Rupiah outstanding = 0;   // prices of transactions that hold money: SUCCESS and the open ones
    {
        Poco::Int64 id = 0;
        std::string member, ref, status;
        Rupiah price = 0;
        Poco::Data::Statement st(s);
        st << "SELECT id, member_id, ref_id, status, price FROM transactions ORDER BY id", into(id), into(member),
            into(ref), into(status), into(price), range(0, 1);
        while (fetchNext(st))
        {
            const Debits d = debits.count(id) ? debits[id] : Debits();
            debits.erase(id);
            std::string name = "transaction " + std::to_string(id) + " (" + member + "/" + ref + ", " + status + ")";
            TrxState state = TrxState::Failed;
            if (!parseState(status, state)) v.push_back(name + ": unknown status");
            bool debited = state == TrxState::Success || isInFlight(state);
            if (debited && price <= 0) v.push_back(name + ": holds a price that is not positive");
            if (debited) outstanding += price;
            if (d.holds > 1) v.push_back(name + ": debited " + std::to_string(d.holds) + " times");
            if (d.refunds > 1) v.push_back(name + ": refunded " + std::to_string(d.refunds) + " times");
            if (d.holds == 1 && d.held != price) v.push_back(name + ": debit differs from its price");
            if (d.refunds == 1 && d.refunded != price) v.push_back(name + ": refund differs from its price");
            if (debited && (d.holds != 1 || d.refunds != 0)) v.push_back(name + ": must hold its price once, unrefunded");
            if (state == TrxState::Failed && d.refunds != d.holds) v.push_back(name + ": failed but not refunded exactly once");
            if (state == TrxState::Inquired && (d.holds || d.refunds)) v.push_back(name + ": money moved before payment");
            if (d.refunds > 0 && state != TrxState::Failed) v.push_back(name + ": refunded but did not fail");
        }
    }
    for (const auto& [trxId, d] : debits)
        if (trxId != 0) v.push_back("journal rows for unknown transaction " + std::to_string(trxId));

    if (sumBalances + outstanding != external)
        v.push_back("money is not conserved: balances " + formatRupiah(sumBalances) + " + outstanding " +
                    formatRupiah(outstanding) + " != deposits-withdrawals+adjustments " + formatRupiah(external));
    return v;
}

} // namespace Loket
