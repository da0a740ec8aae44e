#pragma once
#include <Poco/Types.h>
#include <string>

namespace Loket {

/// Money is whole rupiah in a 64-bit integer, never floating point.
using Rupiah = Poco::Int64;

/// Decimal digits only, no separators: "302750".
inline std::string formatRupiah(Rupiah amount) { return std::to_string(amount); }

/// Parses a non-negative amount of whole rupiah; false on anything else
/// (sign, separators, decimals, overflow).
bool parseRupiah(const std::string& text, Rupiah& amount);

} // namespace Loket
