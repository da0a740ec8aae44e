#include "PartnerAuth.h"
#include "Query.h"

using namespace Poco::Data::Keywords;

namespace Loket {

PartnerAuthRecord PartnerAuth::find(const std::string& memberId)
{
    PartnerAuthRecord r;
    Query q(_db, "SELECT pin_sealed, password_sealed, sign_prefix, ip_allow FROM partner_auth WHERE member_id = ?");
    q.bind(memberId);
    if (!q.next()) return r;
    r.pinSealed = q.text(0), r.passwordSealed = q.text(1), r.signPrefix = q.text(2), r.ipAllow = q.text(3);
    return r;
}

PartnerAuthRecord PartnerAuth::find(const std::string& memberId, Lockout::State& lock, Partner& partner, bool& known)
{
    // Driven by the memberID itself, so an ID with no rows at all still gets
    // one row back: a known and an unknown memberID cost the same statement.
    static const std::string sql =
        "SELECT a.pin_sealed, a.password_sealed, a.sign_prefix, a.ip_allow, f.failures, f.locked_until, " +
        Partners::columns("p") +
        " FROM (SELECT CAST(? AS TEXT) AS m) k LEFT JOIN partners p ON p.member_id = k.m "
        "LEFT JOIN partner_auth a ON a.member_id = k.m LEFT JOIN auth_failures f ON f.member_id = k.m";
    Query q(_db, sql);
    q.bind(memberId);
    PartnerAuthRecord r;
    lock = Lockout::State();
    known = false;
    if (!q.next()) return r;
    r.pinSealed = q.text(0), r.passwordSealed = q.text(1), r.signPrefix = q.text(2), r.ipAllow = q.text(3);
    lock.failures = q.integer(4), lock.lockedUntil = q.int64(5);
    known = !q.text(6).empty();
    if (known) Partners::read(q, 6, partner);
    return r;
}

void PartnerAuth::ensureRow(const std::string& memberId)
{
    // Portable "insert unless present" (SQLite 3.24+, PostgreSQL 9.5+).
    _db.session() << "INSERT INTO partner_auth (member_id) VALUES (?) ON CONFLICT (member_id) DO NOTHING",
        bind(memberId), now;
}

void PartnerAuth::storeSecrets(const SecretBox& box, const std::string& memberId, const std::string& pin,
                               const std::string& password)
{
    ensureRow(memberId);
    if (!pin.empty())
    {
        _db.session() << "UPDATE partner_auth SET pin_sealed = ? WHERE member_id = ?",
            bind(box.seal(pin, pinContext(memberId))), bind(memberId), now;
        _db.session() << "UPDATE partners SET pin_hash = '' WHERE member_id = ?", bind(memberId), now;
    }
    if (!password.empty())
    {
        _db.session() << "UPDATE partner_auth SET password_sealed = ? WHERE member_id = ?",
            bind(box.seal(password, passwordContext(memberId))), bind(memberId), now;
        _db.session() << "UPDATE partners SET password_hash = '' WHERE member_id = ?", bind(memberId), now;
    }
}

void PartnerAuth::setSignPrefix(const std::string& memberId, const std::string& prefix)
{
    ensureRow(memberId);
    _db.session() << "UPDATE partner_auth SET sign_prefix = ? WHERE member_id = ?", bind(prefix), bind(memberId),
        now;
}

void PartnerAuth::setIpAllow(const std::string& memberId, const std::string& ipAllow)
{
    ensureRow(memberId);
    _db.session() << "UPDATE partner_auth SET ip_allow = ? WHERE member_id = ?", bind(ipAllow), bind(memberId), now;
}

} // namespace Loket
