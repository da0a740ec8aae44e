#include "Tool.h"
#include "Catalogue.h"
#include "Routes.h"
#include "Suppliers.h"
#include "Table.h"
#include <iostream>

namespace Loketctl {

void addRouteCommands(std::vector<Command>& commands)
{
    commands.push_back(
        {"route add", "route add PRODUCT SUPPLIER --code SUPPLIER_SKU --cost N [--priority N]",
         "Lets SUPPLIER deliver PRODUCT under its own code SUPPLIER_SKU at N rupiah per unit. On an existing\n"
         "product-supplier pair it updates that route. Orders take the first open route (lowest --priority,\n"
         "then cheapest) and move to the next only after a definite failure; a route costing more than the\n"
         "product's price is never used.",
         {"--code", "--cost", "--priority"}, {}, [](Tool& tool, const Args& args) {
             const auto& p = args.positional(2);
             Loket::Product product;
             if (!Loket::Catalogue(tool.db()).find(p[0], product)) throw UsageError("unknown product " + p[0]);
             if (p[1] != "sim" && !Loket::Suppliers::exists(tool.db(), p[1]))
                 throw UsageError("unknown supplier " + p[1] + " (loketctl supplier list)");
             if (!args.has("--code") || !args.has("--cost")) throw UsageError("--code and --cost are required");
             Loket::Route r;
             r.product = p[0];
             r.supplier = p[1];
             r.code = args.value("--code");
             if (r.code.empty() || r.code.size() > 64) throw UsageError("--code must be 1..64 characters");
             long long cost = args.number("--cost", -1);
             if (cost < 0 || cost > Loket::MaxRupiah) throw UsageError("--cost must be 0.." + std::to_string(Loket::MaxRupiah));
             r.cost = cost;
             long long priority = args.number("--priority", 0);
             if (priority < -1000 || priority > 1000) throw UsageError("--priority must be -1000..1000");
             r.priority = static_cast<int>(priority);
             Loket::Routes(tool.db()).set(r);
             if (!product.isBill() && r.cost > product.price)
                 std::cerr << "note: the route costs more than " << p[0] << " sells for (" << product.price
                           << "); it is never used until the price or the cost changes\n";
             std::cout << "route " << r.product << " -> " << r.supplier << " set\n";
             return 0;
         }});
    commands.push_back({"route list", "route list [PRODUCT] [--csv]", "Routes in the order they are tried.", {},
                        {"--csv"}, [](Tool& tool, const Args& args) {
                            const auto& p = args.positionalRange(0, 1);
                            Table table({"product", "supplier", "code", "cost", "priority"});
                            for (const auto& r : Loket::Routes(tool.db()).list(p.empty() ? "" : p[0]))
                                table.add({r.product, r.supplier, r.code, std::to_string(r.cost),
                                           std::to_string(r.priority)});
                            table.print(std::cout, args.flag("--csv"));
                            return 0;
                        }});
    commands.push_back({"route del", "route del PRODUCT SUPPLIER", "Removes a route.", {}, {},
                        [](Tool& tool, const Args& args) {
                            const auto& p = args.positional(2);
                            if (!Loket::Routes(tool.db()).remove(p[0], p[1]))
                            {
                                std::cerr << "no route " << p[0] << " -> " << p[1] << "\n";
                                return 1;
                            }
                            std::cout << "route " << p[0] << " -> " << p[1] << " removed\n";
                            return 0;
                        }});
}

} // namespace Loketctl
