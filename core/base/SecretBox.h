#pragma once
#include "Config.h"
#include <memory>
#include <string>

namespace Loket {

/// Seals secrets that Loket must read back (a supplier's pin, password, API key,
/// webhook secret, report token) before they are stored, and opens them again.
/// Secrets are never printed or logged; only what seal() returns is stored.
class SecretBox
{
public:
    virtual ~SecretBox() = default;

    /// `plain` sealed for storage, as printable text.  `context` names where it
    /// is stored (e.g. "supplier/UP/pin"): a sealed value copied to another
    /// place does not open there.  An empty secret seals to "".
    virtual std::string seal(const std::string& plain, const std::string& context) const = 0;

    /// The secret sealed in `sealed` under `context`.  Throws std::runtime_error
    /// when it was sealed with another key or context, or was altered.
    virtual std::string open(const std::string& sealed, const std::string& context) const = 0;

    /// The box of this installation: AES-256-GCM with the key in `auth.key_file`
    /// (default loket.key beside the config), created with mode 0600 when
    /// missing.  Throws when the key file is unreadable, malformed, or readable
    /// by other users.
    static std::unique_ptr<SecretBox> fromConfig(const Config& config);
};

} // namespace Loket
