// Suppliers (issue 10): OtomaX templates and sign, reply regexes, the Loket
// preset, Digiflazz's rc table, sign and webhook signature, supplier reports,
// supplier text and amounts, sealed secrets.  Vectors come from the research
// notes (../shared/research/suppliers.md §2, domain.md §1.1-1.2).
#include "Clock.h"
#include "DigiflazzBiller.h"
#include "IpAllowList.h"
#include "OtomaxBiller.h"
#include "Partners.h"
#include "Schema.h"
#include "SecretBox.h"
#include "SupplierAmount.h"
#include "SupplierReport.h"
#include "SupplierText.h"
#include "Suppliers.h"
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>
#include <sys/stat.h>

using namespace Loket;
using Kind = BillerOutcome::Kind;

namespace {

Supplier otomax(const std::string& success, const std::string& failed, const std::string& pending)
{
    Supplier s;
    s.code = "UP";
    s.type = "otomax";
    s.url = "http://192.0.2.1/trx?memberID=[memberid]&product=[kodeproduk]&dest=[tujuan]&refID=[idtrx]&sign=[sign]";
    s.member = "YUSUF";
    s.pin = "1144";
    s.password = "abcd";
    s.successRe = success;
    s.failedRe = failed;
    s.pendingRe = pending;
    s.reportToken = std::string(64, 'a');
    return s;
}

/// IRS / ST24-style replies as Digiflazz sends them to OtomaX buyers (suppliers.md §1.3).
Supplier irs()
{
    return otomax("BERHASIL, HRG:(?<harga>[\\d.,]+) SN: ?(?<sn>.*?)\\. SISA SALDO:(?<saldo>[\\d.,]+)",
                  "GAGAL, (?<keterangan>[^.]*)\\. SISA SALDO:(?<saldo>[\\d.,]+)", "segera diproses");
}

Supplier loketPreset()
{
    Supplier s;
    s.code = "B";
    s.type = "otomax";
    s.baseUrl = "http://192.0.2.2:8080/";
    s.member = "A";
    s.pin = "1234";
    s.password = "k3y";
    Suppliers::applyLoketPreset(s);
    return s;
}

Order order(const std::string& id, const std::string& product, const std::string& dest)
{
    Order o;
    o.orderId = id;
    o.product = product;
    o.dest = dest;
    return o;
}

const std::string WebhookBody =
    "{\"data\":{\"ref_id\":\"test3\",\"customer_no\":\"087800001233\",\"buyer_sku_code\":\"xld10\",\"message\":"
    "\"Transaksi Sukses\",\"status\":\"Sukses\",\"rc\":\"00\",\"sn\":\"1234567890\",\"buyer_last_saldo\":990000,"
    "\"price\":10000}}";

} // namespace

BOOST_AUTO_TEST_SUITE(otomax_requests)

BOOST_AUTO_TEST_CASE(sign_is_the_published_otomax_signature)
{
    BOOST_TEST(OtomaxBiller::sign("OtomaX", "YUSUF", "X10", "08123456789", "2140669", "1144", "abcd") ==
               "Cp9NLVuKWBt5Sey_uMlYsvnKvJI");
    BOOST_TEST(OtomaxBiller::sign("", "M1", "T1", "087712345678", "R1", "1234", "KEY") == "P5M6g-0FxJPtf3MIUaXs4CEgvTs");
    BOOST_TEST(OtomaxBiller::sign("R-ONE", "M1", "T1", "087712345678", "R1", "1234", "KEY") ==
               "T8SLORC-rQbmVOZ_cgiiImLYkJE");
}

BOOST_AUTO_TEST_CASE(placeholders_are_replaced_by_url_encoded_values)
{
    std::string url = OtomaxBiller::substitute("http://h/trx?dest=[tujuan]&pin=[pin]&x=[unknown]&q=[qty]",
                                               {{"tujuan", "08 12&a=b"}, {"pin", "1+2/3"}, {"qty", "1"}});
    BOOST_TEST(url == "http://h/trx?dest=08%2012%26a%3Db&pin=1%2B2%2F3&x=&q=1");
}

