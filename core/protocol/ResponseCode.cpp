#include "ResponseCode.h"

namespace Loket {

const std::string& actionWord(Action action)
{
    static const std::string words[] = {"TRX", "CEK", "BAYAR", "STATUS", "SALDO", "MUTASI", "HARGA"};
    return words[static_cast<int>(action)];
}

} // namespace Loket
