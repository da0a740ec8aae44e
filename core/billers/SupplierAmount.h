#pragma once
#include "Money.h"
#include <optional>
#include <string>

namespace Loket {

/// Amounts a supplier states (prices, balances, bills).
namespace SupplierAmount {

/// The largest amount a supplier may state: Rp 100 billion.  Anything above is
/// not believed (and can never overflow a sum of a few of them).
const Rupiah Max = 100000000000LL;

/// A whole rupiah amount from supplier text: digits with optional "." or ","
/// thousands separators ("71,900", "82.006.847", "10000").  Empty when the text
/// is anything else or above Max.
std::optional<Rupiah> parseText(const std::string& text);

/// A JSON number or numeric string (Digiflazz sends both): whole, 0..Max.
/// A fraction of zero (10000.0) is accepted; anything else is empty.
std::optional<Rupiah> fromDouble(double value);

} // namespace SupplierAmount
} // namespace Loket
