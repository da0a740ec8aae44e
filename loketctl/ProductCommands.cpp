#include "Tool.h"
#include "Billers.h"
#include "Catalogue.h"
#include "Suppliers.h"
#include "Families.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {

void addProductCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"product set",
         "product set CODE [--price N | --family NAME --admin N] [--biller NAME] [--open yes|no]",
         "Adds or replaces a product. With --price it is a prepaid topup; with --family it is a bill of that\n"
         "family (PLNPASC PLNNONTGL PDAM BPJSKS BPJSTK INDIHOME HPPASCA TV MULTIFINANCE PGN PERTAGAS PKB PBB\n"
         "KARTUKREDIT) with an admin fee. --biller names who delivers it (required for a new product: a\n"
         "production product never falls to the sim by accident; `sim` serves only where\n"
         "biller.sim.enabled = true). --open no closes it (RC 47).\n"
         "Without --price or --family it changes an existing product: --open, --biller, and --admin of a bill;\n"
         "everything else (the price, above all) stays as it is.",
         {"--price", "--family", "--admin", "--biller", "--open"}, {}, [](Tool& tool, const Args& args) {
             Loket::Product p;
             p.code = args.positional(1)[0];
             if (p.code.empty() || p.code.size() > 20 ||
                 p.code.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789") !=
                     std::string::npos)
                 throw UsageError("CODE must be [A-Za-z0-9]{1,20}");
             if (args.has("--family") && args.has("--price"))
                 throw UsageError("give either --price (topup) or --family (bill), not both");
             bool open = yesNo(args.value("--open", "yes"), "--open");
             Loket::Catalogue catalogue(tool.db());
             Loket::Product existing;
             bool exists = catalogue.find(p.code, existing);
             if (!args.has("--family") && !args.has("--price"))
             {
                 // A change to an existing product: what is not given stays.
                 if (!exists)
                     throw UsageError("no product " + p.code + "; a new one needs --price N or --family NAME --admin N");
                 if (!args.has("--open") && !args.has("--biller") && !args.has("--admin"))
                     throw UsageError("nothing to change: give --open, --biller or --admin");
                 if (args.has("--admin") && !existing.isBill())
                     throw UsageError(p.code + " is a topup: it has a --price, not an --admin fee");
                 p = existing;
                 if (args.has("--open")) p.open = open;
             }
             else if (args.has("--family"))
             {
                 p.kind = "bill";
                 p.family = args.value("--family");
                 if (!Loket::Families::known(p.family)) throw UsageError("unknown family " + p.family);
                 if (!args.has("--admin")) throw UsageError("a bill needs --admin N (0 for none)");
                 p.open = open;
             }
             else
             {
                 p.price = toAmount(args.value("--price"), "--price", false);
                 if (p.price == 0) throw UsageError("--price must be positive: a product is never given away");
                 if (args.has("--admin")) throw UsageError("--admin is for bills (--family); a topup has --price");
                 p.open = open;
             }
             if (args.has("--admin")) p.admin = toAmount(args.value("--admin"), "--admin", false);
             bool defining = args.has("--family") || args.has("--price");
             if (defining && !args.has("--biller")) throw UsageError("--biller NAME is required (e.g. --biller sim)");
             if (args.has("--biller")) p.biller = args.value("--biller");
             if (p.biller != "sim" && !Loket::Suppliers::exists(tool.db(), p.biller))
                 throw UsageError("unknown biller " + p.biller + " (sim, or a supplier: loketctl supplier list)");
             if (!Loket::Billers::serves(tool.config(), tool.db(), p.biller))
                 std::cerr << "note: biller " << p.biller << " is not enabled in " << "this configuration; the product "
                           << "is refused with RC 47 until it is (biller.sim.enabled = true for the sim)\n";
             catalogue.set(p);
             std::cout << "product " << p.code << " set" << (exists ? " (changed)" : " (new)")
                       << (p.open ? "" : ", closed") << "\n";
             return 0;
         }});
    commands.push_back({"product list", "product list [--csv]", "Lists the catalogue.", {}, {"--csv"},
                        [](Tool& tool, const Args& args) {
                            args.positional(0);
                            Table table({"code", "kind", "family", "price", "admin", "biller", "open"});
                            for (const auto& p : Loket::Catalogue(tool.db()).list())
                                table.add({p.code, p.kind, p.family, std::to_string(p.price), std::to_string(p.admin),
                                           p.biller, p.open ? "yes" : "no"});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
}

} // namespace Loketctl
