#include "SupplierAmount.h"
#include <cctype>
#include <cmath>

namespace Loket {
namespace SupplierAmount {

std::optional<Rupiah> parseText(const std::string& text)
{
    std::string digits;
    for (std::size_t i = 0; i < text.size(); ++i)
    {
        char c = text[i];
        if (c >= '0' && c <= '9') digits += c;
        // A thousands separator: after a digit, before exactly three digits.
        else if ((c == '.' || c == ',') && i > 0 && i + 3 < text.size() && std::isdigit((unsigned char)text[i + 1]) &&
                 std::isdigit((unsigned char)text[i + 2]) && std::isdigit((unsigned char)text[i + 3]) &&
                 (i + 4 == text.size() || text[i + 4] == c) && std::isdigit((unsigned char)text[i - 1]))
            continue;
        else return std::nullopt;
    }
    if (digits.empty() || digits.size() > 12) return std::nullopt;
    Rupiah value = std::stoll(digits);
    if (value > Max) return std::nullopt;
    return value;
}

std::optional<Rupiah> fromDouble(double value)
{
    if (!std::isfinite(value) || value < 0 || value > static_cast<double>(Max) || std::floor(value) != value)
        return std::nullopt;
    return static_cast<Rupiah>(value);
}

} // namespace SupplierAmount
} // namespace Loket
