#pragma once
#include "Database.h"
#include "Lockout.h"
#include "Partners.h"
#include "SecretBox.h"
#include <string>

namespace Loket {

/// How a partner authenticates, beside the partners row (table partner_auth):
/// pin and password sealed under auth.key_file, the partner's own sign
/// prefix, and its IP allowlist.  A partner without a row here (or with a
/// field still empty) predates sealed secrets: its partners row holds salted
/// digests, which are replaced on the next successful authentication.
struct PartnerAuthRecord
{
    std::string pinSealed;
    std::string passwordSealed;
    std::string signPrefix;   ///< empty: auth.sign_prefix
    std::string ipAllow;      ///< IpAllowList text; empty: any address
};

class PartnerAuth
{
public:
    explicit PartnerAuth(Database& db) : _db(db) {}

    /// The record of `memberId`; an empty one when there is none.
    PartnerAuthRecord find(const std::string& memberId);
    /// The same, the memberID's lockout state and its partner row, in one
    /// statement: every request reads all three (issue 12).  `known` tells
    /// whether the partner exists (`partner` is left alone when not); the
    /// record and the lock may be absent (empty, zero).
    PartnerAuthRecord find(const std::string& memberId, Lockout::State& lock, Partner& partner, bool& known);

    /// Seals and stores the given secrets (an empty one stays as it is) and
    /// clears the partner's old digest of each.  Run inside the caller's
    /// transaction when it must be atomic with other changes.
    void storeSecrets(const SecretBox& box, const std::string& memberId, const std::string& pin,
                      const std::string& password);

    void setSignPrefix(const std::string& memberId, const std::string& prefix);
    void setIpAllow(const std::string& memberId, const std::string& ipAllow);

    /// The contexts sealed pins and passwords are bound to.
    static std::string pinContext(const std::string& memberId) { return "pin:" + memberId; }
    static std::string passwordContext(const std::string& memberId) { return "password:" + memberId; }

private:
    void ensureRow(const std::string& memberId);
    Database& _db;
};

} // namespace Loket
