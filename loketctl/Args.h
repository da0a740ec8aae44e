#pragma once
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

namespace Loketctl {

/// A bad command line; main prints it with the command's usage and exits 2.
class UsageError : public std::runtime_error
{
public:
    using std::runtime_error::runtime_error;
};

/// The words and --options after a command.  Options are declared up front:
/// an undeclared option, or a value option without its value, is a UsageError.
class Args
{
public:
    Args(const std::vector<std::string>& words, const std::set<std::string>& valueOptions,
         const std::set<std::string>& flags);

    /// The positional words; exactly `count` are required.
    const std::vector<std::string>& positional(std::size_t count) const;
    /// The positional words; between `min` and `max` are required.
    const std::vector<std::string>& positionalRange(std::size_t min, std::size_t max) const;
    bool flag(const std::string& name) const { return _flags.count(name) > 0; }
    bool has(const std::string& name) const { return _values.count(name) > 0; }
    std::string value(const std::string& name, const std::string& fallback = "") const;
    /// A whole number option; UsageError when present but not a number.
    long long number(const std::string& name, long long fallback) const;

private:
    std::vector<std::string> _positional;
    std::map<std::string, std::string> _values;
    std::set<std::string> _flags;
};

/// Parses a whole number of the full string; UsageError naming `what` otherwise.
long long toNumber(const std::string& text, const std::string& what);

/// Parses an amount of whole rupiah (digits only, a leading '-' when
/// `allowNegative`); UsageError naming `what` when it is not a number, and a
/// UsageError of its own when it is beyond Loket::MaxRupiah.
long long toAmount(const std::string& text, const std::string& what, bool allowNegative);

} // namespace Loketctl
