#pragma once
#include "Database.h"
#include "Money.h"
#include "Query.h"
#include <string>
#include <vector>

namespace Loket {

/// A partner (mitra): a reseller with a balance and legacy credentials.
struct Partner
{
    std::string memberId;
    std::string name;
    std::string salt;
    std::string pinHash;
    std::string passwordHash;
    Rupiah balance = 0;
    bool active = true;
    bool useSignature = false;
};

/// A partner as an operator lists it (`loketctl partner list`): its row, its
/// price level, and what decides whether it can reach us now.
struct PartnerListing
{
    Partner partner;
    std::string level;             ///< price level ("" none)
    std::string ipAllow;           ///< its allowlist ("" any address)
    int failures = 0;              ///< failed authentications counted (Lockout)
    Poco::Int64 lockedUntil = 0;   ///< locked while now < lockedUntil
};

/// The partners table.
class Partners
{
public:
    explicit Partners(Database& db) : _db(db) {}

    bool find(const std::string& memberId, Partner& partner);

    /// The columns of a partner row as read() reads them, each as `alias.column`
    /// (for statements that join the partner row to others).
    static std::string columns(const std::string& alias);
    /// Reads the partner from `q`'s columns first, first + 1 ... (as columns() lists them).
    static void read(const Query& q, int first, Partner& partner);
    /// Every partner, by memberID.
    std::vector<PartnerListing> list();

    /// Throws Poco::Data::ConstraintViolationException (or the backend's
    /// equivalent) when the memberID exists.
    void add(const std::string& memberId, const std::string& name, const std::string& pin,
             const std::string& password, bool useSignature);
    void setSecrets(const std::string& memberId, const std::string& pin, const std::string& password);
    void setActive(const std::string& memberId, bool active);
    void setSignature(const std::string& memberId, bool useSignature);
    void setName(const std::string& memberId, const std::string& name);

    /// The partner's report URL for callbacks ("" when none).
    std::string reportUrl(const std::string& memberId);
    void setReportUrl(const std::string& memberId, const std::string& url);
    /// Why `url` cannot be a report URL ("" when it can, or when it is empty):
    /// http or https with a host, at most 400 bytes, no spaces or control bytes.
    static std::string reportUrlProblem(const std::string& url);

private:
    Database& _db;
};

} // namespace Loket
