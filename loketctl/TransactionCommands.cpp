#include "Tool.h"
#include "Clock.h"
#include "Attempts.h"
#include "Table.h"
#include "Transactions.h"
#include <iostream>
#include <map>

namespace Loketctl {
namespace {

std::vector<std::string> row(const Loket::Transaction& t)
{
    return {std::to_string(t.id), Loket::Clock::format(t.createdAt), t.memberId, t.refId, t.product, t.dest,
            std::to_string(t.qty), std::to_string(t.price), Loket::stateName(t.status), t.rc, t.sn};
}

const std::vector<std::string> Header = {"id", "time", "memberID", "refID", "product", "dest",
                                         "qty", "price", "status", "rc", "sn"};

} // namespace

void addTransactionCommands(std::vector<Command>& commands)
{
    commands.push_back({"trx show", "trx show MEMBERID REFID", "Shows one transaction in full.", {}, {},
                        [](Tool& tool, const Args& args) {
                            const auto& p = args.positional(2);
                            Loket::Transaction t;
                            if (!Loket::Transactions(tool.db()).findByRef(p[0], p[1], t))
                            {
                                std::cerr << "no transaction " << p[1] << " of " << p[0] << "\n";
                                return 1;
                            }
                            std::cout << "id: " << t.id << "\nmemberID: " << t.memberId << "\nrefID: " << t.refId
                                      << "\nkind: " << t.kind << "\nproduct: " << t.product << "\ndest: " << t.dest
                                      << "\nqty: " << t.qty << "\nprice: " << t.price << "\nstatus: " << Loket::stateName(t.status)
                                      << "\nrc: " << t.rc << "\nsn: " << t.sn << "\nnote: " << t.note;
                            if (t.kind == "bill")
                                std::cout << "\nbill: " << t.billName << " tagihan " << t.billAmount << " admin "
                                          << t.billAdmin << " periode " << t.billPeriod << "\ninquiry valid until: "
                                          << Loket::Clock::format(t.inquiryExpiresAt);
                            if (!t.biller.empty())
                                std::cout << "\nbiller: " << t.biller
                                          << (t.supplierSku.empty() ? "" : " (code " + t.supplierSku + ")")
                                          << ", cost " << t.cost << (t.routeNo ? ", route " + std::to_string(t.routeNo + 1) : "");
                            if (t.status == Loket::TrxState::Queued) std::cout << "\nqueued: waiting for a dispatcher";
                            if (t.status == Loket::TrxState::Sent)
                                std::cout << "\nsent to biller: " << Loket::Clock::format(t.sentAt) << " by dispatcher "
                                          << t.leaseOwner << ", no answer yet";
                            if (t.status == Loket::TrxState::Pending)
                                std::cout << "\noutcome unknown: status calls so far " << t.checks << ", next "
                                          << Loket::Clock::format(t.nextCheckAt);
                            if (t.answeredPending) std::cout << "\npartner answered: SEDANG DIPROSES (callback on settlement)";
                            for (const auto& a : Loket::Attempts(tool.db()).of(t.id))
                                std::cout << "\nattempt: " << a.kind << " " << a.supplier << " code " << a.code
                                          << " sent " << (a.sentAt ? Loket::Clock::format(a.sentAt) : "-") << " answered "
                                          << Loket::Clock::format(a.answeredAt) << ": " << a.outcome
                                          << (a.reply.empty() ? "" : " \"" + a.reply + "\"");
                            std::cout << "\nmitra_message: " << t.mitraMessage
                                      << "\ncreated: " << Loket::Clock::format(t.createdAt)
                                      << "\nupdated: " << Loket::Clock::format(t.updatedAt) << "\n";
                            return 0;
                        }});
    commands.push_back({"trx list", "trx list [--member M] [--status S] [--since DATE] [--limit N] [--csv]",
                        "Lists transactions, oldest first. S is INQUIRED, PENDING, SUCCESS or FAILED.",
                        {"--member", "--status", "--since", "--limit"}, {"--csv"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Loket::TransactionFilter f;
                            f.memberId = args.value("--member");
                            if (args.has("--status"))
                            {
                                Loket::TrxState state;
                                if (!Loket::parseState(args.value("--status"), state))
                                    throw UsageError("--status takes INQUIRED, QUEUED, SENT, PENDING, SUCCESS or FAILED");
                                f.status = Loket::stateName(state);
                            }
                            f.limit = static_cast<int>(args.number("--limit", 0));
                            if (args.has("--since") && !Loket::Clock::parse(args.value("--since"), f.since))
                                throw UsageError("--since takes yyyy-mm-dd [hh:mm:ss]");
                            Table table(Header);
                            for (const auto& t : Loket::Transactions(tool.db()).list(f)) table.add(row(t));
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back({"report daily", "report daily [--date yyyy-mm-dd] [--csv]",
                        "Count and sum of price per product and status for one local day (default today).",
                        {"--date"}, {"--csv"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Poco::Int64 day = Loket::Clock::now();
                            if (args.has("--date") &&
                                (args.value("--date").size() != 10 || !Loket::Clock::parse(args.value("--date"), day)))
                                throw UsageError("--date takes yyyy-mm-dd");
                            Poco::Int64 end = Loket::Clock::endOfDay(day);
                            Loket::TransactionFilter f;
                            f.since = end - 86399;
                            std::map<std::pair<std::string, std::string>, std::pair<long long, long long>> totals;
                            for (const auto& t : Loket::Transactions(tool.db()).list(f))
                            {
                                if (t.createdAt > end) continue;
                                auto& cell = totals[{t.product, Loket::stateName(t.status)}];
                                cell.first += 1;
                                cell.second += t.price;
                            }
                            Table table({"product", "status", "count", "sum"});
                            for (const auto& [key, v] : totals)
                                table.add({key.first, key.second, std::to_string(v.first), std::to_string(v.second)});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
