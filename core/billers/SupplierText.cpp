#include "SupplierText.h"
#include <Poco/URI.h>

namespace Loket {
namespace SupplierText {

std::string clean(const std::string& text, std::size_t maxBytes)
{
    std::string out;
    out.reserve(std::min(text.size(), maxBytes));
    bool space = false;
    for (unsigned char c : text)
    {
        bool control = c < 0x20 || c == 0x7F;
        if (control || c == ' ')
        {
            space = !out.empty();
            continue;
        }
        if (space)
        {
            if (out.size() + 1 >= maxBytes) break;
            out += ' ';
            space = false;
        }
        if (out.size() >= maxBytes) break;
        out += static_cast<char>(c);
    }
    // Do not leave half of a UTF-8 sequence at the cut.
    std::size_t end = out.size();
    std::size_t lead = end;
    while (lead > 0 && (static_cast<unsigned char>(out[lead - 1]) & 0xC0) == 0x80) --lead;
    if (lead > 0 && static_cast<unsigned char>(out[lead - 1]) >= 0xC0)
    {
        unsigned char first = static_cast<unsigned char>(out[lead - 1]);
        std::size_t need = first >= 0xF0 ? 4 : first >= 0xE0 ? 3 : 2;
        if (end - (lead - 1) < need) out.erase(lead - 1);
    }
    while (!out.empty() && out.back() == ' ') out.pop_back();
    return out;
}

std::string mask(std::string text, const std::vector<std::string>& secrets)
{
    for (const auto& secret : secrets)
    {
        if (secret.size() < 4) continue;
        std::string encoded;
        Poco::URI::encode(secret, "!#$&'()*+,/:;=?@[]", encoded);
        for (const std::string* s : std::initializer_list<const std::string*>{&secret, &encoded})
            for (std::size_t pos = text.find(*s); pos != std::string::npos; pos = text.find(*s, pos + 3))
                text.replace(pos, s->size(), "***");
    }
    return text;
}

} // namespace SupplierText
} // namespace Loket
