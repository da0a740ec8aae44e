#pragma once
#include <string>
#include <vector>

namespace Loket {

/// Text that comes from a supplier (names, SNs, messages) before it may reach a
/// reply template, a callback, a log line or the ledger.
namespace SupplierText {

const std::size_t MaxSn = 100;        ///< serial numbers and tokens
const std::size_t MaxName = 60;       ///< customer names
const std::size_t MaxMessage = 160;   ///< reasons ([keterangan]) and other free text
const std::size_t MaxRaw = 1000;      ///< a whole reply kept for the attempt record

/// `text` on one line: every CR, LF, TAB and other control byte (0x00-0x1F,
/// 0x7F) becomes a space, runs of spaces become one, the ends are trimmed, and
/// the result is at most `maxBytes` bytes (never cut inside a UTF-8 sequence).
/// A supplier cannot forge a second reply line or a template placeholder's
/// neighbour this way; bytes of 0x80 and above are kept (names may be UTF-8).
std::string clean(const std::string& text, std::size_t maxBytes);

/// `text` with every occurrence of each secret (4 bytes or longer, as sent or
/// URL-encoded) replaced by "***": a supplier that echoes our request in an
/// error page must not carry our pin or password into a record or a reply.
std::string mask(std::string text, const std::vector<std::string>& secrets);

} // namespace SupplierText
} // namespace Loket
