#include "Tool.h"
#include "Money.h"
#include "ParameterRules.h"
#include "Partners.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {
namespace {

void checkSecrets(const std::string& memberId, const std::string& pin, const std::string& password)
{
    using namespace Loket::ParameterRules;
    if (!memberId.empty() && !validMemberId(memberId)) throw UsageError("memberID must be [A-Za-z0-9_-]{1,32}");
    if (!pin.empty() && !validPin(pin)) throw UsageError("pin must be [0-9A-Za-z]{1,32}");
    if (!password.empty() && !validPassword(password))
        throw UsageError("password must be 1-128 printable ASCII characters without spaces");
}

} // namespace

void addPartnerCommands(std::vector<Command>& commands)
{
    commands.push_back({"partner add", "partner add MEMBERID --pin P --password K [--name N] [--signature]",
                        "Adds a partner with balance 0. Pin and password are stored only as salted digests.\n"
                        "--signature marks a partner that must use the signed interface (refused here with RC 41).",
                        {"--pin", "--password", "--name"}, {"--signature"}, [](Tool& tool, const Args& args) {
                            std::string id = args.positional(1)[0];
                            if (!args.has("--pin") || !args.has("--password"))
                                throw UsageError("--pin and --password are required");
                            checkSecrets(id, args.value("--pin"), args.value("--password"));
                            Loket::Partner existing;
                            if (Loket::Partners(tool.db()).find(id, existing))
                                throw std::runtime_error("partner " + id +
                                                         " already exists; change it with `loketctl partner set " +
                                                         id + "`");
                            Loket::Partners(tool.db()).add(id, args.value("--name"), args.value("--pin"),
                                                           args.value("--password"), args.flag("--signature"));
                            std::cout << "partner " << id << " added\n";
                            return 0;
                        }});
    commands.push_back({"partner set",
                        "partner set MEMBERID [--pin P] [--password K] [--name N] [--active yes|no] "
                        "[--signature yes|no] [--report-url URL]",
                        "Changes a partner: new pin or password, name, suspend (--active no) or activate, "
                        "signature on or off,\nthe report URL that gets a callback when a transaction answered "
                        "SEDANG DIPROSES ends (http or https; \"\" removes it).",
                        {"--pin", "--password", "--name", "--active", "--signature", "--report-url"}, {},
                        [](Tool& tool, const Args& args) {
                            std::string id = args.positional(1)[0];
                            if (!args.has("--pin") && !args.has("--password") && !args.has("--name") &&
                                !args.has("--active") && !args.has("--signature") && !args.has("--report-url"))
                                throw UsageError("nothing to change: give --pin, --password, --name, --active, "
                                                 "--signature or --report-url");
                            // Every value is checked before anything is written.
                            if (args.has("--report-url"))
                            {
                                std::string why = Loket::Partners::reportUrlProblem(args.value("--report-url"));
                                if (!why.empty()) throw UsageError("--report-url: " + why);
                            }
                            if (args.has("--active")) yesNo(args.value("--active"), "--active");
                            if (args.has("--signature")) yesNo(args.value("--signature"), "--signature");
                            if ((args.has("--pin") && args.value("--pin").empty()) ||
                                (args.has("--password") && args.value("--password").empty()))
                                throw UsageError("--pin and --password cannot be empty");
                            requirePartner(tool, id);
                            checkSecrets("", args.value("--pin"), args.value("--password"));
                            Loket::Partners partners(tool.db());
                            if (args.has("--pin") || args.has("--password"))
                                partners.setSecrets(id, args.value("--pin"), args.value("--password"));
                            if (args.has("--name")) partners.setName(id, args.value("--name"));
                            if (args.has("--active")) partners.setActive(id, yesNo(args.value("--active"), "--active"));
                            if (args.has("--signature"))
                                partners.setSignature(id, yesNo(args.value("--signature"), "--signature"));
                            if (args.has("--report-url")) partners.setReportUrl(id, args.value("--report-url"));
                            std::cout << "partner " << id << " updated\n";
                            return 0;
                        }});
    commands.push_back({"partner list", "partner list [--csv]", "Lists partners with balance and state.", {},
                        {"--csv"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Table table({"memberID", "name", "balance", "active", "signature"});
                            for (const auto& p : Loket::Partners(tool.db()).list())
                                table.add({p.memberId, p.name, Loket::formatRupiah(p.balance), p.active ? "yes" : "no",
                                           p.useSignature ? "yes" : "no"});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
