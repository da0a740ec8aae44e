#include "Tool.h"
#include "Bell.h"
#include "Callbacks.h"
#include "Clock.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {

void addCallbackCommands(std::vector<Command>& commands)
{
    commands.push_back({"callbacks list", "callbacks list [--member M] [--failed] [--csv]",
                        "Partner callbacks (reports of transactions that ended after the partner was answered\n"
                        "SEDANG DIPROSES): delivered, waiting for a retry, or given up. --failed shows the ones\n"
                        "not delivered so far. The URL's query is not shown (it may carry the partner's token).",
                        {"--member"}, {"--failed", "--csv"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            if (args.has("--member")) requirePartner(tool, args.value("--member"));   // issue 13
                            Table table({"id", "trx", "memberID", "host", "status", "attempts", "next attempt",
                                         "last error"});
                            for (const auto& c : Loket::Callbacks(tool.db()).list(args.value("--member"),
                                                                                   args.flag("--failed")))
                            {
                                std::string host = c.url.substr(0, c.url.find('?'));
                                table.add({std::to_string(c.id), std::to_string(c.trxId), c.memberId, host, c.status,
                                           std::to_string(c.attempts),
                                           c.status == "PENDING" ? Loket::Clock::format(c.nextAttemptAt) : "-",
                                           c.lastError});
                            }
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back({"callbacks retry", "callbacks retry ID",
                        "Sends callback ID again now (also one that was given up), and wakes the dispatcher.",
                        {}, {}, [](Tool& tool, const Args& args) {
                            long long id = toNumber(args.positional(1)[0], "ID");
                            if (!Loket::Callbacks(tool.db()).retry(id, Loket::Clock::now()))
                            {
                                std::cerr << "no callback " << id << " to retry (unknown, or already delivered)\n";
                                return 1;
                            }
                            Loket::Bell::ring(tool.config().dispatcherSocket);
                            std::cout << "callback " << id << " queued for delivery\n";
                            return 0;
                        }});
}

} // namespace Loketctl
