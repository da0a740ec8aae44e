#include "OtomaxBiller.h"
#include "BillPairing.h"
#include "SupplierAmount.h"
#include "SupplierText.h"
#include <Poco/Base64Encoder.h>
#include <Poco/SHA1Engine.h>
#include <Poco/String.h>
#include <algorithm>
#include <sstream>

namespace Loket {
namespace {

std::string urlEncode(const std::string& value)
{
    static const char hex[] = "0123456789ABCDEF";
    std::string out;
    for (unsigned char c : value)
    {
        if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') out += static_cast<char>(c);
        else
        {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 0xF];
        }
    }
    return out;
}

std::string base64UrlNoPad(const std::string& bytes)
{
    std::ostringstream out;
    Poco::Base64Encoder enc(out, Poco::BASE64_URL_ENCODING | Poco::BASE64_NO_PADDING);
    enc << bytes;
    enc.close();
    return out.str();
}

/// `url` with `extra` ("a=1&b=2") added to its query.
std::string withParams(const std::string& url, const std::string& extra)
{
    if (extra.empty()) return url;
    return url + (url.find('?') == std::string::npos ? "?" : "&") + extra;
}

bool contains(const std::string& upper, std::initializer_list<const char*> words)
{
    for (const char* w : words)
        if (upper.find(w) != std::string::npos) return true;
    return false;
}

} // namespace

OtomaxBiller::OtomaxBiller(const Supplier& supplier, const SupplierLimits& limits)
    : _supplier(supplier), _limits(limits)
{
    // Settings were checked when stored (Suppliers::problem); a pattern that no
    // longer compiles matches nothing, so its outcome can only stay pending.
    auto compile = [](const std::string& re) {
        try
        {
            return ReplyPattern(re);
        }
        catch (const std::exception&)
        {
            return ReplyPattern();
        }
    };
    _success = compile(supplier.successRe);
    _failed = compile(supplier.failedRe);
    _pending = compile(supplier.pendingRe);
}

const std::vector<std::string>& OtomaxBiller::placeholders()
{
    static const std::vector<std::string> names = {"kodeproduk", "tujuan", "idtrx",    "qty",  "memberid",
                                                   "pin",        "password", "sign", "nominal"};
    return names;
}

std::string OtomaxBiller::unknownPlaceholder(const std::string& tmpl)
{
    for (std::size_t open = tmpl.find('['); open != std::string::npos; open = tmpl.find('[', open + 1))
    {
        std::size_t close = tmpl.find(']', open);
        if (close == std::string::npos) return "[ (unclosed)";
        std::string name = tmpl.substr(open + 1, close - open - 1);
        const auto& known = placeholders();
        if (std::find(known.begin(), known.end(), name) == known.end()) return "[" + name + "]";
    }
    return "";
}

std::string OtomaxBiller::substitute(const std::string& tmpl, const std::map<std::string, std::string>& values)
{
    std::string out;
    for (std::size_t i = 0; i < tmpl.size(); ++i)
    {
        std::size_t close;
        if (tmpl[i] == '[' && (close = tmpl.find(']', i)) != std::string::npos)
        {
            auto it = values.find(tmpl.substr(i + 1, close - i - 1));
            if (it != values.end()) out += urlEncode(it->second);
            i = close;
            continue;
        }
        out += tmpl[i];
    }
    return out;
}

std::string OtomaxBiller::sign(const std::string& prefix, const std::string& memberId, const std::string& product,
                               const std::string& dest, const std::string& idtrx, const std::string& pin,
                               const std::string& password)
{
    Poco::SHA1Engine sha;
    sha.update((prefix.empty() ? std::string("OtomaX") : prefix) + "|" + memberId + "|" + product + "|" + dest + "|" +
               idtrx + "|" + pin + "|" + password);
    const auto& digest = sha.digest();
    return base64UrlNoPad(std::string(digest.begin(), digest.end()));
}

HttpRequest OtomaxBiller::request(const Order& order, const std::string& extra) const
{
    const Supplier& s = _supplier;
    std::map<std::string, std::string> values = {
        {"kodeproduk", order.product},
        {"tujuan", order.dest},
        {"idtrx", order.orderId},
        {"qty", std::to_string(order.qty)},
        {"memberid", s.member},
        {"pin", s.pin},
        {"password", s.password},
        {"sign", sign(s.signPrefix, s.member, order.product, order.dest, order.orderId, s.pin, s.password)},
        {"nominal", std::to_string(order.amount)},
    };
    HttpRequest r;
    r.method = s.method;
    r.url = withParams(substitute(s.url, values), extra);
    r.connectTimeoutMs = _limits.connectTimeoutMs;
    r.totalTimeoutMs = _limits.totalTimeoutMs;
    if (r.method == "POST")
    {
        // POST sends the template's query as a form body to the same path.
        std::size_t q = r.url.find('?');
        if (q != std::string::npos)
        {
            r.body = r.url.substr(q + 1);
            r.url.erase(q);
        }
        r.headers.emplace_back("Content-Type", "application/x-www-form-urlencoded");
    }
    return r;
}

