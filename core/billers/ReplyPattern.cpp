#include "ReplyPattern.h"
#include <pcre.h>
#include <stdexcept>
#include <vector>

namespace Loket {

struct ReplyPattern::Compiled
{
    pcre* re = nullptr;
    pcre_extra* extra = nullptr;
    ~Compiled()
    {
        if (extra) pcre_free_study(extra);
        if (re) pcre_free(re);
    }
};

ReplyPattern::ReplyPattern(const std::string& pattern) : _text(pattern)
{
    if (pattern.empty()) return;
    if (pattern.find('\0') != std::string::npos) throw std::invalid_argument("a NUL byte in the pattern");
    const char* error = nullptr;
    int offset = 0;
    auto compiled = std::make_shared<Compiled>();
    compiled->re = pcre_compile(pattern.c_str(), PCRE_DUPNAMES, &error, &offset, nullptr);
    if (!compiled->re)
        throw std::invalid_argument(std::string(error ? error : "bad pattern") + " at offset " + std::to_string(offset));
    compiled->extra = pcre_study(compiled->re, 0, &error);
    if (!compiled->extra) compiled->extra = static_cast<pcre_extra*>(pcre_malloc(sizeof(pcre_extra))),
                          compiled->extra->flags = 0;
    // A supplier's text meets an operator's regex: bound the backtracking so
    // that no reply can hold a dispatcher thread for long.
    compiled->extra->flags |= PCRE_EXTRA_MATCH_LIMIT | PCRE_EXTRA_MATCH_LIMIT_RECURSION;
    compiled->extra->match_limit = 200000;
    compiled->extra->match_limit_recursion = 5000;
    _code = compiled;
}

bool ReplyPattern::match(const std::string& subject, std::map<std::string, std::string>& groups) const
{
    groups.clear();
    if (!_code) return false;
    int captures = 0;
    pcre_fullinfo(_code->re, nullptr, PCRE_INFO_CAPTURECOUNT, &captures);
    std::vector<int> ovector(static_cast<std::size_t>(captures + 1) * 3);
    int rc = pcre_exec(_code->re, _code->extra, subject.data(), static_cast<int>(subject.size()), 0, 0,
                       ovector.data(), static_cast<int>(ovector.size()));
    if (rc < 0) return false;   // no match, or a limit was hit: both "not this outcome"
    int count = 0, entrySize = 0;
    unsigned char* table = nullptr;
    pcre_fullinfo(_code->re, nullptr, PCRE_INFO_NAMECOUNT, &count);
    pcre_fullinfo(_code->re, nullptr, PCRE_INFO_NAMEENTRYSIZE, &entrySize);
    pcre_fullinfo(_code->re, nullptr, PCRE_INFO_NAMETABLE, &table);
    for (int i = 0; i < count; ++i)
    {
        const unsigned char* entry = table + i * entrySize;
        int n = (entry[0] << 8) | entry[1];
        std::string name(reinterpret_cast<const char*>(entry + 2));
        if (groups.count(name) || n >= rc) continue;
        int start = ovector[2 * n], end = ovector[2 * n + 1];
        if (start < 0) continue;
        groups[name] = subject.substr(static_cast<std::size_t>(start), static_cast<std::size_t>(end - start));
    }
    return true;
}

} // namespace Loket
