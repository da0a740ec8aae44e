#include "Money.h"
#include <limits>

namespace Loket {

bool parseRupiah(const std::string& text, Rupiah& amount)
{
    if (text.empty() || text.size() > 18) return false; // 18 digits cannot overflow Int64
    Rupiah value = 0;
    for (char c : text)
    {
        if (c < '0' || c > '9') return false;
        value = value * 10 + (c - '0');
    }
    amount = value;
    return true;
}

} // namespace Loket
