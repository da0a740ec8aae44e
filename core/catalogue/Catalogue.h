#pragma once
#include "Database.h"
#include "Money.h"
#include <string>
#include <vector>

namespace Loket {

/// A product partners can buy: a prepaid topup with a price, or a bill of a
/// family with an admin fee.
struct Product
{
    std::string code;
    std::string kind = "topup";   ///< "topup" or "bill"
    std::string family;           ///< bill family (Families.h); empty for topups
    Rupiah price = 0;             ///< topup price per unit
    Rupiah admin = 0;             ///< bill admin fee
    std::string biller = "sim";
    bool open = true;

    bool isBill() const { return kind == "bill"; }
};

/// The products table.
class Catalogue
{
public:
    explicit Catalogue(Database& db) : _db(db) {}

    bool find(const std::string& code, Product& product);
    std::vector<Product> list();
    /// Inserts or replaces the product with this code.
    void set(const Product& product);

private:
    Database& _db;
};

} // namespace Loket
