#include "Tool.h"
#include "Clock.h"
#include "Ledger.h"
#include "Partners.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {
namespace {

/// Posts one journal row outside any purchase: deposit, withdraw or adjust.
int post(Tool& tool, const std::string& memberId, const std::string& kind, Loket::Rupiah amount,
         const std::string& note)
{
    Loket::Partner p;
    if (!Loket::Partners(tool.db()).find(memberId, p)) throw std::runtime_error("no partner " + memberId);
    Loket::WriteTransaction tx(tool.db());
    Loket::Mutation m = Loket::Ledger(tool.db()).post(memberId, 0, kind, amount, note);
    tx.commit();
    std::cout << kind << " " << amount << " for " << memberId << ": balance " << m.balanceBefore << " -> "
              << m.balanceAfter << "\n";
    return 0;
}

Loket::Rupiah positiveAmount(const Args& args)
{
    Loket::Rupiah amount = toNumber(args.positional(2)[1], "AMOUNT");
    if (amount <= 0) throw UsageError("AMOUNT must be positive");
    return amount;
}

Poco::Int64 dateOption(const Args& args, const std::string& name, bool endOfDay)
{
    if (!args.has(name)) return 0;
    Poco::Int64 t = 0;
    if (!Loket::Clock::parse(args.value(name), t)) throw UsageError(name + " takes yyyy-mm-dd [hh:mm:ss]");
    return endOfDay && args.value(name).size() == 10 ? Loket::Clock::endOfDay(t) : t;
}

} // namespace

void addMoneyCommands(std::vector<Command>& commands)
{
    commands.push_back({"deposit", "deposit MEMBERID AMOUNT [--note TEXT]",
                        "Adds AMOUNT rupiah to the partner's balance (journal kind: deposit).", {"--note"}, {},
                        [](Tool& tool, const Args& args) {
                            return post(tool, args.positional(2)[0], "deposit", positiveAmount(args),
                                        args.value("--note", "deposit"));
                        }});
    commands.push_back({"withdraw", "withdraw MEMBERID AMOUNT [--note TEXT]",
                        "Takes AMOUNT rupiah out of the partner's balance (journal kind: withdraw).", {"--note"}, {},
                        [](Tool& tool, const Args& args) {
                            return post(tool, args.positional(2)[0], "withdraw", -positiveAmount(args),
                                        args.value("--note", "withdraw"));
                        }});
    commands.push_back({"adjust", "adjust MEMBERID AMOUNT --note TEXT",
                        "A manual correction of +/- AMOUNT rupiah; the note says why (journal kind: adjust).",
                        {"--note"}, {}, [](Tool& tool, const Args& args) {
                            Loket::Rupiah amount = toNumber(args.positional(2)[1], "AMOUNT");
                            if (amount == 0) throw UsageError("AMOUNT cannot be 0");
                            if (!args.has("--note")) throw UsageError("--note is required");
                            return post(tool, args.positional(2)[0], "adjust", amount, args.value("--note"));
                        }});
    commands.push_back({"balance", "balance MEMBERID", "Prints the partner's balance in rupiah.", {}, {},
                        [](Tool& tool, const Args& args) {
                            Loket::Partner p;
                            std::string id = args.positional(1)[0];
                            if (!Loket::Partners(tool.db()).find(id, p)) throw std::runtime_error("no partner " + id);
                            std::cout << p.balance << "\n";
                            return 0;
                        }});
    commands.push_back({"mutations", "mutations MEMBERID [--from DATE] [--to DATE] [--csv]",
                        "The partner's journal (mutasi), oldest first. DATE is yyyy-mm-dd [hh:mm:ss], local time.",
                        {"--from", "--to"}, {"--csv"}, [](Tool& tool, const Args& args) {
                            std::string id = args.positional(1)[0];
                            Table table({"id", "time", "kind", "amount", "before", "after", "trx", "note"});
                            for (const auto& m : Loket::Ledger(tool.db()).journal(id, dateOption(args, "--from", false),
                                                                                 dateOption(args, "--to", true)))
                                table.add({std::to_string(m.id), Loket::Clock::format(m.createdAt), m.kind,
                                           std::to_string(m.amount), std::to_string(m.balanceBefore),
                                           std::to_string(m.balanceAfter), m.trxId ? std::to_string(m.trxId) : "",
                                           m.note});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
