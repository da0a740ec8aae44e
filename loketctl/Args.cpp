#include "Args.h"
#include "Money.h"

namespace Loketctl {

Args::Args(const std::vector<std::string>& words, const std::set<std::string>& valueOptions,
           const std::set<std::string>& flags)
{
    for (std::size_t i = 0; i < words.size(); ++i)
    {
        const std::string& w = words[i];
        if (w.size() > 2 && w.compare(0, 2, "--") == 0)
        {
            if (flags.count(w)) _flags.insert(w);
            else if (valueOptions.count(w))
            {
                if (i + 1 >= words.size()) throw UsageError(w + " needs a value");
                _values[w] = words[++i];
            }
            else throw UsageError("unknown option " + w);
        }
        else _positional.push_back(w);
    }
}

const std::vector<std::string>& Args::positional(std::size_t count) const
{
    if (_positional.size() != count)
        throw UsageError("expected " + std::to_string(count) + " argument(s), got " +
                         std::to_string(_positional.size()));
    return _positional;
}

const std::vector<std::string>& Args::positionalRange(std::size_t min, std::size_t max) const
{
    if (_positional.size() < min || _positional.size() > max)
        throw UsageError("expected " + std::to_string(min) + " to " + std::to_string(max) + " argument(s), got " +
                         std::to_string(_positional.size()));
    return _positional;
}

std::string Args::value(const std::string& name, const std::string& fallback) const
{
    auto it = _values.find(name);
    return it == _values.end() ? fallback : it->second;
}

long long Args::number(const std::string& name, long long fallback) const
{
    return has(name) ? toNumber(value(name), name) : fallback;
}

long long toNumber(const std::string& text, const std::string& what)
{
    std::size_t used = 0;
    long long n = 0;
    try
    {
        n = std::stoll(text, &used, 10);
    }
    catch (const std::exception&)
    {
        used = 0;
    }
    if (text.empty() || used != text.size()) throw UsageError(what + " must be a whole number, got '" + text + "'");
    return n;
}

} // namespace Loketctl

namespace Loketctl {

long long toAmount(const std::string& text, const std::string& what, bool allowNegative)
{
    bool negative = allowNegative && !text.empty() && text[0] == '-';
    std::string digits = negative ? text.substr(1) : text;
    if (digits.empty() || digits.find_first_not_of("0123456789") != std::string::npos)
        throw UsageError(what + " must be a whole number of rupiah (digits only), got '" + text + "'");
    std::size_t first = digits.find_first_not_of('0');
    std::string significant = first == std::string::npos ? "0" : digits.substr(first);
    const std::string max = std::to_string(Loket::MaxRupiah);
    if (significant.size() > max.size() || (significant.size() == max.size() && significant > max))
        throw UsageError(what + " " + text + " is out of range (at most " + max + " rupiah)");
    long long n = std::stoll(significant);
    return negative ? -n : n;
}

} // namespace Loketctl
