#include "Tool.h"
#include "Audit.h"
#include "Backup.h"
#include "Billers.h"
#include "Bell.h"
#include "Context.h"
#include "Reconciler.h"
#include <iostream>
#include <unistd.h>

namespace Loketctl {

void addLedgerCommands(std::vector<Command>& commands)
{
    commands.push_back({"audit", "audit",
                        "Checks the whole ledger (balances against the journal, each debit and refund, and that\n"
                        "money is conserved). Exits 1 naming each violation.",
                        {}, {}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            auto violations = Loket::Audit(tool.db()).run();
                            for (const auto& v : violations) std::cout << "VIOLATION " << v << "\n";
                            if (!violations.empty()) return 1;
                            std::cout << "audit ok\n";
                            return 0;
                        }});
    commands.push_back({"backup", "backup FILE [--replace]",
                        "Copies the SQLite ledger into FILE, consistent as of one instant, while Loket keeps\n"
                        "serving (SQLite's online backup). FILE is mode 0600; an existing FILE is refused unless\n"
                        "--replace. On PostgreSQL it prints the pg_dump recipe and exits 2.",
                        {}, {"--replace"}, [](Tool& tool, const Args& args) {
                            std::string file = args.positional(1)[0];
                            if (tool.config().databaseConnector != "sqlite")
                            {
                                std::cerr << Loket::Backup::postgresqlRecipe(file);
                                return 2;
                            }
                            long long bytes = Loket::Backup::sqliteTo(tool.db(), file, args.flag("--replace"));
                            std::cout << "backup " << file << " (" << bytes << " bytes)\n";
                            return 0;
                        }});
    commands.push_back({"reconcile", "reconcile [--older-than SECONDS] [--progress]",
                        "Makes every pending transaction untouched for SECONDS (default 60) due for a status call\n"
                        "now, wakes the dispatcher (which asks the biller and settles: success keeps the money,\n"
                        "a definite failure refunds once, unknown stays) and waits up to --wait SECONDS\n"
                        "(default: the dispatcher's lease) for the answers. The dispatcher also does this by\n"
                        "itself on dispatcher.recheck_schedule. On a terminal (or with --progress) it reports\n"
                        "progress on stderr every 100 transactions.",
                        {"--older-than", "--wait"}, {"--progress"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            long long older = args.number("--older-than", 60);
                            if (older < 0) throw UsageError("--older-than cannot be negative");
                            long long wait = args.number("--wait", tool.config().leaseLength());
                            if (wait < 0 || wait > 3600) throw UsageError("--wait must be 0..3600");
                            Loket::Context ctx{tool.config(), tool.db()};
                            bool terminal = ::isatty(STDERR_FILENO) == 1;
                            bool show = terminal || args.flag("--progress");
                            auto progress = [terminal](const Loket::ReconcileResult& r, std::size_t total) {
                                if (r.examined % 100 != 0 && static_cast<std::size_t>(r.examined) != total) return;
                                std::cerr << (terminal ? "\r" : "") << "reconcile: " << r.examined << "/" << total
                                          << " examined (succeeded " << r.succeeded << ", refunded " << r.refunded
                                          << ", still pending " << r.stillPending << ")"
                                          << (terminal && static_cast<std::size_t>(r.examined) != total ? "" : "\n")
                                          << std::flush;
                            };
                            std::string bell = tool.config().dispatcherSocket;
                            auto r = Loket::Reconciler(ctx).run(
                                static_cast<int>(older), static_cast<int>(wait), [bell] { Loket::Bell::ring(bell); },
                                show ? Loket::Reconciler::Progress(progress) : Loket::Reconciler::Progress());
                            std::cout << "pending examined " << r.examined << ", succeeded " << r.succeeded
                                      << ", refunded " << r.refunded << ", still pending " << r.stillPending << "\n";
                            return 0;
                        }});
}

} // namespace Loketctl
