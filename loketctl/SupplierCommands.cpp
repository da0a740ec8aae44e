// loketctl supplier ...: upstream suppliers as configuration (docs/suppliers.md).
#include "Tool.h"
#include "Clock.h"
#include "DigiflazzBiller.h"
#include "SecretBox.h"
#include "SupplierReport.h"
#include "Suppliers.h"
#include "Table.h"
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <iostream>
#include <random>

namespace Loketctl {
namespace {

const std::set<std::string> SettingOptions = {
    "--url",     "--method",   "--member",   "--pin",          "--password", "--sign-prefix",
    "--success", "--failed",   "--pending",  "--check-param",  "--preset",   "--base-url",
    "--report-ip", "--username", "--key",    "--webhook-secret"};

std::set<std::string> with(std::set<std::string> options, std::initializer_list<const char*> more)
{
    for (const char* o : more) options.insert(o);
    return options;
}

/// Applies the options given on the command line to `s`.  --preset loket (or a
/// new --base-url of a loket-preset supplier) fills the template and regexes
/// first, so explicit --url / --success ... on the same line still win.
void applyOptions(Loket::Supplier& s, const Args& args)
{
    if (args.has("--base-url")) s.baseUrl = args.value("--base-url");
    if (args.has("--preset"))
    {
        if (args.value("--preset") != "loket") throw UsageError("--preset takes loket");
        if (s.type != "otomax") throw UsageError("--preset loket is for --type otomax");
        if (s.baseUrl.empty()) throw UsageError("--preset loket needs --base-url http://HOST:PORT");
    }
    if (args.has("--preset") || (s.preset == "loket" && args.has("--base-url"))) Loket::Suppliers::applyLoketPreset(s);
    if (args.has("--url")) s.url = args.value("--url"), s.preset.clear();
    if (args.has("--method")) s.method = args.value("--method");
    if (args.has("--member")) s.member = args.value("--member");
    if (args.has("--pin")) s.pin = args.value("--pin");
    if (args.has("--password")) s.password = args.value("--password");
    if (args.has("--sign-prefix")) s.signPrefix = args.value("--sign-prefix");
    if (args.has("--success")) s.successRe = args.value("--success");
    if (args.has("--failed")) s.failedRe = args.value("--failed");
    if (args.has("--pending")) s.pendingRe = args.value("--pending");
    if (args.has("--check-param")) s.checkParam = args.value("--check-param");
    if (args.has("--report-ip")) s.reportIps = args.value("--report-ip");
    if (args.has("--username")) s.username = args.value("--username");
    if (args.has("--key")) s.key = args.value("--key");
    if (args.has("--webhook-secret")) s.webhookSecret = args.value("--webhook-secret");
}

Loket::Supplier existing(Loket::Suppliers& suppliers, const std::string& code)
{
    Loket::Supplier s;
    if (!suppliers.find(code, s)) throw std::runtime_error("no supplier " + code);
    return s;
}

std::string amountOr(const std::optional<Loket::Rupiah>& amount)
{
    return amount ? Loket::formatRupiah(*amount) : "-";
}

const char* kindName(Loket::BillerOutcome::Kind kind)
{
    switch (kind)
    {
    case Loket::BillerOutcome::Kind::Success: return "SUCCESS";
    case Loket::BillerOutcome::Kind::Failed: return "FAILED";
    case Loket::BillerOutcome::Kind::Pending: return "PENDING";
    }
    return "PENDING";
}

const char* billStateName(Loket::Bill::State state)
{
    switch (state)
    {
    case Loket::Bill::State::Found: return "FOUND";
    case Loket::Bill::State::NoSuchCustomer: return "NO-SUCH-CUSTOMER";
    case Loket::Bill::State::NothingToPay: return "NOTHING-TO-PAY";
    case Loket::Bill::State::Unknown: return "UNKNOWN";
    }
    return "UNKNOWN";
}

void printOutcome(const Loket::BillerOutcome& o)
{
    std::cout << "outcome: " << kindName(o.kind) << "\nsn: " << o.sn << "\nreason: " << o.reason
              << "\nnot-created: " << (o.notCreated ? "yes" : "no") << "\nprice: " << amountOr(o.price)
              << "\nbalance: " << amountOr(o.balance) << "\nreply: " << o.raw << "\n";
}

std::string newTestId()
{
    std::random_device random;
    static const char digits[] = "0123456789abcdef";
    std::string id = "TEST";
    for (int i = 0; i < 12; ++i) id += digits[random() % 16];
    return id;
}

std::string readFile(const std::string& path)
{
    Poco::FileInputStream in(path);
    std::string text;
    Poco::StreamCopier::copyToString(in, text);
    return text;
}

int test(Tool& tool, const Args& args)
{
    std::string code = args.positional(1)[0];
    auto box = Loket::SecretBox::fromConfig(tool.config());
    Loket::Suppliers suppliers(tool.db(), *box);
    Loket::Supplier s = existing(suppliers, code);
    auto limits = Loket::SupplierLimits::fromConfig(tool.config());
    if (args.flag("--balance"))
    {
        if (s.type != "digiflazz") throw UsageError("--balance is for digiflazz suppliers");
        auto balance = Loket::DigiflazzBiller(s, limits).balance();
        std::cout << "balance: " << amountOr(balance) << "\n";
        if (balance) suppliers.noteBalance(code, *balance);
        return 0;
    }
    if (!args.has("--product") || !args.has("--dest")) throw UsageError("--product and --dest are required");
    int modes = args.flag("--status") + args.flag("--inquiry") + args.flag("--pay");
    if (modes > 1) throw UsageError("--status, --inquiry and --pay exclude each other");
    long long amount = args.number("--amount", 0);
    if (amount < 0 || amount > 100000000000LL) throw UsageError("--amount must be 0..100000000000");

    Loket::Order order;
    order.orderId = args.value("--idtrx", newTestId());
    order.product = args.value("--product");
    order.dest = args.value("--dest");
    order.amount = amount;
    Loket::BillQuery query;
    query.orderId = order.orderId;
    query.product = order.product;
    query.customer = order.dest;
    std::unique_ptr<Loket::Biller> biller;
    if (args.flag("--testing"))
    {
        if (s.type != "digiflazz") throw UsageError("--testing is for digiflazz suppliers");
        auto digiflazz = std::make_unique<Loket::DigiflazzBiller>(s, limits);
        digiflazz->setTesting(true);
        biller = std::move(digiflazz);
    }
    else
        biller = Loket::makeSupplierBiller(s, limits);
    std::cout << "supplier: " << code << " (" << s.type << ")\nidtrx: " << order.orderId << "\n";
    if (args.flag("--inquiry"))
    {
        Loket::Bill bill = biller->inquire(query);
        std::cout << "bill: " << billStateName(bill.state) << "\nname: " << bill.name << "\namount: " << bill.amount
                  << "\nadmin: " << amountOr(bill.admin) << "\nprice: " << amountOr(bill.supplierPrice)
                  << "\nperiod: " << bill.period << "\nreason: " << bill.reason << "\nreply: " << bill.raw << "\n";
        return 0;
    }
    Loket::BillerOutcome outcome = args.flag("--status")  ? biller->status(order)
                                   : args.flag("--pay") ? biller->pay(order, query)
                                                        : biller->purchase(order);
    printOutcome(outcome);
    if (outcome.balance) suppliers.noteBalance(code, *outcome.balance);
    return 0;
}

int report(Tool& tool, const Args& args)
{
    std::string code = args.positional(1)[0];
    auto box = Loket::SecretBox::fromConfig(tool.config());
    Loket::Suppliers suppliers(tool.db(), *box);
    Loket::Supplier s = existing(suppliers, code);
    Loket::SupplierReportRequest r;
    r.token = args.value("--token");
    r.peerIp = args.value("--ip", "127.0.0.1");
    r.method = args.value("--method", args.has("--body-file") ? "POST" : "GET");
    r.query = args.value("--query");
    if (args.has("--body-file")) r.body = readFile(args.value("--body-file"));
    if (args.has("--hub-signature")) r.headers.emplace_back("X-Hub-Signature", args.value("--hub-signature"));
    Loket::SupplierReport rep = Loket::readSupplierReport(s, r);
    std::cout << "verdict: " << Loket::verdictName(rep.verdict) << "\nidtrx: " << rep.orderId << "\n";
    printOutcome(rep.outcome);
    return rep.verdict == Loket::SupplierReport::Verdict::Accepted ? 0 : 1;
}

} // namespace

void addSupplierCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"supplier add",
         "supplier add CODE --type otomax|digiflazz [--url T] [--method GET|POST] [--member M] [--pin P] "
         "[--password K] [--sign-prefix P] [--success RE] [--failed RE] [--pending RE] [--check-param N=V] "
         "[--preset loket --base-url URL] [--base-url URL --username U --key K] [--webhook-secret S] "
         "[--report-ip CIDR,...]",
         "Adds an upstream supplier (docs/suppliers.md), open, with a random report token.\n"
         "otomax: --url is the request template with [kodeproduk] [tujuan] [idtrx] [qty] [memberid] [pin]\n"
         "  [password] [sign] [nominal]; --success/--failed/--pending are regexes with named groups sn,\n"
         "  harga, saldo, keterangan; --preset loket --base-url http://HOST:PORT fills them for another Loket.\n"
         "digiflazz: --base-url (https://api.digiflazz.com/v1), --username, --key, --webhook-secret.\n"
         "Pins, passwords, keys and secrets are stored sealed (auth.key_file) and never shown.",
         with(SettingOptions, {"--type"}), {}, [](Tool& tool, const Args& args) {
             Loket::Supplier s;
             s.code = args.positional(1)[0];
             s.type = args.value("--type");
             if (s.type != "otomax" && s.type != "digiflazz") throw UsageError("--type takes otomax or digiflazz");
             applyOptions(s, args);
             std::string bad = Loket::Suppliers::problem(s);
             if (!bad.empty()) throw UsageError(bad);
             auto box = Loket::SecretBox::fromConfig(tool.config());
             Loket::Suppliers suppliers(tool.db(), *box);
             Loket::Supplier old;
             if (suppliers.find(s.code, old)) throw std::runtime_error("supplier " + s.code + " exists; use supplier set");
             suppliers.add(s);
             suppliers.find(s.code, s);
             std::cout << "supplier " << s.code << " added; report URL path: " << s.reportPath() << "\n";
             return 0;
         }});
    commands.push_back({"supplier set", "supplier set CODE [options of supplier add but --type] [--new-report-token]",
                        "Changes a supplier's settings or secrets; options not given stay as they are.\n"
                        "--new-report-token replaces the report token (give the supplier the new URL).",
                        SettingOptions, {"--new-report-token"}, [](Tool& tool, const Args& args) {
                            std::string code = args.positional(1)[0];
                            auto box = Loket::SecretBox::fromConfig(tool.config());
                            Loket::Suppliers suppliers(tool.db(), *box);
                            Loket::Supplier s;
                            std::vector<std::string> lost;
                            if (!suppliers.find(code, s, &lost)) throw std::runtime_error("no supplier " + code);
                            applyOptions(s, args);
                            if (args.flag("--new-report-token")) s.reportToken = Loket::Suppliers::newToken();
                            // Secrets sealed with a key file that is gone cannot be kept: each must be given anew.
                            std::string missing;
                            for (const std::string& field : lost)
                            {
                                std::string option = field == "webhook"        ? "--webhook-secret"
                                                     : field == "report_token" ? "--new-report-token"
                                                                               : "--" + field;
                                if (!args.has(option) && !args.flag(option)) missing += " " + option;
                            }
                            if (!missing.empty())
                                throw UsageError("supplier " + code + "'s secrets were sealed with another key "
                                                 "(auth.key_file) and cannot be kept: give" + missing);
                            std::string bad = Loket::Suppliers::problem(s);
                            if (!bad.empty()) throw UsageError(bad);
                            suppliers.update(s);
                            std::cout << "supplier " << code << " updated\n";
                            return 0;
                        }});
    commands.push_back(
        {"supplier list", "supplier list [--csv]",
         "Lists suppliers: type, open or closed, the report URL path to give the supplier, the last\n"
         "balance it reported, orders in flight (SENT or PENDING with it), today's success rate\n"
         "(successes of today's final orders). p50 latency shows '-' until attempts are recorded.",
         {}, {"--csv"}, [](Tool& tool, const Args& args) {
             args.positional(0);
             auto box = Loket::SecretBox::fromConfig(tool.config());
             Table table({"code", "type", "open", "report_url", "balance", "balance_at", "in_flight",
                                 "success_today", "p50_ms"});
             Loket::Suppliers suppliers(tool.db(), *box);
             for (const auto& s : suppliers.list())
             {
                 Loket::SupplierActivity a = suppliers.activity(s.code);
                 int finals = a.succeeded + a.failed;
                 std::string rate = finals ? std::to_string(a.succeeded * 100 / finals) + "% of " + std::to_string(finals)
                                           : "-";
                 // p50 latency needs per-attempt timing, which the transactions table does not keep.
                 table.add({s.code, s.type + (s.preset.empty() ? "" : "/" + s.preset), s.open ? "open" : "closed",
                            s.reportPath(), s.balanceAt ? Loket::formatRupiah(s.balance) : "-",
                            s.balanceAt ? Loket::Clock::format(s.balanceAt) : "-", std::to_string(a.inFlight), rate,
                            "-"});
             }
             table.print(std::cout, args.flag("--csv"));
             return 0;
         }});
    for (bool open : {false, true})
        commands.push_back({open ? "supplier open" : "supplier close",
                            std::string("supplier ") + (open ? "open" : "close") + " CODE",
                            open ? "Opens a supplier again: routes to it are used."
                                 : "Closes a supplier: no new order goes to it (orders already sent still settle).",
                            {}, {}, [open](Tool& tool, const Args& args) {
                                std::string code = args.positional(1)[0];
                                auto box = Loket::SecretBox::fromConfig(tool.config());
                                Loket::Suppliers suppliers(tool.db(), *box);
                                existing(suppliers, code);
                                suppliers.setOpen(code, open);
                                std::cout << "supplier " << code << (open ? " open" : " closed") << "\n";
                                return 0;
                            }});
    commands.push_back(
        {"supplier test",
         "supplier test CODE --product SKU --dest D [--idtrx ID] [--status | --inquiry | --pay --amount N] "
         "[--testing] | supplier test CODE --balance",
         "Calls the supplier once, outside any order, and prints what it answered: outcome (SUCCESS,\n"
         "FAILED or PENDING), sn, reason, price, balance and the reply. Moves no money. SKU is the\n"
         "supplier's product code. --idtrx defaults to a fresh TEST... id; --status re-checks an idtrx,\n"
         "--inquiry asks for a bill (jenis=5 / inq-pasca), --pay pays it (jenis=6 / pay-pasca; reuse\n"
         "the inquiry's --idtrx). --balance asks a digiflazz supplier for our balance (cek-saldo).\n"
         "--testing (digiflazz) sends \"testing\": true: Digiflazz's published test numbers, no purchase.\n"
         "A real order goes to a real supplier: use its test numbers.",
         {"--product", "--dest", "--idtrx", "--amount"}, {"--status", "--inquiry", "--pay", "--balance", "--testing"}, test});
    commands.push_back(
        {"supplier report",
         "supplier report CODE --token T [--ip IP] [--method GET|POST] [--query Q] [--body-file F] "
         "[--hub-signature S]",
         "Reads a report as /V1/supplier-report/CODE/T would (token, --report-ip, signature, then the\n"
         "order id and outcome) and prints the verdict. Moves nothing: for checking what a supplier\n"
         "sends. Exit status 0 only when the report is accepted.",
         {"--token", "--ip", "--method", "--query", "--body-file", "--hub-signature"}, {}, report});
}

} // namespace Loketctl
