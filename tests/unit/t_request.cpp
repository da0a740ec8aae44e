// Parsing and validation of a partner's query string (core/Request, ParameterRules).
#include "Request.h"
#include "ParameterRules.h"
#include <boost/test/unit_test.hpp>

using Loket::Action;
using Loket::Request;

namespace {
const std::string Endpoint = "/V1/http-get";
const std::string Creds = "&memberID=M1&pin=1234&password=k3y";
}

BOOST_AUTO_TEST_SUITE(request)

BOOST_AUTO_TEST_CASE(topup_parameters_are_read_as_spelled_in_the_interface)
{
    Request r = Request::parse(Endpoint, "product=T1&dest=087712345678&refID=TEST-1&qty=2" + Creds);
    BOOST_TEST(r.badParameter == "");
    BOOST_TEST((r.action == Action::Topup));
    BOOST_TEST(r.product == "T1");
    BOOST_TEST(r.dest == "087712345678");
    BOOST_TEST(r.refId == "TEST-1");
    BOOST_TEST(r.memberId == "M1");
    BOOST_TEST(r.qty == 2);
}

BOOST_AUTO_TEST_CASE(qty_defaults_to_one)
{
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R" + Creds).qty == 1);
}

BOOST_AUTO_TEST_CASE(jenis_and_cek_choose_the_action)
{
    BOOST_TEST((Request::parse(Endpoint, "product=P&dest=1&refID=R&jenis=5" + Creds).action == Action::Inquiry));
    BOOST_TEST((Request::parse(Endpoint, "product=P&dest=1&refID=R&jenis=6" + Creds).action == Action::Payment));
    BOOST_TEST((Request::parse(Endpoint, "refID=R&cek=1" + Creds).action == Action::Status));
    BOOST_TEST((Request::parse(Endpoint + "/balance", Creds.substr(1)).action == Action::Balance));
    BOOST_TEST(Request::parse(Endpoint, "product=P&dest=1&refID=R&jenis=7" + Creds).badParameter == "jenis");
    BOOST_TEST(Request::parse(Endpoint, "refID=R&cek=2" + Creds).badParameter == "cek");
}

BOOST_AUTO_TEST_CASE(the_first_bad_parameter_is_named_in_a_fixed_order)
{
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R").badParameter == "memberID");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&refID=R" + Creds).badParameter == "dest");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812" + Creds).badParameter == "refID");
    BOOST_TEST(Request::parse(Endpoint, "product=&dest=0812&refID=R" + Creds).badParameter == "product");
}

BOOST_AUTO_TEST_CASE(repeated_parameters_are_refused)
{
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R&refID=R" + Creds).badParameter == "refID");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R&pin=1" + Creds).badParameter == "pin");
}

BOOST_AUTO_TEST_CASE(case_variants_are_not_the_parameter)
{
    Request r = Request::parse(Endpoint, "product=T1&dest=0812&REFID=R" + Creds);
    BOOST_TEST(r.badParameter == "refID");
}

BOOST_AUTO_TEST_CASE(percent_encoding_is_decoded_and_bad_escapes_refused)
{
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=%30812&refID=R" + Creds).dest == "0812");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=08%zz&refID=R" + Creds).badParameter == "dest");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=08%2&refID=R" + Creds).badParameter == "dest");
}

BOOST_AUTO_TEST_CASE(nul_cr_lf_and_non_ascii_never_pass)
{
    for (const char* bad : {"AB%00CD", "AB%0D%0AX", "AB%FF", "AB+CD", "A%09B", "%27%20OR%201%3D1"})
        BOOST_TEST(Request::parse(Endpoint, std::string("product=T1&dest=0812&refID=") + bad + Creds).badParameter ==
                   "refID");
}

BOOST_AUTO_TEST_CASE(qty_is_a_small_positive_integer)
{
    for (const char* bad : {"0", "-1", "1.5", "1e3", "0x10", "101", "99999999999999999999", "", "01", "+1"})
        BOOST_TEST(Request::parse(Endpoint, std::string("product=T1&dest=0812&refID=R&qty=") + bad + Creds)
                       .badParameter == "qty",
                   "qty=" << bad);
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R&qty=100" + Creds).qty == 100);
}

BOOST_AUTO_TEST_CASE(oversized_values_and_queries_are_refused)
{
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=" + std::string(65, 'A') + Creds).badParameter ==
               "refID");
    BOOST_TEST(Request::parse(Endpoint, "x=" + std::string(3000, 'A')).badParameter == "query");
}

