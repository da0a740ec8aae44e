#include "DigiflazzBiller.h"
#include "BillPairing.h"
#include "Credentials.h"
#include "SupplierAmount.h"
#include "SupplierText.h"
#include <Poco/HMACEngine.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>
#include <Poco/MD5Engine.h>
#include <Poco/SHA1Engine.h>
#include <set>
#include <sstream>

namespace Loket {
namespace {

using Poco::JSON::Object;

std::string text(const Object::Ptr& o, const std::string& key)
{
    if (!o || !o->has(key) || o->isNull(key)) return "";
    Poco::Dynamic::Var v = o->get(key);
    try
    {
        if (v.isString()) return v.extract<std::string>();
        if (v.isInteger()) return std::to_string(v.convert<Poco::Int64>());
        if (v.isNumeric()) return v.convert<std::string>();
        if (v.isBoolean()) return v.convert<bool>() ? "true" : "false";
    }
    catch (const Poco::Exception&)
    {
    }
    return "";
}

/// An amount field: a JSON number or a numeric string, range-checked.
std::optional<Rupiah> amount(const Object::Ptr& o, const std::string& key)
{
    if (!o || !o->has(key) || o->isNull(key)) return std::nullopt;
    Poco::Dynamic::Var v = o->get(key);
    try
    {
        if (v.isString()) return SupplierAmount::parseText(v.extract<std::string>());
        if (v.isNumeric()) return SupplierAmount::fromDouble(v.convert<double>());
    }
    catch (const Poco::Exception&)
    {
    }
    return std::nullopt;
}

/// data of a {"data":{...}} body, or null.
Object::Ptr dataOf(const std::string& body)
{
    try
    {
        Poco::JSON::Parser parser;
        Poco::Dynamic::Var root = parser.parse(body);
        Object::Ptr top = root.extract<Object::Ptr>();
        if (!top || !top->has("data")) return nullptr;
        return top->getObject("data");
    }
    catch (const std::exception&)
    {
        return nullptr;
    }
}

std::string jsonBody(const Object& o)
{
    std::ostringstream out;
    o.stringify(out);
    return out.str();
}

} // namespace

DigiflazzBiller::DigiflazzBiller(const Supplier& supplier, const SupplierLimits& limits)
    : _supplier(supplier), _limits(limits)
{
    while (!_supplier.baseUrl.empty() && _supplier.baseUrl.back() == '/') _supplier.baseUrl.pop_back();
}

std::string DigiflazzBiller::sign(const std::string& username, const std::string& key, const std::string& suffix)
{
    Poco::MD5Engine md5;
    md5.update(username + key + suffix);
    return Poco::DigestEngine::digestToHex(md5.digest());
}

DigiflazzBiller::Rc DigiflazzBiller::classifyRc(const std::string& rc)
{
    // response-code.md: "TT" = whether Digiflazz created a transaction.
    static const std::set<std::string> notCreated = {"40", "41", "42", "43", "44", "45", "47", "56", "61", "62",
                                                     "63", "64", "65", "66", "67", "68", "69", "80", "81", "82",
                                                     "83", "87", "88"};
    static const std::set<std::string> created = {"01", "02", "50", "51", "52", "53", "54", "55", "57", "58",
                                                  "59", "60", "70", "71", "72", "73", "74", "84", "85", "86"};
    if (rc == "00") return Rc::Success;
    // 03 pending; 99 "DF Router Issue" is pending too.  49 "ref_id tidak unik":
    // a transaction with our ref_id exists already, in a state this reply
    // does not tell, so it is no failure of this order.
    if (rc == "03" || rc == "99" || rc == "49") return Rc::Pending;
    if (notCreated.count(rc)) return Rc::FailedNotCreated;
    if (created.count(rc)) return Rc::FailedCreated;
    return Rc::Unknown;
}

BillerOutcome DigiflazzBiller::parse(const std::string& body, std::string& refId)
{
    BillerOutcome outcome = BillerOutcome::pending();
    outcome.raw = SupplierText::clean(body, SupplierText::MaxRaw);
    Object::Ptr data = dataOf(body);
    if (!data) return outcome;
    refId = text(data, "ref_id");
    std::string status = text(data, "status");
    std::string rc = text(data, "rc");
    Rc kind = classifyRc(rc);
    // status and rc must agree; anything else is no answer.
    if (status == "Sukses" && kind == Rc::Success)
    {
        std::string sn = SupplierText::clean(text(data, "sn"), SupplierText::MaxSn);
        std::string raw = outcome.raw;
        outcome = BillerOutcome::success(sn);
        outcome.raw = raw;
    }
    else if (status == "Gagal" && (kind == Rc::FailedCreated || kind == Rc::FailedNotCreated))
    {
        std::string raw = outcome.raw;
        std::string message = SupplierText::clean(text(data, "message"), SupplierText::MaxMessage);
        outcome = BillerOutcome::failed(message.empty() ? "GAGAL RC " + rc : message);
        outcome.notCreated = kind == Rc::FailedNotCreated;
        outcome.raw = raw;
    }
    outcome.price = amount(data, "price");
    outcome.balance = amount(data, "buyer_last_saldo");
    return outcome;
}

bool DigiflazzBiller::verifyWebhook(const std::string& body, const std::string& signatureHeader,
                                    const std::string& secret)
{
    const std::string prefix = "sha1=";
    if (secret.empty() || signatureHeader.compare(0, prefix.size(), prefix) != 0) return false;
    Poco::HMACEngine<Poco::SHA1Engine> hmac(secret);
    hmac.update(body);
    std::string expected = prefix + Poco::DigestEngine::digestToHex(hmac.digest());
    std::string given = signatureHeader;
    for (auto& c : given) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return Credentials::same(expected, given);
}

HttpResult DigiflazzBiller::transaction(const std::string& commands, const std::string& sku,
                                        const std::string& customer, const std::string& refId)
{
    Object o;
    o.set("username", _supplier.username);
    if (!commands.empty()) o.set("commands", commands);
    o.set("buyer_sku_code", sku);
    o.set("customer_no", customer);
    o.set("ref_id", refId);
    o.set("sign", sign(_supplier.username, _supplier.key, refId));
    if (_testing) o.set("testing", true);
    HttpRequest r;
    r.method = "POST";
    r.url = _supplier.baseUrl + "/transaction";
    r.headers.emplace_back("Content-Type", "application/json");
    r.body = jsonBody(o);
    r.connectTimeoutMs = _limits.connectTimeoutMs;
    r.totalTimeoutMs = _limits.totalTimeoutMs;
    return HttpClient::send(r);
}

BillerOutcome DigiflazzBiller::outcomeOf(const HttpResult& result, const std::string& refId)
{
    BillerOutcome outcome = readReply(result, refId);
    outcome.raw = SupplierText::mask(outcome.raw, {_supplier.key});
    outcome.reason = SupplierText::mask(outcome.reason, {_supplier.key});
    return outcome;
}

BillerOutcome DigiflazzBiller::readReply(const HttpResult& result, const std::string& refId)
{
    if (!result.ok)
    {
        BillerOutcome outcome = BillerOutcome::pending();
        outcome.raw = SupplierText::clean(result.error + " " + result.body, SupplierText::MaxRaw);
        return outcome;
    }
    // Digiflazz's HTTP status on errors is not documented: data.rc and status
    // decide whatever it is; a body that is not one of its replies is unknown.
    std::string replyRef;
    BillerOutcome outcome = parse(result.body, replyRef);
    if (!replyRef.empty() && replyRef != refId)
    {
        BillerOutcome unknown = BillerOutcome::pending();   // a reply about another order
        unknown.raw = outcome.raw;
        return unknown;
    }
    return outcome;
}

BillerOutcome DigiflazzBiller::purchase(const Order& order)
{
    try
    {
        return outcomeOf(transaction("", order.product, order.dest, order.orderId), order.orderId);
    }
    catch (const std::exception&)
    {
        return BillerOutcome::pending();
    }
}

BillerOutcome DigiflazzBiller::pay(const Order& order, const BillQuery& query)
{
    try
    {
        // pay-pasca must name an inq-pasca of the same ref_id, made the same day.
        BillerOutcome refused;
        if (!inquiredUnderOrder(*this, order, query, refused)) return refused;
        // order.product is the route's SKU at Digiflazz (query.product is ours).
        return outcomeOf(transaction("pay-pasca", order.product, query.customer, order.orderId), order.orderId);
    }
    catch (const std::exception&)
    {
        return BillerOutcome::pending();
    }
}

BillerOutcome DigiflazzBiller::status(const Order& order)
{
    try
    {
        if (order.amount > 0)
            return outcomeOf(transaction("status-pasca", order.product, order.dest, order.orderId), order.orderId);
        return purchase(order);
    }
    catch (const std::exception&)
    {
        return BillerOutcome::pending();
    }
}

Bill DigiflazzBiller::inquire(const BillQuery& query)
{
    Bill bill;
    try
    {
        if (query.orderId.empty()) return bill;
        HttpResult result = transaction("inq-pasca", query.product, query.customer, query.orderId);
        bill.raw = SupplierText::mask(SupplierText::clean(result.ok ? result.body : result.error, SupplierText::MaxRaw),
                                      {_supplier.key});
        if (!result.ok) return bill;
        Object::Ptr data = dataOf(result.body);
        if (!data || (!text(data, "ref_id").empty() && text(data, "ref_id") != query.orderId)) return bill;
        std::string status = text(data, "status");
        std::string rc = text(data, "rc");
        bill.reason = SupplierText::clean(text(data, "message"), SupplierText::MaxMessage);
        if (status == "Sukses" && rc == "00")
        {
            bill.admin = amount(data, "admin");
            bill.supplierPrice = amount(data, "price");
            auto selling = amount(data, "selling_price");
            // The bill itself: selling_price less admin, or the details' sum.
            std::optional<Rupiah> billAmount;
            if (selling && bill.admin && *selling >= *bill.admin) billAmount = *selling - *bill.admin;
            Object::Ptr desc = data->has("desc") ? data->getObject("desc") : nullptr;
            if (!billAmount && desc && desc->has("detail"))
            {
                Rupiah sum = 0;
                auto details = desc->getArray("detail");
                for (std::size_t i = 0; details && i < details->size() && i < 24; ++i)
                {
                    auto part = amount(details->getObject(static_cast<unsigned>(i)), "nilai_tagihan");
                    if (!part) break;
                    sum += *part;   // at most 24 parts of at most SupplierAmount::Max: no overflow
                }
                if (sum > 0 && sum <= SupplierAmount::Max) billAmount = sum;
            }
            if (!billAmount) return bill;   // a bill without a believable amount is no bill
            bill.state = Bill::State::Found;
            bill.amount = *billAmount;
            bill.name = SupplierText::clean(text(data, "customer_name"), SupplierText::MaxName);
            bill.period = SupplierText::clean(text(data, "periode"), SupplierText::MaxName);
        }
        else if (status == "Gagal")
        {
            // 60 tagihan belum tersedia; 51 blocked, 52 prefix, 54 wrong number,
            // 57 digit count, 59 outside the area: the customer number.
            if (rc == "60") bill.state = Bill::State::NothingToPay;
            else if (rc == "51" || rc == "52" || rc == "54" || rc == "57" || rc == "59")
                bill.state = Bill::State::NoSuchCustomer;
        }
    }
    catch (const std::exception&)
    {
        bill.state = Bill::State::Unknown;
    }
    return bill;
}

std::optional<Rupiah> DigiflazzBiller::balance()
{
    try
    {
        Object o;
        o.set("cmd", "deposit");
        o.set("username", _supplier.username);
        o.set("sign", sign(_supplier.username, _supplier.key, "depo"));
        HttpRequest r;
        r.method = "POST";
        r.url = _supplier.baseUrl + "/cek-saldo";
        r.headers.emplace_back("Content-Type", "application/json");
        r.body = jsonBody(o);
        r.connectTimeoutMs = _limits.connectTimeoutMs;
        r.totalTimeoutMs = _limits.totalTimeoutMs;
        HttpResult result = HttpClient::send(r);
        if (!result.ok) return std::nullopt;
        return amount(dataOf(result.body), "deposit");
    }
    catch (const std::exception&)
    {
        return std::nullopt;
    }
}

} // namespace Loket