OtomaxBiller::Match OtomaxBiller::classify(const std::string& body, std::map<std::string, std::string>& groups) const
{
    std::map<std::string, std::string> g;
    Match found = Match::None;
    int matches = 0;
    for (auto p : {std::make_pair(&_success, Match::Success), std::make_pair(&_failed, Match::Failed),
                   std::make_pair(&_pending, Match::Pending)})
        if (p.first->match(body, g))
        {
            ++matches;
            found = p.second;
            groups = g;
        }
    // Two outcomes at once (e.g. SUKSES and GAGAL both match) is no answer.
    if (matches == 1) return found;
    groups.clear();
    return Match::None;
}

BillerOutcome OtomaxBiller::parse(const std::string& body) const
{
    std::map<std::string, std::string> groups;
    BillerOutcome outcome;
    switch (classify(body, groups))
    {
    case Match::Success: outcome = BillerOutcome::success(SupplierText::clean(groups["sn"], SupplierText::MaxSn)); break;
    case Match::Failed:
    {
        std::string why = SupplierText::clean(groups["keterangan"], SupplierText::MaxMessage);
        outcome = BillerOutcome::failed(why.empty() ? SupplierText::clean(body, SupplierText::MaxMessage) : why);
        break;
    }
    case Match::Pending:
    case Match::None: outcome = BillerOutcome::pending(); break;
    }
    if (groups.count("harga")) outcome.price = SupplierAmount::parseText(groups["harga"]);
    if (groups.count("saldo")) outcome.balance = SupplierAmount::parseText(groups["saldo"]);
    outcome.raw = SupplierText::clean(body, SupplierText::MaxRaw);
    outcome.reason = masked(outcome.reason);
    outcome.raw = masked(outcome.raw);
    return outcome;
}

std::string OtomaxBiller::masked(const std::string& text) const
{
    return SupplierText::mask(text, {_supplier.pin, _supplier.password});
}

BillerOutcome OtomaxBiller::call(const Order& order, const std::string& extra)
{
    try
    {
        HttpResult result = HttpClient::send(request(order, extra));
        if (!result.ok || result.status < 200 || result.status > 299)
        {
            // No reply, a cut one or an HTTP error: the order may have been taken.
            BillerOutcome outcome = BillerOutcome::pending();
            outcome.raw = masked(SupplierText::clean(
                (result.status ? "HTTP " + std::to_string(result.status) + " " : std::string()) + result.error + " " +
                    result.body,
                SupplierText::MaxRaw));
            return outcome;
        }
        return parse(result.body);
    }
    catch (const std::exception&)
    {
        return BillerOutcome::pending();
    }
}

BillerOutcome OtomaxBiller::purchase(const Order& order)
{
    return call(order, "");
}

BillerOutcome OtomaxBiller::pay(const Order& order, const BillQuery& query)
{
    // A center pays (jenis=6) only the refID it was asked about (jenis=5).
    BillerOutcome refused;
    if (!inquiredUnderOrder(*this, order, query, refused)) return refused;
    return call(order, "jenis=6");
}

BillerOutcome OtomaxBiller::status(const Order& order)
{
    // A bill payment (amount > 0) is re-sent as a payment: jenis=6 again.
    std::string extra = _supplier.checkParam;
    if (order.amount > 0) extra += std::string(extra.empty() ? "" : "&") + "jenis=6";
    return call(order, extra);
}

Bill OtomaxBiller::inquire(const BillQuery& query)
{
    Bill bill;
    try
    {
        if (query.orderId.empty()) return bill;   // no [idtrx] to send: unknown
        Order order;
        order.orderId = query.orderId;
        order.product = query.product;
        order.dest = query.customer;
        order.amount = query.amount;
        HttpResult result = HttpClient::send(request(order, "jenis=5"));
        bill.raw = masked(SupplierText::clean(result.ok ? result.body : result.error, SupplierText::MaxRaw));
        if (!result.ok || result.status < 200 || result.status > 299) return bill;
        std::map<std::string, std::string> groups;
        Match match = classify(result.body, groups);
        if (match == Match::Success)
        {
            auto amount = SupplierAmount::parseText(groups["tagihan"]);
            if (!amount) return bill;   // a bill without a believable amount is no bill
            bill.state = Bill::State::Found;
            bill.amount = *amount;
            bill.name = SupplierText::clean(groups["nama"], SupplierText::MaxName);
            bill.period = SupplierText::clean(groups["periode"], SupplierText::MaxName);
            if (groups.count("admin")) bill.admin = SupplierAmount::parseText(groups["admin"]);
            if (groups.count("harga")) bill.supplierPrice = SupplierAmount::parseText(groups["harga"]);
        }
        else if (match == Match::Failed)
        {
            bill.reason = masked(SupplierText::clean(groups["keterangan"], SupplierText::MaxMessage));
            // Only the supplier's words tell a wrong customer from a paid bill;
            // any other refusal stays Unknown (nothing is recorded for it).
            std::string upper = Poco::toUpper(bill.reason);
            if (contains(upper, {"SUDAH TERBAYAR", "SUDAH DIBAYAR", "SUDAH LUNAS", "TAGIHAN BELUM TERSEDIA"}))
                bill.state = Bill::State::NothingToPay;
            else if (contains(upper, {"PELANGGAN SALAH", "IDPEL SALAH", "NOMOR SALAH", "TUJUAN SALAH",
                                      "TIDAK TERDAFTAR"}))
                bill.state = Bill::State::NoSuchCustomer;
        }
    }
    catch (const std::exception&)
    {
        bill.state = Bill::State::Unknown;
    }
    return bill;
}

} // namespace Loket
