#pragma once
#include "Biller.h"
#include "Config.h"
#include "Database.h"
#include "Money.h"
#include "SecretBox.h"
#include <memory>
#include <string>
#include <vector>

namespace Loket {

/// An upstream supplier, as configured with `loketctl supplier add|set`
/// (docs/suppliers.md).  The secrets are plain only in memory: the suppliers
/// table holds them sealed by SecretBox.
struct Supplier
{
    std::string code;
    std::string type;            ///< "otomax" or "digiflazz"
    bool open = true;
    std::string preset;          ///< "loket" when the otomax settings come from --preset loket
    // otomax
    std::string url;             ///< request template with [placeholders]
    std::string method = "GET";  ///< GET, or POST (the template's query sent as a form body)
    std::string member;          ///< [memberid]
    std::string signPrefix;      ///< P of [sign]; empty: "OtomaX"
    std::string successRe, failedRe, pendingRe;
    std::string checkParam;      ///< e.g. "check=1", added to a status re-check; empty: resend as is
    // digiflazz (and the loket preset's base)
    std::string baseUrl;
    std::string username;
    // both
    std::string reportIps;       ///< CIDR,... allowed to post reports; empty: any
    // secrets
    std::string pin, password, key, webhookSecret, reportToken;
    Rupiah balance = 0;          ///< last balance the supplier reported
    Poco::Int64 balanceAt = 0;   ///< when; 0: never

    /// The path of this supplier's report URL on our nginx.
    std::string reportPath() const { return "/V1/supplier-report/" + code + "/" + reportToken; }
};

/// What the transactions table says of a supplier's orders (its `biller` column).
struct SupplierActivity
{
    int inFlight = 0;       ///< sent to it (SENT) or awaiting its outcome (PENDING)
    int succeeded = 0;      ///< created today (local day) and SUCCESS
    int failed = 0;         ///< created today and FAILED
};

/// The suppliers table.
class Suppliers
{
public:
    Suppliers(Database& db, const SecretBox& box) : _db(db), _box(box) {}

    /// Reads `code` with its secrets opened; false when there is none.  Throws
    /// when a secret does not open (another auth.key_file) unless `unopened` is
    /// given: such a secret is then left empty and its field named there
    /// ("pin", "password", "key", "webhook", "report_token"), so that an
    /// operator who lost the key can still give the supplier new ones.
    bool find(const std::string& code, Supplier& supplier, std::vector<std::string>* unopened = nullptr);
    std::vector<Supplier> list();

    /// Stores a new supplier (a fresh report token when it has none).  Throws
    /// std::invalid_argument naming the first problem (see problem()), or the
    /// database's constraint error when the code exists.
    void add(Supplier supplier);
    /// Stores every setting and secret of an existing supplier.
    void update(const Supplier& supplier);
    void setOpen(const std::string& code, bool open);
    /// Records the balance a supplier reported (range-checked by the caller).
    void noteBalance(const std::string& code, Rupiah balance);
    /// True when a supplier `code` exists (and sets `open`); reads no secret,
    /// so it needs no key (e.g. to check `--biller CODE`).
    static bool exists(Database& db, const std::string& code, bool* open = nullptr);
    /// Orders in flight now and today's outcomes, from the transactions table.
    SupplierActivity activity(const std::string& code);

    /// What is wrong with these settings for their type, or "" when nothing.
    static std::string problem(const Supplier& supplier);
    /// Fills url, method, regexes and check param of the loket preset from baseUrl.
    static void applyLoketPreset(Supplier& supplier);
    /// 32 random bytes as 64 hex digits.
    static std::string newToken();

private:
    std::string seal(const Supplier& s, const std::string& field, const std::string& value) const;
    std::string open(const Supplier& s, const std::string& field, const std::string& value) const;

    Database& _db;
    const SecretBox& _box;
};

/// Time limits for supplier calls (biller.timeout_ms is the total).
struct SupplierLimits
{
    int connectTimeoutMs = 3000;
    int totalTimeoutMs = 5000;

    static SupplierLimits fromConfig(const Config& config);
};

/// The Biller that talks to `supplier` (OtomaxBiller or DigiflazzBiller).
std::unique_ptr<Biller> makeSupplierBiller(const Supplier& supplier, const SupplierLimits& limits);

} // namespace Loket
