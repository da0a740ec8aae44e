#include "Tool.h"
#include "Catalogue.h"
#include "PriceLevels.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {

namespace {

void checkLevel(const std::string& level)
{
    std::string why = Loket::PriceLevels::levelProblem(level);
    if (!why.empty()) throw UsageError(why);
}

} // namespace

void addPriceCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"level set", "level set LEVEL PRODUCT --markup N",
         "Partners of price level LEVEL pay N rupiah above PRODUCT's price (per unit of a topup; on a bill,\n"
         "above the product's admin fee). Replaces LEVEL's markup on PRODUCT. Give a partner a level with\n"
         "`loketctl partner set MEMBERID --level LEVEL`.",
         {"--markup"}, {}, [](Tool& tool, const Args& args) {
             const auto& p = args.positional(2);
             checkLevel(p[0]);
             Loket::Product product;
             if (!Loket::Catalogue(tool.db()).find(p[1], product)) throw UsageError("unknown product " + p[1]);
             if (!args.has("--markup")) throw UsageError("--markup is required");
             Loket::LevelMarkup m{p[0], p[1], toAmount(args.value("--markup"), "--markup", false)};
             Loket::Rupiah partnerPrice = 0;
             if (!Loket::addRupiah(product.isBill() ? product.admin : product.price, m.markup, partnerPrice))
                 throw UsageError("price plus markup is above " + std::to_string(Loket::MaxRupiah));
             Loket::PriceLevels(tool.db()).set(m);
             std::cout << "level " << m.level << " " << m.product << " markup " << m.markup << " ("
                       << (product.isBill() ? "admin " : "price ") << partnerPrice << ")\n";
             return 0;
         }});
    commands.push_back({"level list", "level list [LEVEL] [--csv]", "Markups per level and product.", {}, {"--csv"},
                        [](Tool& tool, const Args& args) {
                            const auto& p = args.positionalRange(0, 1);
                            Table table({"level", "product", "markup"});
                            for (const auto& m : Loket::PriceLevels(tool.db()).list(p.empty() ? "" : p[0]))
                                table.add({m.level, m.product, std::to_string(m.markup)});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back({"level del", "level del LEVEL PRODUCT",
                        "Removes LEVEL's markup on PRODUCT: its partners pay the product's own price.", {}, {},
                        [](Tool& tool, const Args& args) {
                            const auto& p = args.positional(2);
                            if (!Loket::PriceLevels(tool.db()).remove(p[0], p[1]))
                            {
                                std::cerr << "no markup of level " << p[0] << " on " << p[1] << "\n";
                                return 1;
                            }
                            std::cout << "level " << p[0] << " " << p[1] << " removed\n";
                            return 0;
                        }});
    commands.push_back(
        {"price list", "price list --member M [--csv]",
         "What partner M pays for every product (its level's markups included; a bill: the admin fee on top\n"
         "of the bill) and whether the product is open now: the list M reads at /V1/http-get/pricelist.",
         {"--member"}, {"--csv"}, [](Tool& tool, const Args& args) {
             args.positional(0);
             if (!args.has("--member")) throw UsageError("--member is required");
             std::string member = args.value("--member");
             requirePartner(tool, member);
             Loket::PriceLevels levels(tool.db());
             Table table({"product", "kind", "price", "state"});
             for (const auto& l : levels.priceList(tool.config(), member))
                 table.add({l.product, l.kind, std::to_string(l.price), l.open ? "open" : "closed"});
             table.print(std::cout, args.flag("--csv"));
             return 0;
         }});
}

} // namespace Loketctl
