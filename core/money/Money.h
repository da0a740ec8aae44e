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

namespace Loket {

/// The largest amount Loket handles anywhere (one trillion rupiah): every
/// amount from config, a biller or a request is checked against it before
/// arithmetic, so sums and products of checked amounts cannot overflow.
const Rupiah MaxRupiah = 1000000000000LL;

/// `a` × `n` into `out`; false when an operand or the result is outside 0..MaxRupiah.
inline bool multiplyRupiah(Rupiah a, Poco::Int64 n, Rupiah& out)
{
    if (a < 0 || n < 0 || a > MaxRupiah || n > MaxRupiah) return false;
    if (n != 0 && a > MaxRupiah / n) return false;
    out = a * n;
    return true;
}

/// `a` + `b` into `out`; false when an operand or the result is outside 0..MaxRupiah.
inline bool addRupiah(Rupiah a, Rupiah b, Rupiah& out)
{
    if (a < 0 || b < 0 || a > MaxRupiah || b > MaxRupiah || a + b > MaxRupiah) return false;
    out = a + b;
    return true;
}

} // namespace Loket
