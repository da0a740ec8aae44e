#include "Partners.h"
#include "Query.h"
#include "Clock.h"
#include "Credentials.h"
#include <Poco/URI.h>

using namespace Poco::Data::Keywords;

namespace Loket {

namespace {
const char* const Fields[] = {"member_id", "name", "salt", "pin_hash", "password_hash", "balance", "active",
                              "use_signature"};
const char* const Columns =
    "SELECT member_id, name, salt, pin_hash, password_hash, balance, active, use_signature FROM partners";
}

std::string Partners::columns(const std::string& alias)
{
    std::string out;
    for (const char* f : Fields) out += (out.empty() ? "" : ", ") + alias + "." + f;
    return out;
}

void Partners::read(const Query& q, int first, Partner& p)
{
    p.memberId = q.text(first), p.name = q.text(first + 1), p.salt = q.text(first + 2);
    p.pinHash = q.text(first + 3), p.passwordHash = q.text(first + 4), p.balance = q.int64(first + 5);
    p.active = q.int64(first + 6) != 0, p.useSignature = q.int64(first + 7) != 0;
}

bool Partners::find(const std::string& memberId, Partner& p)
{
    Query q(_db, std::string(Columns) + " WHERE member_id = ?");
    q.bind(memberId);
    if (!q.next()) return false;
    read(q, 0, p);
    return true;
}

std::vector<PartnerListing> Partners::list()
{
    std::vector<PartnerListing> partners;
    Query q(_db, "SELECT " + columns("p") + ", p.level, COALESCE(a.ip_allow, ''), COALESCE(f.failures, 0), "
                 "COALESCE(f.locked_until, 0) FROM partners p LEFT JOIN partner_auth a ON a.member_id = p.member_id "
                 "LEFT JOIN auth_failures f ON f.member_id = p.member_id ORDER BY p.member_id");
    const int next = int(sizeof Fields / sizeof Fields[0]);
    while (q.next())
    {
        PartnerListing l;
        read(q, 0, l.partner);
        l.level = q.text(next), l.ipAllow = q.text(next + 1);
        l.failures = q.integer(next + 2), l.lockedUntil = q.int64(next + 3);
        partners.push_back(l);
    }
    return partners;
}

void Partners::add(const std::string& memberId, const std::string& name, const std::string& pin,
                   const std::string& password, bool useSignature)
{
    std::string salt = Credentials::newSalt();
    Poco::Int64 at = Clock::now();
    _db.session() << "INSERT INTO partners (member_id, name, salt, pin_hash, password_hash, balance, "
                     "active, use_signature, created_at) VALUES (?, ?, ?, ?, ?, 0, 1, ?, ?)",
        bind(memberId), bind(name), bind(salt), bind(Credentials::digest(salt, pin)),
        bind(Credentials::digest(salt, password)), bind(useSignature ? 1 : 0), bind(at), now;
}

void Partners::setSecrets(const std::string& memberId, const std::string& pin, const std::string& password)
{
    Partner p;
    if (!find(memberId, p)) return;
    _db.session() << "UPDATE partners SET pin_hash = ?, password_hash = ? WHERE member_id = ?",
        bind(pin.empty() ? p.pinHash : Credentials::digest(p.salt, pin)),
        bind(password.empty() ? p.passwordHash : Credentials::digest(p.salt, password)), bind(memberId), now;
}

void Partners::setActive(const std::string& memberId, bool active)
{
    _db.session() << "UPDATE partners SET active = ? WHERE member_id = ?", bind(active ? 1 : 0),
        bind(memberId), now;
}

void Partners::setSignature(const std::string& memberId, bool useSignature)
{
    _db.session() << "UPDATE partners SET use_signature = ? WHERE member_id = ?", bind(useSignature ? 1 : 0),
        bind(memberId), now;
}

void Partners::setName(const std::string& memberId, const std::string& name)
{
    _db.session() << "UPDATE partners SET name = ? WHERE member_id = ?", bind(name), bind(memberId), now;
}

std::string Partners::reportUrl(const std::string& memberId)
{
    std::string url;
    Poco::Data::Statement st(_db.session());
    st << "SELECT report_url FROM partners WHERE member_id = ?", into(url), bind(memberId), limit(1);
    st.execute();
    return url;
}

void Partners::setReportUrl(const std::string& memberId, const std::string& url)
{
    _db.session() << "UPDATE partners SET report_url = ? WHERE member_id = ?", bind(url), bind(memberId), now;
}

std::string Partners::reportUrlProblem(const std::string& url)
{
    if (url.empty()) return "";
    if (url.size() > 400) return "longer than 400 bytes";
    for (unsigned char c : url)
        if (c <= 0x20 || c >= 0x7f) return "spaces, control bytes and non-ASCII must be percent-encoded";
    try
    {
        Poco::URI uri(url);
        if (uri.getScheme() != "http" && uri.getScheme() != "https") return "must start with http:// or https://";
        if (uri.getHost().empty()) return "has no host";
        if (!uri.getFragment().empty()) return "must not have a #fragment";
    }
    catch (const std::exception&)
    {
        return "is not a URL";
    }
    return "";
}

} // namespace Loket
