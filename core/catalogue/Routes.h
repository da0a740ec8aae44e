#pragma once
#include "Config.h"
#include "Database.h"
#include "Money.h"
#include <string>
#include <vector>

namespace Loket {

/// One way to deliver a product: a supplier, the supplier's own product code
/// (SKU) and what one unit costs us there.
struct Route
{
    std::string product;
    std::string supplier;
    std::string code;        ///< the supplier's SKU
    Rupiah cost = 0;         ///< per unit
    int priority = 0;        ///< lower first; then cheaper first
};

/// The routes table (`loketctl route add|list|del`).  A product without routes
/// has one implicit route: its `biller` column, with its own code and cost 0
/// (`product set CODE --biller NAME`, the shorthand for a single route).
class Routes
{
public:
    explicit Routes(Database& db) : _db(db) {}

    /// Adds the route, or updates the one of this product–supplier pair.
    void set(const Route& route);
    /// False when there was no such route.
    bool remove(const std::string& product, const std::string& supplier);
    /// All routes (of `product` if given), in the order they are tried.
    std::vector<Route> list(const std::string& product = "");

    /// The routes an order of `product` (unit price `price`) may take now, in
    /// order: each on a biller that serves now (Billers::serves), and never a
    /// route that costs more than the product sells for.  Falls back to the
    /// product's `biller` column when it has no routes at all.
    std::vector<Route> usable(const Config& config, const std::string& product, const std::string& billerColumn,
                              Rupiah price);

private:
    Database& _db;
};

} // namespace Loket
