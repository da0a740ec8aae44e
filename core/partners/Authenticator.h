#pragma once
#include "Config.h"
#include "Database.h"
#include "Partners.h"
#include "Signature.h"
#include <string>

namespace Loket {

/// What a request offers to prove who sent it.  Either pin and password, or
/// (when both are empty) a sign over `signedFields`.
struct AuthRequest
{
    std::string memberId;
    std::string pin;
    std::string password;
    std::string sign;
    Signature::Fields signedFields;
    std::string remoteAddr;   ///< the client's address as nginx saw it (REMOTE_ADDR)
};

enum class AuthOutcome
{
    Ok,
    WrongCredentials,    ///< unknown memberID, wrong pin, password or sign: one answer for all
    Suspended,           ///< right credentials, partner not active
    SignatureRequired,   ///< right pin and password from a partner that must sign
    IpNotAllowed,        ///< the partner's allowlist does not hold remoteAddr
    Locked               ///< too many failures; nothing was checked
};

/// Decides whether a request comes from the partner it names (docs/protocol.md,
/// "Authentication"), in this order: IP allowlist, lock, credentials, active,
/// signature required.  Every credential failure counts towards a lock; a
/// success forgets them and upgrades a partner's old digests to sealed
/// secrets.  An unknown memberID costs the same work as a wrong pin.
class Authenticator
{
public:
    Authenticator(const Config& config, Database& db) : _config(config), _db(db) {}

    /// Fills `partner` when the memberID exists.  Throws when the key file or
    /// the ledger cannot be read (the caller answers RC 99): a broken key must
    /// never count as partners' failures.
    AuthOutcome authenticate(const AuthRequest& request, Partner& partner);

private:
    const Config& _config;
    Database& _db;
};

} // namespace Loket
