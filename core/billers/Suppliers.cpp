#include "Suppliers.h"
#include "Clock.h"
#include "IpAllowList.h"
#include "OtomaxBiller.h"
#include "DigiflazzBiller.h"
#include "ReplyPattern.h"
#include <Poco/URI.h>
#include <openssl/rand.h>
#include <stdexcept>

using namespace Poco::Data::Keywords;

namespace Loket {
namespace {

const char* const Columns =
    "SELECT code, type, is_open, preset, url, method, base_url, member, username, sign_prefix, success_re, "
    "failed_re, pending_re, check_param, report_ips, secret_pin, secret_password, secret_key, secret_webhook, "
    "secret_report_token, balance, balance_at FROM suppliers";

/// Every text column stays under Poco ODBC's default field size (1024 bytes).
const std::size_t MaxSetting = 1000;

/// One row as stored: settings plain, secrets sealed.
struct Row
{
    Supplier s;
    int open = 1;
    std::string pin, password, key, webhook, token;
};

bool validCode(const std::string& code)
{
    if (code.empty() || code.size() > 32) return false;
    for (char c : code)
        if (!std::isalnum(static_cast<unsigned char>(c)) && c != '_' && c != '-') return false;
    return true;
}

bool httpUrl(const std::string& url)
{
    try
    {
        Poco::URI uri(url);
        return (uri.getScheme() == "http" || uri.getScheme() == "https") && !uri.getHost().empty();
    }
    catch (const Poco::Exception&)
    {
        return false;
    }
}

std::string patternProblem(const std::string& option, const std::string& re)
{
    try
    {
        ReplyPattern p(re);
    }
    catch (const std::invalid_argument& e)
    {
        return option + " is not a valid regex: " + e.what();
    }
    return "";
}

/// Loket's own default replies (sql/response_codes.sql): TRX / STATUS / BAYAR /
/// CEK, each SUKSES, GAGAL or SEDANG DIPROSES.
const char* const LoketSuccess =
    "^(?:(?:TRX|STATUS|BAYAR) \\S+ SUKSES, HRG:(?<harga>\\d+)(?: SN:(?<sn>.*?))? REFID:\\S*\\."
    "|CEK \\S+ SUKSES, DATA:(?<nama>.*) TAGIHAN:(?<tagihan>\\d+) ADMIN:(?<admin>\\d+)\\.)$";
const char* const LoketFailed = "^(?:TRX|STATUS|BAYAR|CEK)(?: \\S+)? GAGAL, (?<keterangan>.*?)\\.?(?: REFID:\\S*\\.)?$";
const char* const LoketPending = "^(?:TRX|STATUS|BAYAR|CEK)(?: \\S+)? SEDANG DIPROSES";

void readRow(Poco::Data::Statement& st, Row& r)
{
    st, into(r.s.code), into(r.s.type), into(r.open), into(r.s.preset), into(r.s.url), into(r.s.method),
        into(r.s.baseUrl), into(r.s.member), into(r.s.username), into(r.s.signPrefix), into(r.s.successRe),
        into(r.s.failedRe), into(r.s.pendingRe), into(r.s.checkParam), into(r.s.reportIps), into(r.pin),
        into(r.password), into(r.key), into(r.webhook), into(r.token), into(r.s.balance), into(r.s.balanceAt);
}

} // namespace

std::string Suppliers::seal(const Supplier& s, const std::string& field, const std::string& value) const
{
    return _box.seal(value, "supplier/" + s.code + "/" + field);
}

std::string Suppliers::open(const Supplier& s, const std::string& field, const std::string& value) const
{
    return _box.open(value, "supplier/" + s.code + "/" + field);
}

bool Suppliers::find(const std::string& code, Supplier& supplier, std::vector<std::string>* unopened)
{
    Row r;
    Poco::Data::Statement st(_db.session());
    st << std::string(Columns) + " WHERE code = ?";
    readRow(st, r);
    st, bind(code), limit(1);
    if (!fetchOne(st)) return false;
    supplier = r.s;
    supplier.open = r.open != 0;
    auto openOr = [&](const char* field, const std::string& sealed, std::string& into) {
        if (!unopened)
            into = open(supplier, field, sealed);
        else if (sealed.empty())
            into.clear();   // an unset secret, not a lost one
        else if (!_box.open(sealed, "supplier/" + supplier.code + "/" + field, into))
            into.clear(), unopened->push_back(field);
    };
    openOr("pin", r.pin, supplier.pin);
    openOr("password", r.password, supplier.password);
    openOr("key", r.key, supplier.key);
    openOr("webhook", r.webhook, supplier.webhookSecret);
    openOr("report_token", r.token, supplier.reportToken);
    return true;
}

std::vector<Supplier> Suppliers::list()
{
    std::vector<std::string> codes;
    std::string code;
    Poco::Data::Statement st(_db.session());
    st << "SELECT code FROM suppliers ORDER BY code", into(code), range(0, 1);
    while (fetchNext(st)) codes.push_back(code);
    std::vector<Supplier> suppliers;
    for (const auto& c : codes)
    {
        Supplier s;
        if (find(c, s)) suppliers.push_back(s);
    }
    return suppliers;
}

void Suppliers::add(Supplier s)
{
    if (s.reportToken.empty()) s.reportToken = newToken();
    std::string bad = problem(s);
    if (!bad.empty()) throw std::invalid_argument(bad);
    Poco::Int64 at = Clock::now();
    // One transaction: a supplier is never there without its sealed secrets.
    WriteTransaction tx(_db);
    _db.session() << "INSERT INTO suppliers (code, type, is_open, preset, url, method, base_url, member, username, "
                     "sign_prefix, success_re, failed_re, pending_re, check_param, report_ips, created_at, updated_at) "
                     "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        bind(s.code), bind(s.type), bind(s.open ? 1 : 0), bind(s.preset), bind(s.url), bind(s.method),
        bind(s.baseUrl), bind(s.member), bind(s.username), bind(s.signPrefix), bind(s.successRe), bind(s.failedRe),
        bind(s.pendingRe), bind(s.checkParam), bind(s.reportIps), bind(at), bind(at), now;
    update(s);
    tx.commit();
}

void Suppliers::update(const Supplier& s)
{
    std::string bad = problem(s);
    if (!bad.empty()) throw std::invalid_argument(bad);
    Poco::Int64 at = Clock::now();
    _db.session() << "UPDATE suppliers SET is_open = ?, preset = ?, url = ?, method = ?, base_url = ?, member = ?, "
                     "username = ?, sign_prefix = ?, success_re = ?, failed_re = ?, pending_re = ?, check_param = ?, "
                     "report_ips = ?, secret_pin = ?, secret_password = ?, secret_key = ?, secret_webhook = ?, "
                     "secret_report_token = ?, updated_at = ? WHERE code = ?",
        bind(s.open ? 1 : 0), bind(s.preset), bind(s.url), bind(s.method), bind(s.baseUrl), bind(s.member),
        bind(s.username), bind(s.signPrefix), bind(s.successRe), bind(s.failedRe), bind(s.pendingRe),
        bind(s.checkParam), bind(s.reportIps), bind(seal(s, "pin", s.pin)), bind(seal(s, "password", s.password)),
        bind(seal(s, "key", s.key)), bind(seal(s, "webhook", s.webhookSecret)),
        bind(seal(s, "report_token", s.reportToken)), bind(at), bind(s.code), now;
}

void Suppliers::setOpen(const std::string& code, bool isOpen)
{
    Poco::Int64 at = Clock::now();
    _db.session() << "UPDATE suppliers SET is_open = ?, updated_at = ? WHERE code = ?", bind(isOpen ? 1 : 0),
        bind(at), bind(code), now;
}

void Suppliers::noteBalance(const std::string& code, Rupiah balance)
{
    Poco::Int64 at = Clock::now();
    _db.session() << "UPDATE suppliers SET balance = ?, balance_at = ? WHERE code = ?", bind(balance), bind(at),
        bind(code), now;
}

bool Suppliers::exists(Database& db, const std::string& code, bool* open)
{
    int isOpen = 0;
    Poco::Data::Statement st(db.session());
    st << "SELECT is_open FROM suppliers WHERE code = ?", into(isOpen), bind(code), limit(1);
    if (!fetchOne(st)) return false;
    if (open) *open = isOpen != 0;
    return true;
}

SupplierActivity Suppliers::activity(const std::string& code)
{
    SupplierActivity a;
    Poco::Int64 dayStart = Clock::endOfDay(Clock::now()) - 86399;
    _db.session() << "SELECT COUNT(*) FROM transactions WHERE biller = ? AND status IN ('SENT', 'PENDING')",
        into(a.inFlight), bind(code), now;
    _db.session() << "SELECT COUNT(*) FROM transactions WHERE biller = ? AND status = 'SUCCESS' AND created_at >= ?",
        into(a.succeeded), bind(code), bind(dayStart), now;
    _db.session() << "SELECT COUNT(*) FROM transactions WHERE biller = ? AND status = 'FAILED' AND created_at >= ?",
        into(a.failed), bind(code), bind(dayStart), now;
    return a;
}

std::string Suppliers::newToken()
{
    unsigned char bytes[32];
    if (RAND_bytes(bytes, sizeof bytes) != 1) throw std::runtime_error("no random bytes for a report token");
    static const char digits[] = "0123456789abcdef";
    std::string token;
    for (unsigned char b : bytes)
    {
        token += digits[b >> 4];
        token += digits[b & 0xF];
    }
    return token;
}

void Suppliers::applyLoketPreset(Supplier& s)
{
    std::string base = s.baseUrl;
    while (!base.empty() && base.back() == '/') base.pop_back();
    s.preset = "loket";
    s.url = base + "/V1/http-get?product=[kodeproduk]&dest=[tujuan]&refID=[idtrx]&memberID=[memberid]&qty=[qty]"
                   "&pin=[pin]&password=[password]";
    s.method = "GET";
    s.successRe = LoketSuccess;
    s.failedRe = LoketFailed;
    s.pendingRe = LoketPending;
    s.checkParam = "cek=1";
}

std::string Suppliers::problem(const Supplier& s)
{
    if (!validCode(s.code)) return "supplier code must be [A-Za-z0-9_-]{1,32}";
    for (const std::string* v : {&s.url, &s.baseUrl, &s.member, &s.username, &s.signPrefix, &s.successRe,
                                 &s.failedRe, &s.pendingRe, &s.checkParam, &s.reportIps})
        if (v->size() > MaxSetting) return "a setting is longer than 1000 bytes";
    for (const std::string* v : {&s.pin, &s.password, &s.key, &s.webhookSecret})
        if (v->size() > 256) return "a secret is longer than 256 bytes";
    try
    {
        IpAllowList check(s.reportIps);
    }
    catch (const std::invalid_argument& e)
    {
        return std::string("--report-ip: ") + e.what();
    }
    if (s.type == "otomax")
    {
        if (s.url.empty()) return "--url (or --preset loket with --base-url) is required";
        std::string unknown = OtomaxBiller::unknownPlaceholder(s.url);
        if (!unknown.empty()) return "--url has an unknown placeholder " + unknown;
        if (!httpUrl(OtomaxBiller::substitute(s.url, {}))) return "--url must be an http:// or https:// URL";
        if (s.method != "GET" && s.method != "POST") return "--method takes GET or POST";
        if (s.successRe.empty()) return "--success is required";
        for (auto p : {std::make_pair("--success", &s.successRe), std::make_pair("--failed", &s.failedRe),
                       std::make_pair("--pending", &s.pendingRe)})
        {
            std::string bad = patternProblem(p.first, *p.second);
            if (!bad.empty()) return bad;
        }
        if (!s.checkParam.empty())
        {
            std::size_t eq = s.checkParam.find('=');
            std::string name = s.checkParam.substr(0, eq);
            if (eq == std::string::npos || name.empty() ||
                s.checkParam.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-=") !=
                    std::string::npos)
                return "--check-param takes NAME=VALUE (letters, digits, _ and -), e.g. check=1";
        }
        return "";
    }
    if (s.type == "digiflazz")
    {
        if (!httpUrl(s.baseUrl)) return "--base-url must be an http:// or https:// URL";
        if (s.username.empty()) return "--username is required";
        if (s.key.empty()) return "--key is required";
        return "";
    }
    return "--type takes otomax or digiflazz";
}

SupplierLimits SupplierLimits::fromConfig(const Config& config)
{
    SupplierLimits limits;
    limits.totalTimeoutMs = std::max(1, config.billerTimeoutMs);
    limits.connectTimeoutMs = std::min(limits.connectTimeoutMs, limits.totalTimeoutMs);
    return limits;
}

std::unique_ptr<Biller> makeSupplierBiller(const Supplier& supplier, const SupplierLimits& limits)
{
    if (supplier.type == "digiflazz") return std::make_unique<DigiflazzBiller>(supplier, limits);
    return std::make_unique<OtomaxBiller>(supplier, limits);
}

} // namespace Loket