BOOST_AUTO_TEST_CASE(unknown_parameters_are_ignored)
{
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R&foo=%zz&sign=x" + Creds).badParameter == "");
}

BOOST_AUTO_TEST_CASE(status_check_may_omit_product_and_dest)
{
    Request r = Request::parse(Endpoint, "refID=R&cek=1" + Creds);
    BOOST_TEST(r.badParameter == "");
    BOOST_TEST(!r.productValid);
}

BOOST_AUTO_TEST_CASE(at_forms_pass_the_character_rules)
{
    BOOST_TEST(Request::parse(Endpoint, "product=PBBDKI@2024&dest=0001234567890@3&refID=R&jenis=5" + Creds)
                   .badParameter == "");
    BOOST_TEST(Request::parse(Endpoint, "product=A@B@C&dest=1&refID=R&jenis=5" + Creds).badParameter == "product");
}

BOOST_AUTO_TEST_CASE(check_means_cek)
{
    Request r = Request::parse(Endpoint, "refID=R&check=1" + Creds);
    BOOST_TEST(r.badParameter == "");
    BOOST_TEST((r.action == Action::Status));
    BOOST_TEST(Request::parse(Endpoint, "refID=R&check=2" + Creds).badParameter == "check");
    BOOST_TEST(Request::parse(Endpoint, "refID=R&check=1&cek=1" + Creds).badParameter == "check");
}

BOOST_AUTO_TEST_CASE(the_otomax_paths_are_aliases)
{
    for (const char* path : {"/V1/http-get/", "/trx"})
    {
        Request r = Request::parse(path, "product=T1&dest=0812&refID=R" + Creds);
        BOOST_TEST(r.badParameter == "");
        BOOST_TEST((r.action == Action::Topup));
    }
    BOOST_TEST((Request::parse("/trx/balance", Creds.substr(1)).action == Action::Balance));
    BOOST_TEST(Request::parse("/trx/balance", Creds.substr(1)).badParameter == "");
    BOOST_TEST(Request::parse("/trx/", "product=T1&dest=0812&refID=R" + Creds).badParameter == "endpoint");
    BOOST_TEST(Request::parse("/v1/http-get", "product=T1&dest=0812&refID=R" + Creds).badParameter == "endpoint");
}

BOOST_AUTO_TEST_CASE(a_sign_replaces_pin_and_password)
{
    const std::string sign = "&memberID=M1&sign=pz-7oiQzceBs1_05Ewxp-HT8f78";
    Request r = Request::parse(Endpoint, "product=T1&dest=0812&refID=R" + sign);
    BOOST_TEST(r.badParameter == "");
    BOOST_TEST(r.sign == "pz-7oiQzceBs1_05Ewxp-HT8f78");
    BOOST_TEST(r.pin == "");
    // Padded, standard base64 or any other length is not a sign.
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R&memberID=M1&sign=pz%2B7oiQzceBs1_05Ewxp-HT8f7%3D")
                   .badParameter == "sign");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R&memberID=M1&sign=abc").badParameter == "sign");
    // With pin or password present, those are the credentials.
    Request both = Request::parse(Endpoint, "product=T1&dest=0812&refID=R" + sign + "&pin=1234&password=k");
    BOOST_TEST(both.badParameter == "");
    BOOST_TEST(both.sign == "");
    BOOST_TEST(both.pin == "1234");
    BOOST_TEST(Request::parse(Endpoint, "product=T1&dest=0812&refID=R" + sign + "&pin=1234").badParameter ==
               "password");
    BOOST_TEST(Request::parse(Endpoint + "/balance", sign.substr(1)).badParameter == "");
}

BOOST_AUTO_TEST_SUITE_END()

#include "Config.h"

BOOST_AUTO_TEST_CASE(database_passwords_are_masked_in_error_texts)
{
    std::string masked = Loket::redactSecrets("cannot connect: Driver={PostgreSQL Unicode};Uid=loket;PWD=s3cret;Port=1");
    BOOST_TEST(masked.find("s3cret") == std::string::npos);
    BOOST_TEST(masked.find("Uid=loket;PWD=******;Port=1") != std::string::npos);
    BOOST_TEST(Loket::redactSecrets("Password=abc") == "Password=***");
}
