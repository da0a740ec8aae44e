#include "Tool.h"
#include "Audit.h"
#include "Billers.h"
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
    commands.push_back({"reconcile", "reconcile [--older-than SECONDS] [--progress]",
                        "Asks the biller about every pending transaction untouched for SECONDS (default 60) and\n"
                        "settles it: success keeps the money, a definite failure refunds once, unknown stays.\n"
                        "On a terminal (or with --progress) it reports progress on stderr every 100 transactions.",
                        {"--older-than"}, {"--progress"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            long long older = args.number("--older-than", 60);
                            if (older < 0) throw UsageError("--older-than cannot be negative");
                            Loket::Templates templates;
                            templates.load(tool.db());
                            Loket::Billers billers(tool.config(), tool.db());
                            Loket::Context ctx{tool.config(), tool.db(), templates, billers};
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
                            auto r = Loket::Reconciler(ctx).run(static_cast<int>(older),
                                                                show ? Loket::Reconciler::Progress(progress)
                                                                     : Loket::Reconciler::Progress());
                            std::cout << "pending examined " << r.examined << ", succeeded " << r.succeeded
                                      << ", refunded " << r.refunded << ", still pending " << r.stillPending << "\n";
                            return 0;
                        }});
}

} // namespace Loketctl
