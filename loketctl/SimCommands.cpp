#include "Tool.h"
#include "Catalogue.h"
#include "ParameterRules.h"
#include "SimBiller.h"
#include "Clock.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {

void addSimCommands(std::vector<Command>& commands)
{
    commands.push_back({"sim set", "sim set DEST --result success|failed|pending [--sn SN] [--delay-ms N]",
                        "Sets how the sim biller answers orders for DEST. A delay longer than biller.timeout_ms\n"
                        "leaves the transaction pending; changing the result later settles it at the dispatcher's\n"
                        "next status call (dispatcher.recheck_schedule, or loketctl reconcile).",
                        {"--result", "--sn", "--delay-ms"}, {}, [](Tool& tool, const Args& args) {
                            std::string dest = args.positional(1)[0];
                            if (!Loket::ParameterRules::validDest(dest))
                                throw UsageError("DEST is not a destination a partner could send");
                            std::string result = args.value("--result");
                            if (result != "success" && result != "failed" && result != "pending")
                                throw UsageError("--result takes success, failed or pending");
                            long long delay = args.number("--delay-ms", 0);
                            if (delay < 0 || delay > 600000) throw UsageError("--delay-ms must be 0..600000");
                            Loket::SimBiller::setFixture(tool.db(), dest, result, args.value("--sn"),
                                                         static_cast<int>(delay));
                            std::cout << "sim " << dest << ": " << result << "\n";
                            return 0;
                        }});
    commands.push_back({"sim bill", "sim bill PRODUCT CUSTOMER --name NAME --amount N [--period TEXT] [--paid]",
                        "Sets or replaces the sim's bill for CUSTOMER of PRODUCT (unpaid unless --paid).\n"
                        "For BPJSKS the amount is the monthly premium.",
                        {"--name", "--amount", "--period"}, {"--paid"}, [](Tool& tool, const Args& args) {
                            const auto& p = args.positional(2);
                            if (!args.has("--name") || !args.has("--amount"))
                                throw UsageError("--name and --amount are required");
                            long long amount = toAmount(args.value("--amount"), "--amount", false);
                            Loket::Product product;
                            if (!Loket::Catalogue(tool.db()).find(p[0], product))
                                throw UsageError("no product " + p[0] + " (see loketctl product list)");
                            if (!product.isBill())
                                throw UsageError(p[0] + " is a topup, not a bill: the sim has no bills for it");
                            if (!Loket::ParameterRules::validDest(p[1]))
                                throw UsageError("CUSTOMER is not a destination a partner could send");
                            Loket::SimBiller::setBill(tool.db(), p[0], p[1], args.value("--name"), amount,
                                                      args.value("--period"), args.flag("--paid"));
                            std::cout << "sim bill " << p[0] << " " << p[1] << " set\n";
                            return 0;
                        }});
    commands.push_back({"sim orders", "sim orders [DEST] [--csv]",
                        "The sim biller's own record of the orders it received (our transaction id), and how\n"
                        "often each arrived: a supplier's report, to prove that no order was delivered twice.",
                        {}, {"--csv"}, [](Tool& tool, const Args& args) {
                            const auto& p = args.positionalRange(0, 1);
                            Table table({"order", "dest", "times", "received"});
                            for (const auto& r : Loket::SimBiller::received(tool.db(), p.empty() ? "" : p[0]))
                                table.add({r.orderId, r.dest, std::to_string(r.times),
                                           Loket::Clock::format(r.receivedAt)});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
