#pragma once
#include <map>
#include <memory>
#include <string>

namespace Loket {

/// One supplier reply regex, OtomaX style: PCRE syntax with named groups
/// (`(?<sn>...)` or `(?P<sn>...)`; a name may repeat in alternatives).
/// Poco::RegularExpression (1.11) does not expose group names, hence libpcre.
class ReplyPattern
{
public:
    /// The empty pattern: matches nothing.
    ReplyPattern() = default;

    /// Compiles `pattern`; throws std::invalid_argument with PCRE's message.
    explicit ReplyPattern(const std::string& pattern);

    bool empty() const { return !_code; }
    const std::string& text() const { return _text; }

    /// True when the pattern matches somewhere in `subject`; `groups` then holds
    /// every named group that took part (for a repeated name, the first set).
    /// A match that runs into PCRE's backtracking limits counts as no match.
    bool match(const std::string& subject, std::map<std::string, std::string>& groups) const;

private:
    struct Compiled;
    std::shared_ptr<Compiled> _code;
    std::string _text;
};

} // namespace Loket