BOOST_AUTO_TEST_CASE(only_the_published_placeholders_are_accepted)
{
    BOOST_TEST(OtomaxBiller::unknownPlaceholder(irs().url) == "");
    BOOST_TEST(OtomaxBiller::unknownPlaceholder("http://h/?a=[kodeproduk]&b=[trxid]") == "[trxid]");
    BOOST_TEST(OtomaxBiller::unknownPlaceholder("http://h/?a=[pin") == "[ (unclosed)");
    Supplier s = irs();
    s.url = "http://h/?x=[foo]";
    BOOST_TEST(Suppliers::problem(s).find("[foo]") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_get_request_carries_the_sign_and_a_status_check_adds_the_check_param)
{
    Supplier s = irs();
    s.checkParam = "check=1";
    OtomaxBiller biller(s, SupplierLimits());
    HttpRequest r = biller.request(order("2140669", "X10", "08123456789"), "");
    BOOST_TEST(r.method == "GET");
    BOOST_TEST(r.url == "http://192.0.2.1/trx?memberID=YUSUF&product=X10&dest=08123456789&refID=2140669"
                        "&sign=Cp9NLVuKWBt5Sey_uMlYsvnKvJI");
    BOOST_TEST(biller.request(order("2140669", "X10", "0812"), "check=1").url.find("&check=1") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_post_request_sends_the_template_query_as_a_form_body)
{
    Supplier s = irs();
    s.method = "POST";
    HttpRequest r = OtomaxBiller(s, SupplierLimits()).request(order("R1", "X10", "0812"), "jenis=5");
    BOOST_TEST(r.url == "http://192.0.2.1/trx");
    BOOST_TEST(r.body.find("memberID=YUSUF&product=X10&dest=0812&refID=R1&sign=") == 0);
    BOOST_TEST(r.body.substr(r.body.size() - 8) == "&jenis=5");
}

BOOST_AUTO_TEST_CASE(the_loket_preset_speaks_the_legacy_interface)
{
    Supplier s = loketPreset();
    BOOST_TEST(Suppliers::problem(s) == "");
    HttpRequest r = OtomaxBiller(s, SupplierLimits()).request(order("17", "T1", "0812"), "cek=1");
    BOOST_TEST(r.url == "http://192.0.2.2:8080/V1/http-get?product=T1&dest=0812&refID=17&memberID=A&qty=1"
                        "&pin=1234&password=k3y&cek=1");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(otomax_replies)

BOOST_AUTO_TEST_CASE(a_success_reply_gives_sn_price_and_balance)
{
    BillerOutcome o = OtomaxBiller(irs(), SupplierLimits())
                          .parse("TRX S1.087800001230 BERHASIL, HRG:10.000 SN: 1234567890. SISA SALDO:990,000 "
                                 "CLIENTID=R1.");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(o.sn == "1234567890");
    BOOST_TEST(o.price.value_or(-1) == 10000);
    BOOST_TEST(o.balance.value_or(-1) == 990000);
    BOOST_TEST(o.raw.find("BERHASIL") != std::string::npos);
}

BOOST_AUTO_TEST_CASE(a_failed_reply_gives_the_reason)
{
    BillerOutcome o = OtomaxBiller(irs(), SupplierLimits())
                          .parse("TRX S1.087800001232 GAGAL, Nomor tujuan salah. SISA SALDO:990000 CLIENTID=R2.");
    BOOST_TEST((o.kind == Kind::Failed));
    BOOST_TEST(o.reason == "Nomor tujuan salah");
    BOOST_TEST(o.balance.value_or(-1) == 990000);
}

BOOST_AUTO_TEST_CASE(pending_unmatched_and_ambiguous_replies_are_pending)
{
    OtomaxBiller biller(irs(), SupplierLimits());
    BOOST_TEST((biller.parse("Request S1 ke 0878 segera diproses Saldo=990000 CLIENTID=R3.").kind == Kind::Pending));
    BOOST_TEST((biller.parse("<html><body>502 Bad Gateway</body></html>").kind == Kind::Pending));
    BOOST_TEST((biller.parse("").kind == Kind::Pending));
    // Both SUKSES and GAGAL patterns match: no answer.
    BOOST_TEST((biller.parse("BERHASIL, HRG:1 SN: x. SISA SALDO:1 GAGAL, y. SISA SALDO:1").kind == Kind::Pending));
}

BOOST_AUTO_TEST_CASE(an_sn_with_cr_lf_cannot_forge_a_second_line)
{
    BillerOutcome o = OtomaxBiller(otomax("SUKSES SN:(?<sn>[^|]*)\\|", "", ""), SupplierLimits())
                          .parse("SUKSES SN:ABC\r\nBAYAR PLN.1 SUKSES, HRG:1 REFID:X.\x01|");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(o.sn == "ABC BAYAR PLN.1 SUKSES, HRG:1 REFID:X.");
    BOOST_TEST(o.raw.find_first_of("\r\n\x01") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(an_unbelievable_price_is_dropped_not_used)
{
    BillerOutcome o = OtomaxBiller(irs(), SupplierLimits())
                          .parse("TRX S1.0878 BERHASIL, HRG:999999999999999999 SN: 1. SISA SALDO:5 CLIENTID=R1.");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(!o.price.has_value());
    BOOST_TEST(o.balance.value_or(-1) == 5);
}

BOOST_AUTO_TEST_CASE(the_loket_preset_reads_every_default_reply_of_a_loket)
{
    OtomaxBiller b(loketPreset(), SupplierLimits());
    BillerOutcome o = b.parse("TRX T1.089652137194 SUKSES, HRG:2000 SN:ABC 12 REFID:TEST-1.");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(o.sn == "ABC 12");
    BOOST_TEST(o.price.value_or(-1) == 2000);
    o = b.parse("STATUS T1.0812 SUKSES, HRG:2000 SN: REFID:R1.");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(o.sn == "");
    o = b.parse("BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:TEST-1.");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(o.price.value_or(-1) == 302750);
    o = b.parse("TRX T1.0812 GAGAL, SALDO TIDAK CUKUP. REFID:R1.");
    BOOST_TEST((o.kind == Kind::Failed));
    BOOST_TEST(o.reason == "SALDO TIDAK CUKUP");
    o = b.parse("TRX GAGAL, FORMAT SALAH: dest.");
    BOOST_TEST((o.kind == Kind::Failed));
    BOOST_TEST(o.reason == "FORMAT SALAH: dest");
    BOOST_TEST((b.parse("TRX T1.0812 SEDANG DIPROSES, HRG:2000 REFID:R1.").kind == Kind::Pending));
    BOOST_TEST((b.parse("STATUS T1.0812 SEDANG DIPROSES, HRG:2000 REFID:R1.").kind == Kind::Pending));
}

BOOST_AUTO_TEST_CASE(patterns_are_checked_when_a_supplier_is_stored)
{
    Supplier s = irs();
    s.successRe = "SUKSES (?<sn";
    BOOST_TEST(Suppliers::problem(s).find("--success is not a valid regex") == 0);
    s = irs();
    s.checkParam = "check";
    BOOST_TEST(Suppliers::problem(s).find("--check-param") == 0);
    s = irs();
    s.reportIps = "10.0.0.0/33";
    BOOST_TEST(Suppliers::problem(s).find("--report-ip") == 0);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(digiflazz)

BOOST_AUTO_TEST_CASE(signs_are_the_published_md5_concatenations)
{
    BOOST_TEST(DigiflazzBiller::sign("alice", "secret", "ref-123") == "ee191eca72a7b8d2d3d2b94f697bcd66");
    BOOST_TEST(DigiflazzBiller::sign("alice", "secret", "depo") == "9c8540381f378687ece9300ea4065c24");
    BOOST_TEST(DigiflazzBiller::sign("alice", "secret", "pricelist") == "2082f085a3e1b3a5150b0ad3b3477df1");
}

BOOST_AUTO_TEST_CASE(the_rc_table_says_created_not_created_or_unknown)
{
    using Rc = DigiflazzBiller::Rc;
    BOOST_TEST((DigiflazzBiller::classifyRc("00") == Rc::Success));
    for (const char* rc : {"03", "99", "49"}) BOOST_TEST((DigiflazzBiller::classifyRc(rc) == Rc::Pending));
    for (const char* rc : {"40", "41", "42", "43", "44", "45", "47", "56", "61", "69", "80", "83", "87", "88"})
        BOOST_TEST((DigiflazzBiller::classifyRc(rc) == Rc::FailedNotCreated), rc);
    for (const char* rc : {"01", "02", "50", "55", "57", "58", "60", "70", "74", "84", "85", "86"})
        BOOST_TEST((DigiflazzBiller::classifyRc(rc) == Rc::FailedCreated), rc);
    for (const char* rc : {"", "04", "46", "48", "75", "89", "98", "000"})
        BOOST_TEST((DigiflazzBiller::classifyRc(rc) == Rc::Unknown), rc);
}

BOOST_AUTO_TEST_CASE(replies_are_read_from_status_and_rc_together)
{
    std::string ref;
    BillerOutcome o = DigiflazzBiller::parse(WebhookBody, ref);
    BOOST_TEST(ref == "test3");
    BOOST_TEST((o.kind == Kind::Success));
    BOOST_TEST(o.sn == "1234567890");
    BOOST_TEST(o.price.value_or(-1) == 10000);
    BOOST_TEST(o.balance.value_or(-1) == 990000);

    o = DigiflazzBiller::parse(R"({"data":{"ref_id":"r","status":"Gagal","rc":"44","message":"Saldo tidak cukup"}})", ref);
    BOOST_TEST((o.kind == Kind::Failed));
    BOOST_TEST(o.notCreated);
    BOOST_TEST(o.reason == "Saldo tidak cukup");
    o = DigiflazzBiller::parse(R"({"data":{"ref_id":"r","status":"Gagal","rc":"02","message":"Transaksi Gagal"}})", ref);
    BOOST_TEST((o.kind == Kind::Failed));
    BOOST_TEST(!o.notCreated);
    // Gagal with an rc the table does not know, or status and rc that disagree: unknown.
    BOOST_TEST((DigiflazzBiller::parse(R"({"data":{"status":"Gagal","rc":"77"}})", ref).kind == Kind::Pending));
    BOOST_TEST((DigiflazzBiller::parse(R"({"data":{"status":"Sukses","rc":"02"}})", ref).kind == Kind::Pending));
    BOOST_TEST((DigiflazzBiller::parse(R"({"data":{"status":"Pending","rc":"03"}})", ref).kind == Kind::Pending));
    BOOST_TEST((DigiflazzBiller::parse("<html>500</html>", ref).kind == Kind::Pending));
    BOOST_TEST((DigiflazzBiller::parse(R"({"data":{"status":"Sukses","rc":"00","price":-5}})", ref).price ==
                std::nullopt));
    BOOST_TEST((DigiflazzBiller::parse(R"({"data":{"status":"Sukses","rc":"00","price":1e30}})", ref).price ==
                std::nullopt));
}

BOOST_AUTO_TEST_CASE(a_webhook_verifies_only_with_the_right_hmac)
{
    const std::string good = "sha1=5ad920d9bec0659e9f33ad61afc76fe4f0b454b1";
    BOOST_TEST(WebhookBody.size() == 196u);
    BOOST_TEST(DigiflazzBiller::verifyWebhook(WebhookBody, good, "somesecretvalue"));
    BOOST_TEST(!DigiflazzBiller::verifyWebhook(WebhookBody, good, "othersecret"));
    BOOST_TEST(!DigiflazzBiller::verifyWebhook(WebhookBody + " ", good, "somesecretvalue"));
    BOOST_TEST(!DigiflazzBiller::verifyWebhook(WebhookBody, "", "somesecretvalue"));
    BOOST_TEST(!DigiflazzBiller::verifyWebhook(WebhookBody, good.substr(5), "somesecretvalue"));
    BOOST_TEST(!DigiflazzBiller::verifyWebhook(WebhookBody, "sha1=", ""));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(supplier_reports)

SupplierReportRequest get(const std::string& token, const std::string& query, const std::string& ip = "192.0.2.9")
{
    SupplierReportRequest r;
    r.token = token;
    r.peerIp = ip;
    r.method = "GET";
    r.query = query;
    return r;
}

BOOST_AUTO_TEST_CASE(an_otomax_report_names_our_idtrx_and_is_parsed_by_the_regexes)
{
    Supplier s = irs();
    SupplierReport r = readSupplierReport(
        s, get(s.reportToken, "serverid=9&clientid=R1&statuscode=1&msg=TRX+S1.0878+BERHASIL%2C+HRG%3A10000+SN%3A+77."
                              "+SISA+SALDO%3A5"));
    BOOST_TEST((r.verdict == SupplierReport::Verdict::Accepted));
    BOOST_TEST(r.orderId == "R1");
    BOOST_TEST((r.outcome.kind == Kind::Success));
    BOOST_TEST(r.outcome.sn == "77");

    SupplierReportRequest post = get(s.reportToken, "");
    post.method = "POST";
    post.body = "refid=R2&message=TRX+S1.0878+GAGAL%2C+Stok+habis.+SISA+SALDO%3A5";
    r = readSupplierReport(s, post);
    BOOST_TEST((r.verdict == SupplierReport::Verdict::Accepted));
    BOOST_TEST(r.orderId == "R2");
    BOOST_TEST((r.outcome.kind == Kind::Failed));
    BOOST_TEST(r.outcome.reason == "Stok habis");
}

BOOST_AUTO_TEST_CASE(a_forged_report_is_refused)
{
    Supplier s = irs();
    s.reportIps = "192.0.2.0/24";
    std::string q = "refid=R1&message=TRX+S1.0878+BERHASIL%2C+HRG%3A1+SN%3A+1.+SISA+SALDO%3A5";
    BOOST_TEST((readSupplierReport(s, get(std::string(64, 'b'), q)).verdict == SupplierReport::Verdict::WrongToken));
    BOOST_TEST((readSupplierReport(s, get("", q)).verdict == SupplierReport::Verdict::WrongToken));
    SupplierReport r = readSupplierReport(s, get(s.reportToken, q, "198.51.100.1"));
    BOOST_TEST((r.verdict == SupplierReport::Verdict::IpNotAllowed));
    BOOST_TEST((r.outcome.kind == Kind::Pending));
    BOOST_TEST(r.orderId == "");
    BOOST_TEST((readSupplierReport(s, get(s.reportToken, q, "::ffff:192.0.2.44")).verdict ==
                SupplierReport::Verdict::Accepted));
    // A body beyond 64 KiB is not read.
    SupplierReportRequest big = get(s.reportToken, "", "192.0.2.9");
    big.method = "POST";
    big.body = "refid=R1&message=x&pad=" + std::string(SupplierReport::MaxBody, 'a');
    BOOST_TEST((readSupplierReport(s, big).verdict == SupplierReport::Verdict::Unreadable));
    // No id of ours, or one that is not refID-shaped.
    BOOST_TEST((readSupplierReport(s, get(s.reportToken, "message=x")).verdict == SupplierReport::Verdict::Unreadable));
    BOOST_TEST((readSupplierReport(s, get(s.reportToken, "refid=a%0Db&message=x")).verdict ==
                SupplierReport::Verdict::Unreadable));
}

BOOST_AUTO_TEST_CASE(a_digiflazz_webhook_needs_its_signature)
{
    Supplier s;
    s.code = "DF";
    s.type = "digiflazz";
    s.reportToken = std::string(64, 'c');
    s.webhookSecret = "somesecretvalue";
    SupplierReportRequest r = get(s.reportToken, "");
    r.method = "POST";
    r.body = WebhookBody;
    BOOST_TEST((readSupplierReport(s, r).verdict == SupplierReport::Verdict::BadSignature));   // unsigned
    r.headers = {{"x-hub-signature", "sha1=0000000000000000000000000000000000000000"}};
    BOOST_TEST((readSupplierReport(s, r).verdict == SupplierReport::Verdict::BadSignature));
    r.headers = {{"X-Hub-Signature", "sha1=5ad920d9bec0659e9f33ad61afc76fe4f0b454b1"}};
    SupplierReport rep = readSupplierReport(s, r);
    BOOST_TEST((rep.verdict == SupplierReport::Verdict::Accepted));
    BOOST_TEST(rep.orderId == "test3");
    BOOST_TEST((rep.outcome.kind == Kind::Success));
    s.webhookSecret.clear();   // no secret configured: nothing verifies
    BOOST_TEST((readSupplierReport(s, r).verdict == SupplierReport::Verdict::BadSignature));
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(supplier_text_and_amounts)

BOOST_AUTO_TEST_CASE(text_is_one_bounded_line)
{
    BOOST_TEST(SupplierText::clean("  Anto\r\nBAYAR X SUKSES\t\x7f end ", 100) == "Anto BAYAR X SUKSES end");
    BOOST_TEST(SupplierText::clean(std::string(500, 'x'), 60).size() == 60u);
    BOOST_TEST(SupplierText::clean("", 10) == "");
    BOOST_TEST(SupplierText::clean(std::string("a\0b", 3), 10) == "a b");
    // "Jos\xC3\xA9" cut inside the two-byte \xC3\xA9 drops the half.
    BOOST_TEST(SupplierText::clean("Jos\xC3\xA9", 4) == "Jos");
    BOOST_TEST(SupplierText::clean("Jos\xC3\xA9", 5) == "Jos\xC3\xA9");
}

BOOST_AUTO_TEST_CASE(our_secrets_echoed_by_a_supplier_are_masked)
{
    BOOST_TEST(SupplierText::mask("GET /trx?pin=1144&password=p%40ss%20w GAGAL 1144", {"1144", "p@ss w", "12"}) ==
               "GET /trx?pin=***&password=*** GAGAL ***");
    OtomaxBiller biller(irs(), SupplierLimits());   // pin 1144, password abcd
    BillerOutcome o = biller.parse("TRX S1.0878 GAGAL, pin 1144 salah. SISA SALDO:5 password=abcd");
    BOOST_TEST((o.kind == Kind::Failed));
    BOOST_TEST(o.reason == "pin *** salah");
    BOOST_TEST(o.raw.find("abcd") == std::string::npos);
}

BOOST_AUTO_TEST_CASE(amounts_are_whole_rupiah_within_range)
{
    BOOST_TEST(SupplierAmount::parseText("71,900").value_or(-1) == 71900);
    BOOST_TEST(SupplierAmount::parseText("82.006.847").value_or(-1) == 82006847);
    BOOST_TEST(SupplierAmount::parseText("10000").value_or(-1) == 10000);
    BOOST_TEST(SupplierAmount::parseText("100000000000").value_or(-1) == SupplierAmount::Max);
    for (const char* bad : {"", "1.2", "10000.00", "-5", "1,2345", ",100", "100.", "100000000001", "99999999999999999999",
                            "1 000", "Rp100"})
        BOOST_TEST(!SupplierAmount::parseText(bad).has_value(), bad);
    BOOST_TEST(SupplierAmount::fromDouble(10000.0).value_or(-1) == 10000);
    BOOST_TEST(!SupplierAmount::fromDouble(0.5).has_value());
    BOOST_TEST(!SupplierAmount::fromDouble(-1).has_value());
}

BOOST_AUTO_TEST_CASE(ip_allow_lists_take_cidrs)
{
    IpAllowList list("10.0.0.0/8, 192.0.2.7,2001:db8::/32");
    BOOST_TEST(list.allows("10.200.3.4"));
    BOOST_TEST(list.allows("192.0.2.7"));
    BOOST_TEST(!list.allows("192.0.2.8"));
    BOOST_TEST(list.allows("2001:db8::1"));
    BOOST_TEST(!list.allows("2001:db9::1"));
    BOOST_TEST(!list.allows("garbage"));
    BOOST_TEST(IpAllowList("").allows("203.0.113.1"));
    BOOST_CHECK_THROW(IpAllowList("10.0.0.0/8,nonsense"), std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(secret_box)

BOOST_AUTO_TEST_CASE(secrets_are_sealed_bound_to_their_place_and_the_key_file_is_private)
{
    Poco::TemporaryFile dir;
    dir.createDirectories();
    Config config;
    config.authKeyFile = dir.path() + "/loket.key";
    auto box = SecretBox::fromConfig(config);
    struct stat st;
    BOOST_REQUIRE(::stat(config.authKeyFile.c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);

    std::string sealed = box->seal("1234", "supplier/UP/pin");
    BOOST_TEST(sealed.find("1234") == std::string::npos);
    BOOST_TEST(sealed != box->seal("1234", "supplier/UP/pin"));   // a fresh nonce each time
    BOOST_TEST(box->open(sealed, "supplier/UP/pin") == "1234");
    BOOST_CHECK_THROW(box->open(sealed, "supplier/OTHER/pin"), std::runtime_error);
    std::string tampered = sealed;
    tampered[tampered.size() - 3] = tampered[tampered.size() - 3] == 'A' ? 'B' : 'A';
    BOOST_CHECK_THROW(box->open(tampered, "supplier/UP/pin"), std::runtime_error);
    BOOST_TEST(box->open(box->seal("", "x"), "x") == "");
    // The same key file opens it again; a group-readable one is refused.
    BOOST_TEST(SecretBox::fromConfig(config)->open(sealed, "supplier/UP/pin") == "1234");
    ::chmod(config.authKeyFile.c_str(), 0640);
    BOOST_CHECK_THROW(SecretBox::fromConfig(config), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(supplier_table)

BOOST_AUTO_TEST_CASE(suppliers_are_stored_sealed_and_their_activity_comes_from_the_transactions)
{
    Poco::TemporaryFile dir;
    dir.createDirectories();
    Config config;
    config.databaseConnect = dir.path() + "/ledger.db";
    config.authKeyFile = dir.path() + "/loket.key";
    Database db(config);
    Schema::install(db, LOKET_SQL_DIR);
    auto box = SecretBox::fromConfig(config);
    Suppliers suppliers(db, *box);
    suppliers.add(loketPreset());
    Supplier back;
    BOOST_REQUIRE(suppliers.find("B", back));
    BOOST_TEST(back.password == "k3y");
    BOOST_TEST(back.reportToken.size() == 64u);
    BOOST_TEST(back.url == loketPreset().url);
    BOOST_CHECK_THROW(suppliers.add(loketPreset()), std::exception);   // the code exists
    bool open = false;
    BOOST_TEST(Suppliers::exists(db, "B", &open));
    BOOST_TEST(open);
    suppliers.setOpen("B", false);
    BOOST_TEST(Suppliers::exists(db, "B", &open));
    BOOST_TEST(!open);
    BOOST_TEST(!Suppliers::exists(db, "NOPE"));

    Partners(db).add("M1", "", "1234", "key", false);
    Poco::Int64 now = Clock::now();
    int n = 0;
    for (const char* status : {"SENT", "PENDING", "PENDING", "SUCCESS", "SUCCESS", "SUCCESS", "FAILED", "QUEUED"})
    {
        std::string ref = "R" + std::to_string(n++), st = status;
        db.session() << "INSERT INTO transactions (member_id, ref_id, kind, product, dest, status, rc, created_at, "
                        "updated_at, biller) VALUES ('M1', ?, 'topup', 'T1', '0812', ?, '68', ?, ?, 'B')",
            Poco::Data::Keywords::bind(ref), Poco::Data::Keywords::bind(st), Poco::Data::Keywords::bind(now),
            Poco::Data::Keywords::bind(now), Poco::Data::Keywords::now;
    }
    SupplierActivity a = suppliers.activity("B");
    BOOST_TEST(a.inFlight == 3);
    BOOST_TEST(a.succeeded == 3);
    BOOST_TEST(a.failed == 1);
    BOOST_TEST(suppliers.activity("OTHER").inFlight == 0);
}

BOOST_AUTO_TEST_SUITE_END()
