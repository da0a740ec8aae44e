#pragma once
#include "Config.h"
#include <memory>
#include <string>

namespace Loket {

/// Secrets at rest: AES-256-GCM under a 256-bit key kept in its own file
/// (auth.key_file), never in the ledger.  A sealed value is bound to its
/// context (e.g. "pin:M1"), so a sealed pin cannot be moved to another row or
/// field and still open.
class SecretBox
{
public:
    /// Reads the key from `path` (64 hex digits).  Throws std::runtime_error
    /// when the file is missing, malformed, or readable by group or others.
    static SecretBox fromKeyFile(const std::string& path);

    /// Creates `path` with a fresh random key, mode 0600.  False (and no
    /// change) when it already exists; throws when it cannot be written.
    static bool createKeyFile(const std::string& path);

    /// The box for `path`, read once per process and shared (thread-safe).
    static const SecretBox& cached(const std::string& path);

    /// "g1:" + hex(nonce | ciphertext | tag), fresh nonce each call.
    std::string seal(const std::string& plain, const std::string& context) const;

    /// The plain text of `sealed`; false when it was sealed under another key
    /// or context, or was altered.
    bool open(const std::string& sealed, const std::string& context, std::string& plain) const;

    /// The same, throwing std::runtime_error instead of returning false.  An
    /// empty `sealed` opens to "" (an unset secret).
    std::string open(const std::string& sealed, const std::string& context) const;

    /// The box of this installation (auth.key_file), its key file created
    /// (mode 0600) when missing: partners' and suppliers' secrets alike.
    static std::unique_ptr<SecretBox> fromConfig(const Config& config);

private:
    SecretBox() = default;
    unsigned char _key[32] = {};
};

} // namespace Loket
