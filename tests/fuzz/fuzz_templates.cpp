// libFuzzer target: a reply template as an operator could type it (rc set),
// checked by Templates::problems() and, when accepted, rendered with values.
// Invariants: checking never throws; an accepted text renders to one line
// that starts with its action word and carries the status word of its RC.
#include "Templates.h"
#include <cstdint>
#include <cstdlib>
#include <string>

using namespace Loket;

namespace {
const char* const Codes[] = {"00", "68", "42", "99", "30", "0", "A1"};
const char* const Actions[] = {"TRX", "CEK", "BAYAR", "STATUS", "SALDO", "trx"};
const Action ActionOf[] = {Action::Topup, Action::Inquiry, Action::Payment, Action::Status, Action::Balance,
                           Action::Topup};

void check(bool ok)
{
    if (!ok) std::abort();
}
} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    if (size < 2) return 0;
    int c = data[0] % 7, a = data[1] % 6;
    std::string text(reinterpret_cast<const char*>(data + 2), size - 2);
    auto problems = Templates::problems(Codes[c], Actions[a], text);
    if (!problems.empty()) return 0;
    check(c < 5 && a < 5);
    const std::string action = Actions[a];
    if (!(action == "SALDO" && std::string(Codes[c]) == "00"))
    {
        check(text.compare(0, action.size() + 1, action + " ") == 0);
        check(text.find(Templates::statusWordOf(Codes[c])) != std::string::npos);
    }
    // Rendering goes through the placeholders with values that hold brackets
    // and the words themselves.
    Fields f;
    for (const auto& name : Templates::placeholders()) f[name] = "[" + name + "] SUKSES";
    std::string rendered = Templates::renderText(text, f);
    check(rendered.find('\n') == std::string::npos);
    (void)ActionOf;
    return 0;
}
