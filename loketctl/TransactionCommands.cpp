#include "Tool.h"
#include "Clock.h"
#include "Attempts.h"
#include "Bell.h"
#include "Context.h"
#include "Reply.h"
#include "Settlement.h"
#include "Templates.h"
#include "Table.h"
#include "TransactionSearch.h"
#include "TransactionState.h"
#include "Transactions.h"
#include <Poco/String.h>
#include <iostream>
#include <map>
#include <tuple>

namespace Loketctl {
namespace {

std::vector<std::string> row(const Loket::Transaction& t)
{
    return {std::to_string(t.id), Loket::Clock::format(t.createdAt), t.memberId, t.refId, t.product, t.dest,
            std::to_string(t.qty), std::to_string(t.price), Loket::stateName(t.status), t.rc, t.sn};
}

const std::vector<std::string> Header = {"id", "time", "memberID", "refID", "product", "dest",
                                         "qty", "price", "status", "rc", "sn"};

/// --status in any case; UsageError naming the known states otherwise.
std::string statusOption(const Args& args)
{
    if (!args.has("--status")) return "";
    Loket::TrxState state;
    if (!Loket::parseState(args.value("--status"), state))
        throw UsageError("unknown status '" + args.value("--status") +
                         "' (known: INQUIRED, QUEUED, SENT, PENDING, SUCCESS, FAILED)");
    return Loket::stateName(state);
}

/// The product code without its "@part" (PLNPASC@2026 -> PLNPASC).
std::string productCode(const std::string& product)
{
    return product.substr(0, product.find('@'));
}

/// Money a transaction took from its partner: nothing while only inquired or once failed (refunded).
bool movedMoney(const Loket::Transaction& t)
{
    return t.status != Loket::TrxState::Failed && t.status != Loket::TrxState::Inquired;
}

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
                                          << (t.nextCheckAt == Loket::Transactions::CheckAskedByReconcile
                                                  ? std::string("now (asked for by loketctl reconcile)")
                                                  : Loket::Clock::format(t.nextCheckAt));
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
                        "Lists transactions, oldest first. S is INQUIRED, QUEUED, SENT, PENDING, SUCCESS or FAILED (any case).",
                        {"--member", "--status", "--since", "--limit"}, {"--csv"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Loket::TransactionFilter f;
                            f.memberId = args.value("--member");
                            f.status = statusOption(args);
                            long long limit = args.number("--limit", 0);
                            if (limit < 0 || limit > 1000000) throw UsageError("--limit must be 0..1000000");
                            f.limit = static_cast<int>(limit);
                            if (args.has("--since") && !Loket::Clock::parse(args.value("--since"), f.since))
                                throw UsageError("--since takes a date yyyy-mm-dd [hh:mm:ss], got '" +
                                                 args.value("--since") + "'");
                            if (args.has("--member")) requirePartner(tool, f.memberId);
                            Table table(Header);
                            for (const auto& t : Loket::Transactions(tool.db()).list(f)) table.add(row(t));
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back(
        {"trx settle", "trx settle MEMBERID REFID (--success --sn SN | --failed --note WHY) [--by NAME]",
         "Settles a stuck PENDING transaction by hand, after checking with its supplier: through the same\n"
         "guarded move as the dispatcher (a transaction settled meanwhile is left alone), --failed refunds\n"
         "the hold exactly once with the note in the journal, and the partner's callback is sent if it was\n"
         "answered SEDANG DIPROSES. --by names who did it (default: the invoking user).",
         {"--sn", "--note", "--by"}, {"--success", "--failed"}, [](Tool& tool, const Args& args) {
             const auto& p = args.positional(2);
             if (args.flag("--success") == args.flag("--failed")) throw UsageError("give --success or --failed");
             if (args.flag("--success") && args.value("--sn").empty()) throw UsageError("--success needs --sn SN");
             if (args.flag("--failed") && args.value("--note").empty()) throw UsageError("--failed needs --note WHY");
             std::string by = args.value("--by", invokingUser());
             if (by.empty() || by.size() > 64) throw UsageError("--by takes a name of 1 to 64 characters");
             Loket::Transaction t;
             if (!Loket::Transactions(tool.db()).findByRef(p[0], p[1], t))
             {
                 std::cerr << "no transaction " << p[1] << " of " << p[0] << "\n";
                 return 1;
             }
             if (t.status != Loket::TrxState::Pending)
             {
                 std::cerr << "transaction " << p[1] << " of " << p[0] << " is " << Loket::stateName(t.status)
                           << ": only a PENDING one is settled by hand"
                           << (t.status == Loket::TrxState::Sent || t.status == Loket::TrxState::Queued
                                   ? " (it is still with a dispatcher)"
                                   : "")
                           << "\n";
                 return 1;
             }
             Loket::Templates templates;
             templates.load(tool.db(), false);
             Loket::Context ctx{tool.config(), tool.db()};
             Loket::OrderResult r;
             r.order = t;
             r.kind = "operator";
             r.by = by;
             r.outcome = args.flag("--success") ? Loket::BillerOutcome::success(args.value("--sn"))
                                                : Loket::BillerOutcome::failed(args.value("--note"));
             Loket::Settlement settlement(ctx, [&](const Loket::Transaction& x) {
                 return templates.render(x.rc, Loket::Action::Status, Loket::fieldsOf(x));
             });
             if (!settlement.apply(r)) throw std::runtime_error("the ledger refused the write; nothing changed");
             Loket::Transaction after;
             Loket::Transactions(tool.db()).findById(t.id, after);
             if (after.status == Loket::TrxState::Pending)
             {
                 std::cerr << "transaction " << p[1] << " was not settled (settled by someone else meanwhile?)\n";
                 return 1;
             }
             Loket::Bell::ring(tool.config().dispatcherSocket);   // delivers its callback now
             std::cout << "transaction " << p[1] << " of " << p[0] << ": " << Loket::stateName(after.status) << "\n";
             return 0;
         }});
    commands.push_back({"trx find", "trx find TERM [--limit N] [--csv]",
                        "Transactions whose dest (with or without its @part), SN, refID or id is TERM, newest first\n"
                        "(default at most 50).",
                        {"--limit"}, {"--csv"}, [](Tool& tool, const Args& args) {
                            std::string term = args.positional(1)[0];
                            long long limit = args.number("--limit", 50);
                            if (limit < 1 || limit > 100000) throw UsageError("--limit must be 1..100000");
                            auto found = Loket::TransactionSearch::find(tool.db(), term, static_cast<int>(limit));
                            if (found.empty())
                            {
                                std::cerr << "no transaction with dest, SN, refID or id " << term << "\n";
                                return 1;
                            }
                            Table table(Header);
                            for (const auto& t : found) table.add(row(t));
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back(
        {"report daily", "report daily [--date yyyy-mm-dd] [--by partner|supplier] [--csv]",
         "Count, sum of price, cost and margin per product code (without its @part) and status for one local\n"
         "day (default today), and a total. The sum is money taken from partners, the cost what the supplier\n"
         "that delivered it charges us, the margin sum - cost: a FAILED transaction (refunded) or one only\n"
         "INQUIRED counts nothing. --by partner: per memberID first; --by supplier: per supplier first, each\n"
         "with its own total.",
         {"--date", "--by"}, {"--csv"}, [](Tool& tool, const Args& args) {
             args.positional(0);
             Poco::Int64 day = Loket::Clock::now();
             if (args.has("--date") &&
                 (args.value("--date").size() != 10 || !Loket::Clock::parse(args.value("--date"), day)))
                 throw UsageError("--date takes a date yyyy-mm-dd, got '" + args.value("--date") + "'");
             std::string by = args.value("--by");
             if (args.has("--by") && by != "partner" && by != "supplier")
                 throw UsageError("--by takes partner or supplier");
             Poco::Int64 end = Loket::Clock::endOfDay(day);
             Poco::Int64 start = 0;
             Loket::Clock::parse(Loket::Clock::format(end).substr(0, 10), start);
             Loket::TransactionFilter f;
             f.since = start;
             // Sums of checked amounts of one day: far below Int64's range.
             struct Cell { long long count = 0, sum = 0, cost = 0; };
             using Key = std::tuple<std::string, std::string, std::string>;
             std::map<Key, Cell> cells;
             std::map<std::string, Cell> groups;
             Cell total;
             for (const auto& t : Loket::Transactions(tool.db()).list(f))
             {
                 if (t.createdAt > end) continue;
                 std::string group = by == "partner" ? t.memberId : by == "supplier" ? t.biller : "";
                 auto& cell = cells[{group, productCode(t.product), Loket::stateName(t.status)}];
                 cell.count += 1;
                 if (!movedMoney(t)) continue;
                 for (Cell* c : {&cell, &groups[group], &total})
                 {
                     if (c != &cell) c->count += 1;
                     c->sum += t.price;
                     c->cost += t.cost;
                 }
             }
             auto numbers = [](const Cell& c) {
                 return std::vector<std::string>{std::to_string(c.count), std::to_string(c.sum),
                                                 std::to_string(c.cost), std::to_string(c.sum - c.cost)};
             };
             std::vector<std::string> header = {"product", "status", "count", "sum", "cost", "margin"};
             if (!by.empty()) header.insert(header.begin(), by == "partner" ? "memberID" : "supplier");
             Table table(header);
             for (auto it = cells.begin(); it != cells.end(); ++it)
             {
                 const std::string& group = std::get<0>(it->first);
                 std::vector<std::string> line = {std::get<1>(it->first), std::get<2>(it->first)};
                 for (auto& n : numbers(it->second)) line.push_back(n);
                 if (!by.empty()) line.insert(line.begin(), group);
                 table.add(line);
                 // Per supplier: what it delivered in all, once its last row is out.
                 auto next = std::next(it);
                 if (by == "supplier" && (next == cells.end() || std::get<0>(next->first) != group))
                 {
                     std::vector<std::string> sub = {group, "TOTAL", "taken"};
                     for (auto& n : numbers(groups[group])) sub.push_back(n);
                     table.add(sub);
                 }
             }
             std::vector<std::string> line = {"TOTAL", "taken"};
             for (auto& n : numbers(total)) line.push_back(n);
             if (!by.empty()) line.insert(line.begin(), "");
             table.add(line);
             table.print(std::cout, args.flag("--csv"));
             return 0;
         }});
}

} // namespace Loketctl
