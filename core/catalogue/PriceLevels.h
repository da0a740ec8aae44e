#pragma once
#include "Catalogue.h"
#include "Config.h"
#include "Database.h"
#include "Money.h"
#include <string>
#include <vector>

namespace Loket {

/// One level's markup on one product (`loketctl level set LEVEL PRODUCT --markup N`).
struct LevelMarkup
{
    std::string level;
    std::string product;
    Rupiah markup = 0;
};

/// One line of a partner's price list.
struct PriceLine
{
    std::string product;
    std::string kind;      ///< "topup" or "bill"
    Rupiah price = 0;      ///< a topup: per unit; a bill: the admin fee on top of the bill
    bool open = false;     ///< open, with a supplier that serves it now
};

/// Partner price levels (OtomaX's markup per level): the one place that says
/// what a partner pays.  A partner with level L pays a topup's price plus L's
/// markup for that product per unit, and a bill's amount plus the product's
/// admin fee plus L's markup.  No level, or no row for the product: no markup.
class PriceLevels
{
public:
    explicit PriceLevels(Database& db) : _db(db) {}

    /// What `memberId` pays for one unit of topup `product`, or the admin fee
    /// it pays on a bill of bill `product`.  False when the sum leaves
    /// 0..MaxRupiah (the product must then not be sold).
    bool priceFor(const std::string& memberId, const Product& product, Rupiah& price);

    /// `memberId`'s level's markup on `product` (0 when none).
    Rupiah markup(const std::string& memberId, const std::string& product);

    /// Adds or replaces LEVEL's markup on PRODUCT.
    void set(const LevelMarkup& m);
    /// False when there was no such row.
    bool remove(const std::string& level, const std::string& product);
    /// All markups (of `level` if given), by level then product.
    std::vector<LevelMarkup> list(const std::string& level = "");

    /// The partner's level ("" none).
    std::string levelOf(const std::string& memberId);
    void setLevel(const std::string& memberId, const std::string& level);

    /// Every product as `memberId` buys it: its price, open or closed.
    std::vector<PriceLine> priceList(const Config& config, const std::string& memberId);

    /// Why `level` cannot be a level name ("" when it can): 1..32 of A-Z a-z 0-9 _ -.
    static std::string levelProblem(const std::string& level);

private:
    Database& _db;
};

} // namespace Loket
