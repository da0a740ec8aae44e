#pragma once
#include "Biller.h"
#include <string>
#include <vector>

namespace Loket {

/// The bill families of the interface.  A product belongs to one family, and
/// the family decides how the product and dest parameters are read:
///   BPJSKS       dest = VA@months (1-12)
///   PKB          dest = plate@year (4 digits, 1950 .. next year)
///   PBB          product = code@year (4 digits, 1990 .. this year)
///   KARTUKREDIT  product = code@amount (whole rupiah, > 0)
/// Every other family takes a plain product code and customer number.
namespace Families {

const std::vector<std::string>& names();
bool known(const std::string& family);

/// The product code without its "@part".
std::string baseCode(const std::string& product);

/// Reads product and dest for `family` into `query`.  Returns the name of the
/// missing or malformed part (RC 30 names it), or "" when both are fine.
std::string read(const std::string& family, const std::string& product, const std::string& dest,
                 int currentYear, BillQuery& query);

} // namespace Families
} // namespace Loket
