#include "Families.h"
#include "Money.h"

namespace Loket {
namespace Families {
namespace {

/// Splits "main@part"; `hasPart` tells whether there was an "@".
void split(const std::string& v, std::string& main, std::string& part, bool& hasPart)
{
    auto at = v.find('@');
    hasPart = at != std::string::npos;
    main = v.substr(0, at);
    part = hasPart ? v.substr(at + 1) : std::string();
}

bool digitsOnly(const std::string& v)
{
    return !v.empty() && v.find_first_not_of("0123456789") == std::string::npos;
}

bool readYear(const std::string& v, int lowest, int highest, int& year)
{
    if (v.size() != 4 || !digitsOnly(v)) return false;
    year = std::stoi(v);
    return year >= lowest && year <= highest;
}

} // namespace

const std::vector<std::string>& names()
{
    static const std::vector<std::string> all = {"PLNPASC", "PLNNONTGL", "PDAM", "BPJSKS", "BPJSTK",
                                                 "INDIHOME", "HPPASCA", "TV", "MULTIFINANCE", "PGN",
                                                 "PERTAGAS", "PKB", "PBB", "KARTUKREDIT"};
    return all;
}

bool known(const std::string& family)
{
    for (const auto& n : names())
        if (n == family) return true;
    return false;
}

std::string baseCode(const std::string& product) { return product.substr(0, product.find('@')); }

std::string read(const std::string& family, const std::string& product, const std::string& dest,
                 int currentYear, BillQuery& q)
{
    std::string code, productPart, customer, destPart;
    bool productHasPart, destHasPart;
    split(product, code, productPart, productHasPart);
    split(dest, customer, destPart, destHasPart);
    q.product = code;
    q.family = family;
    q.customer = customer;

    bool productTakesPart = family == "PBB" || family == "KARTUKREDIT";
    bool destTakesPart = family == "BPJSKS" || family == "PKB";
    if (productHasPart && !productTakesPart) return "product";
    if (destHasPart && !destTakesPart) return "dest";

    if (family == "BPJSKS")
    {
        if (!digitsOnly(destPart) || destPart.size() > 2) return "periode";
        q.months = std::stoi(destPart);
        if (q.months < 1 || q.months > 12) return "periode";
    }
    else if (family == "PKB")
    {
        if (!readYear(destPart, 1950, currentYear + 1, q.year)) return "tahun";
    }
    else if (family == "PBB")
    {
        if (!readYear(productPart, 1990, currentYear, q.year)) return "tahun";
    }
    else if (family == "KARTUKREDIT")
    {
        if (!parseRupiah(productPart, q.amount) || q.amount <= 0 || productPart[0] == '0') return "nominal";
    }
    return "";
}

} // namespace Families
} // namespace Loket
