#include "Tool.h"
#include "Clock.h"
#include "Ledger.h"
#include "Partners.h"
#include "Table.h"
#include <iostream>
#include <pwd.h>
#include <unistd.h>

namespace Loketctl {

std::string invokingUser()
{
    for (const char* name : {"SUDO_USER", "LOGNAME", "USER"})
    {
        const char* v = std::getenv(name);
        if (v && *v) return v;
    }
    struct passwd* pw = ::getpwuid(::geteuid());
    return pw ? pw->pw_name : std::to_string(::geteuid());
}

namespace {

std::string byOption(const Args& args)
{
    std::string by = args.value("--by", invokingUser());
    if (by.empty() || by.size() > 64) throw UsageError("--by takes a name of 1 to 64 characters");
    return by;
}

/// Posts one journal row outside any purchase: deposit, withdraw or adjust.
int post(Tool& tool, const std::string& memberId, const std::string& kind, Loket::Rupiah amount,
         const std::string& note, const std::string& by)
{
    requirePartner(tool, memberId);
    Loket::WriteTransaction tx(tool.db());
    Loket::Mutation m;
    try
    {
        m = Loket::Ledger(tool.db()).post(memberId, 0, kind, amount, note, by);
    }
    catch (const Loket::InsufficientBalance&)
    {
        throw std::runtime_error("refused: the balance of " + memberId + " is " +
                                 std::to_string(Loket::Ledger(tool.db()).balance(memberId)) + ", less than " +
                                 std::to_string(-amount));
    }
    catch (const Loket::AmountOutOfRange&)
    {
        throw std::runtime_error("refused: the balance of " + memberId + " would exceed " +
                                 std::to_string(Loket::MaxRupiah) + " rupiah");
    }
    tx.commit();
    std::cout << kind << " " << amount << " for " << memberId << " by " << by << ": balance " << m.balanceBefore
              << " -> " << m.balanceAfter << "\n";
    return 0;
}

Loket::Rupiah positiveAmount(const Args& args)
{
    Loket::Rupiah amount = toAmount(args.positional(2)[1], "AMOUNT", false);
    if (amount == 0) throw UsageError("AMOUNT must be positive");
    return amount;
}

Poco::Int64 dateOption(const Args& args, const std::string& name, bool endOfDay)
{
    if (!args.has(name)) return 0;
    Poco::Int64 t = 0;
    if (!Loket::Clock::parse(args.value(name), t))
        throw UsageError(name + " takes a date yyyy-mm-dd [hh:mm:ss], got '" + args.value(name) + "'");
    return endOfDay && args.value(name).size() == 10 ? Loket::Clock::endOfDay(t) : t;
}

} // namespace

void addMoneyCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"deposit", "deposit MEMBERID AMOUNT [--note TEXT] [--by NAME] [--force]",
         "Adds AMOUNT rupiah to the partner's balance (journal kind: deposit). More than money.max_deposit\n"
         "(default 1000000000) in one deposit is refused as a likely typo unless --force is given.\n"
         "--by names who did it (default: the invoking user); `mutations` shows it.",
         {"--note", "--by"}, {"--force"}, [](Tool& tool, const Args& args) {
             Loket::Rupiah amount = positiveAmount(args);
             if (amount > tool.config().maxDeposit && !args.flag("--force"))
                 throw UsageError("AMOUNT " + std::to_string(amount) + " is above money.max_deposit (" +
                                  std::to_string(tool.config().maxDeposit) +
                                  "); check the zeros, or add --force if it is meant");
             return post(tool, args.positional(2)[0], "deposit", amount, args.value("--note", "deposit"),
                         byOption(args));
         }});
    commands.push_back({"withdraw", "withdraw MEMBERID AMOUNT [--note TEXT] [--by NAME]",
                        "Takes AMOUNT rupiah out of the partner's balance (journal kind: withdraw).",
                        {"--note", "--by"}, {}, [](Tool& tool, const Args& args) {
                            return post(tool, args.positional(2)[0], "withdraw", -positiveAmount(args),
                                        args.value("--note", "withdraw"), byOption(args));
                        }});
    commands.push_back({"adjust", "adjust MEMBERID AMOUNT --note TEXT [--by NAME]",
                        "A manual correction of +/- AMOUNT rupiah; the note says why (journal kind: adjust).",
                        {"--note", "--by"}, {}, [](Tool& tool, const Args& args) {
                            Loket::Rupiah amount = toAmount(args.positional(2)[1], "AMOUNT", true);
                            if (amount == 0) throw UsageError("AMOUNT cannot be 0");
                            if (args.value("--note").empty()) throw UsageError("--note is required");
                            return post(tool, args.positional(2)[0], "adjust", amount, args.value("--note"),
                                        byOption(args));
                        }});
    commands.push_back({"balance", "balance MEMBERID", "Prints the partner's balance in rupiah.", {}, {},
                        [](Tool& tool, const Args& args) {
                            std::cout << requirePartner(tool, args.positional(1)[0]).balance << "\n";
                            return 0;
                        }});
    commands.push_back({"mutations", "mutations MEMBERID [--from DATE] [--to DATE] [--csv]",
                        "The partner's journal (mutasi), oldest first. DATE is yyyy-mm-dd [hh:mm:ss], local time.\n"
                        "`by` is who posted a deposit, withdrawal or adjustment.",
                        {"--from", "--to"}, {"--csv"}, [](Tool& tool, const Args& args) {
                            std::string id = args.positional(1)[0];
                            Poco::Int64 from = dateOption(args, "--from", false), to = dateOption(args, "--to", true);
                            requirePartner(tool, id);
                            Table table({"id", "time", "kind", "amount", "before", "after", "trx", "by", "note"});
                            for (const auto& m : Loket::Ledger(tool.db()).journal(id, from, to))
                                table.add({std::to_string(m.id), Loket::Clock::format(m.createdAt), m.kind,
                                           std::to_string(m.amount), std::to_string(m.balanceBefore),
                                           std::to_string(m.balanceAfter), m.trxId ? std::to_string(m.trxId) : "",
                                           m.by, m.note});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
