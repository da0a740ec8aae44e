// libFuzzer target: a supplier's reply text (hostile suppliers, issue 10),
// read the way an otomax supplier's replies are: one regex per outcome with
// named groups (ReplyPattern, the published Digiflazz/IRS shapes and Loket's
// own), the amounts believed only in range (SupplierAmount), the text cleaned
// before it can reach a reply (SupplierText).  Invariants: nothing throws or
// crashes; a cleaned value never holds a CR, LF or other control byte and is
// bounded; a believed amount is within 0..SupplierAmount::Max.
#include "ReplyPattern.h"
#include "SupplierAmount.h"
#include "SupplierText.h"
#include <cstdint>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

using namespace Loket;

namespace {

void check(bool ok)
{
    if (!ok) std::abort();
}

const std::vector<ReplyPattern>& patterns()
{
    static const std::vector<ReplyPattern> all = {
        ReplyPattern(R"(^(TRX|STATUS) \S+ SUKSES, HRG:(?<harga>\d+) SN:(?<sn>.*) REFID:\S*\.$)"),
        ReplyPattern(R"(^(TRX|STATUS) \S+ GAGAL, (?<keterangan>.*)\. REFID:\S*\.$)"),
        ReplyPattern(R"(BERHASIL, HRG:(?<harga>[\d.,]+) SN: ?(?<sn>[^.]*)\. SISA SALDO:(?<saldo>[\d.,]+))"),
        ReplyPattern(R"(Code=(?<kode>.+) ke (?<tujuan>.+) (PROSES|GAGAL).*)"),
    };
    return all;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size)
{
    std::string reply(reinterpret_cast<const char*>(data), size);
    for (const ReplyPattern& p : patterns())
    {
        std::map<std::string, std::string> groups;
        if (!p.match(reply, groups)) continue;
        for (const auto& g : groups)
        {
            std::string cleaned = SupplierText::clean(g.second, 100);
            check(cleaned.size() <= 100);
            for (unsigned char c : cleaned) check(c >= 0x20 && c != 0x7f);
            auto amount = SupplierAmount::parseText(g.second);
            if (amount) check(*amount >= 0 && *amount <= SupplierAmount::Max);
        }
    }
    std::string cleaned = SupplierText::clean(reply, 1000);
    check(cleaned.size() <= 1000);
    for (unsigned char c : cleaned) check(c >= 0x20 && c != 0x7f);
    return 0;
}
