// Partner authentication: HTTP-GET SIGN known answers, sealed secrets, IP
// allowlists, and the Authenticator's decisions on a real ledger file.
#include "TempLedger.h"
#include "Authenticator.h"
#include "IpAllowList.h"
#include "Lockout.h"
#include "PartnerAuth.h"
#include "Partners.h"
#include "Schema.h"
#include "SecretBox.h"
#include "Signature.h"
#include <boost/test/unit_test.hpp>
#include <Poco/File.h>
#include <Poco/TemporaryFile.h>
#include <sys/stat.h>

using namespace Loket;

namespace {

/// A ledger and a key file in temporary files, with partner M1 (pin 1234,
/// password rahasia) added the way loketctl adds one.
struct Ledger : TempLedger
{
    Poco::TemporaryFile key;

    Ledger()
    {
        config.authKeyFile = key.path();
        SecretBox::createKeyFile(key.path());
        addPartner("M1");
    }

    void addPartner(const std::string& id)
    {
        WriteTransaction tx(*db);
        Partners(*db).add(id, "", "1234", "rahasia", false);
        PartnerAuth(*db).storeSecrets(SecretBox::cached(config.authKeyFile), id, "1234", "rahasia");
        tx.commit();
    }

    AuthOutcome withPin(const std::string& member, const std::string& pin, const std::string& address = "")
    {
        AuthRequest r;
        r.memberId = member;
        r.pin = pin;
        r.password = "rahasia";
        r.remoteAddr = address;
        Partner p;
        return Authenticator(config, *db).authenticate(r, p);
    }

