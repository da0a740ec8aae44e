#include "Tool.h"
#include "Clock.h"
#include "PriceLevels.h"
#include "IpAllowList.h"
#include "Lockout.h"
#include "Money.h"
#include "ParameterRules.h"
#include "PartnerAuth.h"
#include "Partners.h"
#include "SecretBox.h"
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

/// A sign prefix: printable ASCII without space or "|" (the separator), 1-32.
void checkSignPrefix(const std::string& prefix)
{
    bool ok = !prefix.empty() && prefix.size() <= 32;
    for (char c : prefix) ok = ok && c > 0x20 && c < 0x7f && c != '|';
    if (!ok) throw UsageError("--sign-prefix must be 1-32 printable characters without spaces or '|'");
}

/// The allowlist in canonical form; UsageError naming a bad entry.
std::string checkIpAllow(const std::string& text)
{
    try
    {
        return Loket::IpAllowList(text).text();
    }
    catch (const std::invalid_argument& e)
    {
        throw UsageError(std::string("--ip: ") + e.what());
    }
}

const Loket::SecretBox& keyOf(Tool& tool) { return Loket::SecretBox::cached(tool.config().authKeyFile); }

} // namespace

void addPartnerCommands(std::vector<Command>& commands)
{
    commands.push_back({"partner add", "partner add MEMBERID --pin P --password K [--name N] [--signature]",
                        "Adds a partner with balance 0. Pin and password are stored sealed (AES-256-GCM) under\n"
                        "auth.key_file, never in clear.\n"
                        "--signature marks a partner that must use HTTP-GET SIGN (refused on pin+password, RC 41).",
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
                            const Loket::SecretBox& box = keyOf(tool);
                            Loket::WriteTransaction tx(tool.db());
                            Loket::Partners(tool.db()).add(id, args.value("--name"), args.value("--pin"),
                                                           args.value("--password"), args.flag("--signature"));
                            // add() writes digests; sealing replaces them before anyone can read them.
                            Loket::PartnerAuth(tool.db()).storeSecrets(box, id, args.value("--pin"),
                                                                       args.value("--password"));
                            tx.commit();
                            std::cout << "partner " << id << " added\n";
                            return 0;
                        }});
    commands.push_back({"partner set",
                        "partner set MEMBERID [--pin P] [--password K] [--name N] [--active yes|no] "
                        "[--signature yes|no] [--report-url URL] [--sign-prefix P] [--ip CIDR[,CIDR...]] [--level LEVEL]",
                        "Changes a partner: new pin or password, name, suspend (--active no) or activate, "
                        "signature on or off,\nthe report URL that gets a callback when a transaction answered "
                        "SEDANG DIPROSES ends (http or https; \"\" removes it),\n"
                        "its own sign prefix (\"\" returns to auth.sign_prefix), the IP networks it may send from\n"
                        "(\"\" removes the allowlist), its price level (loketctl level set; \"\" for none).",
                        {"--pin", "--password", "--name", "--active", "--signature", "--report-url", "--sign-prefix",
                         "--ip", "--level"},
                        {},
                        [](Tool& tool, const Args& args) {
                            std::string id = args.positional(1)[0];
                            if (!args.has("--pin") && !args.has("--password") && !args.has("--name") &&
                                !args.has("--active") && !args.has("--signature") && !args.has("--report-url") &&
                                !args.has("--sign-prefix") && !args.has("--ip") && !args.has("--level"))
                                throw UsageError("nothing to change: give --pin, --password, --name, --active, "
                                                 "--signature, --report-url, --sign-prefix, --ip or --level");
                            // Every value is checked before anything is written.
                            if (args.has("--report-url"))
                            {
                                std::string why = Loket::Partners::reportUrlProblem(args.value("--report-url"));
                                if (!why.empty()) throw UsageError("--report-url: " + why);
                            }
                            if (args.has("--active")) yesNo(args.value("--active"), "--active");
                            if (args.has("--level") && !args.value("--level").empty())
                            {
                                std::string why = Loket::PriceLevels::levelProblem(args.value("--level"));
                                if (!why.empty()) throw UsageError("--level: " + why);
                            }
                            if (args.has("--signature")) yesNo(args.value("--signature"), "--signature");
                            if ((args.has("--pin") && args.value("--pin").empty()) ||
                                (args.has("--password") && args.value("--password").empty()))
                                throw UsageError("--pin and --password cannot be empty");
                            requirePartner(tool, id);
                            checkSecrets("", args.value("--pin"), args.value("--password"));
                            std::string prefix = args.value("--sign-prefix");
                            if (!prefix.empty()) checkSignPrefix(prefix);
                            std::string ip = checkIpAllow(args.value("--ip"));
                            Loket::Partners partners(tool.db());
                            Loket::PartnerAuth auth(tool.db());
                            if (args.has("--pin") || args.has("--password"))
                            {
                                const Loket::SecretBox& box = keyOf(tool);
                                Loket::WriteTransaction tx(tool.db());
                                auth.storeSecrets(box, id, args.value("--pin"), args.value("--password"));
                                tx.commit();
                            }
                            if (args.has("--name")) partners.setName(id, args.value("--name"));
                            if (args.has("--active")) partners.setActive(id, yesNo(args.value("--active"), "--active"));
                            if (args.has("--signature"))
                                partners.setSignature(id, yesNo(args.value("--signature"), "--signature"));
                            if (args.has("--report-url"))
                            {
                                std::string url = args.value("--report-url");
                                std::string why = Loket::Partners::reportUrlProblem(url);
                                if (!why.empty()) throw UsageError("--report-url: " + why);
                                partners.setReportUrl(id, url);
                            }
                            if (args.has("--sign-prefix")) auth.setSignPrefix(id, prefix);
                            if (args.has("--ip")) auth.setIpAllow(id, ip);
                            if (args.has("--level")) Loket::PriceLevels(tool.db()).setLevel(id, args.value("--level"));
                            std::cout << "partner " << id << " updated\n";
                            return 0;
                        }});
    commands.push_back({"partner unlock", "partner unlock MEMBERID",
                        "Ends a lock after too many failed authentications (auth.max_failures) and forgets\n"
                        "the failures counted so far. Works for any memberID, known or not.",
                        {}, {}, [](Tool& tool, const Args& args) {
                            std::string id = args.positional(1)[0];
                            checkSecrets(id, "", "");
                            bool had = Loket::Lockout(tool.db()).clear(id);
                            std::cout << "partner " << id << (had ? " unlocked\n" : " was not locked\n");
                            return 0;
                        }});
    commands.push_back({"partner list", "partner list [--csv]",
                        "Lists partners with balance and state: active, signature, price level, IP allowlist\n"
                        "(any: no list) and lock (no, or until when after too many failed authentications).",
                        {}, {"--csv"}, [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Table table({"memberID", "name", "balance", "active", "signature", "level", "ip", "locked"});
                            Poco::Int64 now = Loket::Clock::now();
                            for (const auto& l : Loket::Partners(tool.db()).list())
                            {
                                const Loket::Partner& p = l.partner;
                                table.add({p.memberId, p.name, Loket::formatRupiah(p.balance), p.active ? "yes" : "no",
                                           p.useSignature ? "yes" : "no", l.level.empty() ? "-" : l.level,
                                           l.ipAllow.empty() ? "any" : l.ipAllow,
                                           now < l.lockedUntil ? "until " + Loket::Clock::format(l.lockedUntil) : "no"});
                            }
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
