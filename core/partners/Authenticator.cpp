#include "Authenticator.h"
#include "Clock.h"
#include "Credentials.h"
#include "IpAllowList.h"
#include "Lockout.h"
#include "PartnerAuth.h"
#include "SecretBox.h"
#include <openssl/crypto.h>
#include <cstdint>
#include <cstring>
#include <openssl/sha.h>
#include <iostream>
#include <mutex>
#include <stdexcept>

namespace Loket {
namespace {

/// Sealed secrets of a memberID that does not exist, opened in its place so an
/// unknown memberID costs the same as a known one.
struct Dummy
{
    std::string pin, password;
};

const Dummy& dummyFor(const SecretBox& box)
{
    static std::mutex mutex;
    static const SecretBox* sealedWith = nullptr;
    static Dummy dummy;
    std::lock_guard<std::mutex> lock(mutex);
    if (sealedWith != &box)
    {
        dummy = {box.seal("000000", PartnerAuth::pinContext("")), box.seal("-", PartnerAuth::passwordContext(""))};
        sealedWith = &box;
    }
    return dummy;
}

/// Constant-time equality of two secrets, independent of their lengths:
/// every byte of a fixed window is compared (pins and passwords are far
/// shorter; ParameterRules bound them).  Longer text is compared through its
/// SHA-256 digest instead.  (Hashing every comparison cost 25k instructions
/// per request: issue 12.)
bool sameSecret(const std::string& a, const std::string& b)
{
    const std::size_t Window = 256;
    if (a.size() > Window || b.size() > Window)
    {
        unsigned char da[SHA256_DIGEST_LENGTH], db[SHA256_DIGEST_LENGTH];
        SHA256(reinterpret_cast<const unsigned char*>(a.data()), a.size(), da);
        SHA256(reinterpret_cast<const unsigned char*>(b.data()), b.size(), db);
        return a.size() == b.size() && CRYPTO_memcmp(da, db, sizeof da) == 0;
    }
    unsigned char padA[Window] = {}, padB[Window] = {};
    std::memcpy(padA, a.data(), a.size());
    std::memcpy(padB, b.data(), b.size());
    // Eight bytes at a time, every word of the window, no early exit: the
    // same constant time as CRYPTO_memcmp's byte loop at an eighth of its
    // cost (3.6k instructions per request: issue 12).
    std::uint64_t diff = a.size() ^ b.size();
    for (std::size_t i = 0; i < Window; i += sizeof diff)
    {
        std::uint64_t x, y;
        std::memcpy(&x, padA + i, sizeof x);
        std::memcpy(&y, padB + i, sizeof y);
        diff |= x ^ y;
        // Keeps the compiler from turning the loop into one that stops at
        // the first difference (the language would allow it).
        __asm__ volatile("" : "+r"(diff));
    }
    OPENSSL_cleanse(padA, Window);   // plain secrets do not stay on the stack
    OPENSSL_cleanse(padB, Window);
    return diff == 0;
}

/// One secret of a partner: sealed (its plain text in `plain`), or, from
/// before sealed secrets, only a salted digest.
struct Secret
{
    bool sealedOk = false;
    std::string plain;
    std::string digest;
};

Secret secretOf(const SecretBox& box, const std::string& sealed, const std::string& context,
                const std::string& digest, const std::string& dummySealed, const std::string& dummyContext)
{
    Secret s;
    s.digest = digest;
    if (!sealed.empty())
        s.sealedOk = box.open(sealed, context, s.plain);
    else
    {
        std::string ignored;
        box.open(dummySealed, dummyContext, ignored);   // the same work as above
    }
    return s;
}

/// Does `offered` match the secret?  A sealed secret (and the dummy of an
/// unknown memberID) is compared in constant time; only a partner still on a
/// salted digest from before sealed secrets pays for that digest.
bool matches(const Secret& s, const std::string& salt, const std::string& offered)
{
    if (s.sealedOk) return sameSecret(s.plain, offered);
    return !s.digest.empty() && Credentials::same(s.digest, Credentials::digest(salt, offered));
}

} // namespace

AuthOutcome Authenticator::authenticate(const AuthRequest& req, Partner& partner)
{
    const SecretBox& box = SecretBox::cached(_config.authKeyFile);
    const Dummy& dummy = dummyFor(box);
    bool known = false;
    Lockout::State lock;
    PartnerAuthRecord auth = PartnerAuth(_db).find(req.memberId, lock, partner, known);

    // The allowlist comes first: from elsewhere, nothing else is looked at
    // and nothing counts towards a lock.
    if (known && !IpAllowList(auth.ipAllow).allows(req.remoteAddr)) return AuthOutcome::IpNotAllowed;

    Lockout lockout(_db);
    Poco::Int64 now = Clock::now();
    if (lock.lockedUntil > now) return AuthOutcome::Locked;

    // Unknown memberIDs open the dummy's secrets: same decryptions, same hashing.
    std::string memberId = known ? req.memberId : std::string();
    Secret pin = secretOf(box, known ? auth.pinSealed : dummy.pin, PartnerAuth::pinContext(memberId),
                          known ? partner.pinHash : "", dummy.pin, PartnerAuth::pinContext(""));
    Secret password = secretOf(box, known ? auth.passwordSealed : dummy.password,
                               PartnerAuth::passwordContext(memberId), known ? partner.passwordHash : "",
                               dummy.password, PartnerAuth::passwordContext(""));

    // A sealed secret that does not open is a key problem (auth.key_file
    // replaced, or a ledger restored without its key), never the partner's
    // failure: RC 99 with the reason in the request log, and no count towards
    // a lock (else every partner would be locked out by a wrong key).
    if (known && ((!auth.pinSealed.empty() && !pin.sealedOk) || (!auth.passwordSealed.empty() && !password.sealedOk)))
        throw std::runtime_error("the sealed secrets of " + req.memberId +
                                 " do not open: auth.key_file is not the key they were sealed with");

    bool signed_ = req.pin.empty() && req.password.empty();
    bool ok;
    if (signed_)
    {
        // A sign needs the plain secrets: a partner still on digests signs
        // after one pin+password request (or a new pin from the operator).
        std::string prefix = auth.signPrefix.empty() ? _config.authSignPrefix : auth.signPrefix;
        bool signOk = Signature::verify(req.sign, prefix, req.signedFields, pin.plain, password.plain);
        ok = signOk && pin.sealedOk && password.sealedOk;
    }
    else
    {
        bool pinOk = matches(pin, partner.salt, req.pin);
        bool passwordOk = matches(password, partner.salt, req.password);
        ok = pinOk && passwordOk;
    }
    ok = ok && known;

    if (!ok)
    {
        if (lockout.recordFailure(req.memberId, now, _config.authMaxFailures, _config.authLockMinutes * 60LL))
            std::cerr << "loket: memberID " << req.memberId << " locked for " << _config.authLockMinutes
                      << " min after " << _config.authMaxFailures << " failed authentications (last from "
                      << (req.remoteAddr.empty() ? "-" : req.remoteAddr) << ")" << std::endl;
        return AuthOutcome::WrongCredentials;
    }
    if (lock.failures > 0 || lock.lockedUntil > 0) lockout.clear(req.memberId);
    if (!signed_ && (!pin.sealedOk || !password.sealedOk))
    {
        // The next successful authentication replaces old digests (issue 11).
        WriteTransaction tx(_db);
        PartnerAuth(_db).storeSecrets(box, req.memberId, pin.sealedOk ? "" : req.pin,
                                      password.sealedOk ? "" : req.password);
        tx.commit();
    }

    if (!partner.active) return AuthOutcome::Suspended;
    if (partner.useSignature && !signed_) return AuthOutcome::SignatureRequired;
    return AuthOutcome::Ok;
}

} // namespace Loket