    AuthOutcome withSign(const std::string& member, const std::string& sign)
    {
        AuthRequest r;
        r.memberId = member;
        r.sign = sign;
        r.signedFields = Signature::forBalance(member);
        Partner p;
        return Authenticator(config, *db).authenticate(r, p);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(signature)

// Expected values computed apart from Loket:
//   printf 'OtomaX|MTR001|T10|081234567890|TRX-0001|1234|rahasia' | openssl sha1 -binary | base64 | tr '+/' '-_' | tr -d =
BOOST_AUTO_TEST_CASE(known_answers_for_both_prefixes)
{
    auto trx = Signature::forTransaction("MTR001", "T10", "081234567890", "TRX-0001");
    BOOST_TEST(Signature::compute("OtomaX", trx.asSent, "1234", "rahasia") == "pz-7oiQzceBs1_05Ewxp-HT8f78");
    BOOST_TEST(Signature::compute("R-ONE", trx.asSent, "1234", "rahasia") == "bJla_Nj0Oa9aLz-SZiRQwzfjszY");
    auto balance = Signature::forBalance("MTR001");
    BOOST_TEST(Signature::compute("OtomaX", balance.asSent, "1234", "rahasia") == "4TgC-X-Saetb_8GHW1V5VuSkvVQ");
    BOOST_TEST(Signature::compute("R-ONE", balance.asSent, "1234", "rahasia") == "uWVigg-Cq_RQ_kxu1gmFUaMs7Wo");
    auto prices = Signature::forPriceList("MTR001");
    BOOST_TEST(Signature::compute("OtomaX", prices.asSent, "1234", "rahasia") == "r_M9xP_4finHM-hCmd0Nyybrloo");
}

BOOST_AUTO_TEST_CASE(a_sign_over_the_values_as_sent_or_upper_cased_verifies)
{
    auto lower = Signature::forTransaction("mtr001", "t10", "081234567890", "TRX-0001");
    // As sent (lower case) ...
    BOOST_TEST(Signature::verify("Wots7kdDKsfGEYpMDqerHyWWY7c", "OtomaX", lower, "1234", "rahasia"));
    // ... and over memberID and product upper-cased.
    BOOST_TEST(Signature::verify("pz-7oiQzceBs1_05Ewxp-HT8f78", "OtomaX", lower, "1234", "rahasia"));
    BOOST_TEST(!Signature::verify("pz-7oiQzceBs1_05Ewxp-HT8f78", "R-ONE", lower, "1234", "rahasia"));
    BOOST_TEST(!Signature::verify("pz-7oiQzceBs1_05Ewxp-HT8f78", "OtomaX", lower, "1235", "rahasia"));
    BOOST_TEST(!Signature::verify("", "OtomaX", lower, "1234", "rahasia"));
}

BOOST_AUTO_TEST_CASE(base64url_has_no_padding)
{
    BOOST_TEST(Signature::base64Url("") == "");
    BOOST_TEST(Signature::base64Url("f") == "Zg");
    BOOST_TEST(Signature::base64Url("fo") == "Zm8");
    BOOST_TEST(Signature::base64Url("foo") == "Zm9v");
    BOOST_TEST(Signature::base64Url("\xfb\xff") == "-_8");
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(secret_box)

BOOST_AUTO_TEST_CASE(a_sealed_secret_opens_only_with_its_key_and_context)
{
    Poco::TemporaryFile k1, k2;
    BOOST_TEST(SecretBox::createKeyFile(k1.path()));
    BOOST_TEST(!SecretBox::createKeyFile(k1.path()));   // never replaced
    SecretBox::createKeyFile(k2.path());
    struct stat st;
    BOOST_REQUIRE(::stat(k1.path().c_str(), &st) == 0);
    BOOST_TEST((st.st_mode & 0777) == 0600u);
    SecretBox a = SecretBox::fromKeyFile(k1.path()), b = SecretBox::fromKeyFile(k2.path());

    std::string sealed = a.seal("rahasia", "password:M1"), plain;
    BOOST_TEST(sealed.find("rahasia") == std::string::npos);
    BOOST_TEST(a.seal("rahasia", "password:M1") != sealed);   // a fresh nonce each time
    BOOST_TEST(a.open(sealed, "password:M1", plain));
    BOOST_TEST(plain == "rahasia");
    BOOST_TEST(!a.open(sealed, "password:M2", plain));
    BOOST_TEST(!a.open(sealed, "pin:M1", plain));
    BOOST_TEST(!b.open(sealed, "password:M1", plain));
    std::string altered = sealed;
    altered[10] = altered[10] == 'a' ? 'b' : 'a';
    BOOST_TEST(!a.open(altered, "password:M1", plain));
    BOOST_TEST(!a.open("g1:00", "password:M1", plain));
    BOOST_TEST(!a.open("", "password:M1", plain));
    BOOST_TEST(a.open(a.seal("", "x"), "x", plain));
    BOOST_TEST(plain.empty());
}

BOOST_AUTO_TEST_CASE(a_key_open_to_other_users_is_refused)
{
    Poco::TemporaryFile k;
    SecretBox::createKeyFile(k.path());
    ::chmod(k.path().c_str(), 0640);
    BOOST_CHECK_THROW(SecretBox::fromKeyFile(k.path()), std::runtime_error);
    Poco::TemporaryFile missing;
    BOOST_CHECK_THROW(SecretBox::fromKeyFile(missing.path()), std::runtime_error);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(ip_allowlist)

BOOST_AUTO_TEST_CASE(networks_of_both_families)
{
    IpAllowList list("10.1.2.0/24, 192.0.2.7,2001:db8::/32");
    BOOST_TEST(list.text() == "10.1.2.0/24,192.0.2.7/32,2001:db8::/32");
    BOOST_TEST(list.allows("10.1.2.200"));
    BOOST_TEST(!list.allows("10.1.3.1"));
    BOOST_TEST(list.allows("192.0.2.7"));
    BOOST_TEST(!list.allows("192.0.2.8"));
    BOOST_TEST(list.allows("::ffff:10.1.2.9"));
    BOOST_TEST(list.allows("2001:db8:1::5"));
    BOOST_TEST(!list.allows("2001:db9::1"));
    BOOST_TEST(!list.allows(""));
    BOOST_TEST(!list.allows("not-an-address"));
    BOOST_TEST(IpAllowList("").allows(""));
    BOOST_TEST(IpAllowList("10.1.2.3/20").text() == "10.1.0.0/20");
    BOOST_TEST(IpAllowList("0.0.0.0/0").allows("8.8.8.8"));
    for (const char* bad : {"10.1.2.0/33", "10.1.2", "host.example", "10.1.2.0/", "::/129", "1.2.3.4/-1"})
        BOOST_CHECK_THROW(IpAllowList{bad}, std::invalid_argument);
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(authenticator)

BOOST_AUTO_TEST_CASE(pin_and_password_or_a_sign)
{
    Ledger l;
    BOOST_TEST(int(l.withPin("M1", "1234")) == int(AuthOutcome::Ok));
    BOOST_TEST(int(l.withPin("M1", "9999")) == int(AuthOutcome::WrongCredentials));
    BOOST_TEST(int(l.withPin("NOBODY", "1234")) == int(AuthOutcome::WrongCredentials));
    auto balance = Signature::forBalance("M1");
    BOOST_TEST(int(l.withSign("M1", Signature::compute("OtomaX", balance.asSent, "1234", "rahasia"))) ==
               int(AuthOutcome::Ok));
    BOOST_TEST(int(l.withSign("M1", Signature::compute("R-ONE", balance.asSent, "1234", "rahasia"))) ==
               int(AuthOutcome::WrongCredentials));
    PartnerAuth(*l.db).setSignPrefix("M1", "R-ONE");
    BOOST_TEST(int(l.withSign("M1", Signature::compute("R-ONE", balance.asSent, "1234", "rahasia"))) ==
               int(AuthOutcome::Ok));
}

BOOST_AUTO_TEST_CASE(the_fifth_failure_locks_until_cleared_known_or_unknown)
{
    Ledger l;
    for (const char* member : {"M1", "NOBODY"})
    {
        for (int i = 0; i < 5; ++i) BOOST_TEST(int(l.withPin(member, "9999")) == int(AuthOutcome::WrongCredentials));
        BOOST_TEST(int(l.withPin(member, "1234")) == int(AuthOutcome::Locked));
        BOOST_TEST(Lockout(*l.db).clear(member));
    }
    BOOST_TEST(int(l.withPin("M1", "1234")) == int(AuthOutcome::Ok));
    // A success forgets earlier failures.
    for (int i = 0; i < 4; ++i) l.withPin("M1", "9999");
    BOOST_TEST(int(l.withPin("M1", "1234")) == int(AuthOutcome::Ok));
    BOOST_TEST(Lockout(*l.db).state("M1").failures == 0);
}

BOOST_AUTO_TEST_CASE(the_allowlist_comes_before_credentials_and_counts_nothing)
{
    Ledger l;
    PartnerAuth(*l.db).setIpAllow("M1", "192.0.2.0/24");
    BOOST_TEST(int(l.withPin("M1", "9999", "198.51.100.1")) == int(AuthOutcome::IpNotAllowed));
    BOOST_TEST(int(l.withPin("M1", "1234", "198.51.100.1")) == int(AuthOutcome::IpNotAllowed));
    BOOST_TEST(Lockout(*l.db).state("M1").failures == 0);
    BOOST_TEST(int(l.withPin("M1", "1234", "192.0.2.9")) == int(AuthOutcome::Ok));
}

BOOST_AUTO_TEST_CASE(an_old_digest_is_sealed_on_the_next_success)
{
    Ledger l;
    Partners(*l.db).add("OLD", "", "4321", "rahasia", false);   // as before sealed secrets
    Partner p;
    Partners(*l.db).find("OLD", p);
    BOOST_TEST(!p.pinHash.empty());
    BOOST_TEST(int(l.withPin("OLD", "4321")) == int(AuthOutcome::Ok));
    Partners(*l.db).find("OLD", p);
    BOOST_TEST(p.pinHash.empty());
    BOOST_TEST(p.passwordHash.empty());
    PartnerAuthRecord r = PartnerAuth(*l.db).find("OLD");
    std::string plain;
    BOOST_TEST(SecretBox::cached(l.config.authKeyFile).open(r.pinSealed, PartnerAuth::pinContext("OLD"), plain));
    BOOST_TEST(plain == "4321");
    BOOST_TEST(int(l.withPin("OLD", "4321")) == int(AuthOutcome::Ok));
    BOOST_TEST(int(l.withPin("OLD", "4322")) == int(AuthOutcome::WrongCredentials));
}

BOOST_AUTO_TEST_CASE(a_wrong_key_is_an_error_not_a_partners_failure)
{
    Ledger l;
    // The ledger's secrets were sealed under another key (a key file replaced).
    Poco::TemporaryFile other;
    SecretBox::createKeyFile(other.path());
    Config wrongKey = l.config;
    wrongKey.authKeyFile = other.path();
    AuthRequest r;
    r.memberId = "M1";
    r.pin = "1234";
    r.password = "rahasia";
    Partner p;
    for (int i = 0; i < 6; ++i)
        BOOST_CHECK_THROW(Authenticator(wrongKey, *l.db).authenticate(r, p), std::runtime_error);
    BOOST_TEST(Lockout(*l.db).state("M1").failures == 0);
    BOOST_TEST(int(l.withPin("M1", "1234")) == int(AuthOutcome::Ok));
}

BOOST_AUTO_TEST_SUITE_END()
