#include "ParameterRules.h"

namespace Loket {
namespace ParameterRules {
namespace {

bool isAlnum(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

bool allOf(const std::string& v, std::size_t minLen, std::size_t maxLen, bool (*ok)(char))
{
    if (v.size() < minLen || v.size() > maxLen) return false;
    for (char c : v)
        if (!ok(c)) return false;
    return true;
}

/// "main" or "main@part": the @ forms of the bill families.
bool codeWithOptionalPart(const std::string& v, std::size_t mainMax)
{
    auto at = v.find('@');
    if (at == std::string::npos) return allOf(v, 1, mainMax, isAlnum);
    // An empty part is let through: the family names it (RC 30 "periode", "tahun", ...).
    return allOf(v.substr(0, at), 1, mainMax, isAlnum) && allOf(v.substr(at + 1), 0, 15, isAlnum);
}

} // namespace

bool validMemberId(const std::string& v)
{
    return allOf(v, 1, 32, [](char c) { return isAlnum(c) || c == '_' || c == '-'; });
}

bool validPin(const std::string& v) { return allOf(v, 1, 32, isAlnum); }

bool validPassword(const std::string& v)
{
    return allOf(v, 1, 128, [](char c) { return c > 0x20 && c < 0x7f; });
}

bool validSign(const std::string& v)
{
    return allOf(v, 27, 27, [](char c) { return isAlnum(c) || c == '_' || c == '-'; });
}

bool validRefId(const std::string& v)
{
    return allOf(v, 1, 64, [](char c) { return isAlnum(c) || c == '_' || c == '-'; });
}

bool validProduct(const std::string& v) { return codeWithOptionalPart(v, 20); }

bool validDest(const std::string& v) { return codeWithOptionalPart(v, 32); }

bool parseQty(const std::string& v, int& qty)
{
    if (v.empty() || v.size() > 3 || v[0] < '1' || v[0] > '9') return false;
    int n = 0;
    for (char c : v)
    {
        if (c < '0' || c > '9') return false;
        n = n * 10 + (c - '0');
    }
    if (n > MaxQty) return false;
    qty = n;
    return true;
}

} // namespace ParameterRules
} // namespace Loket
