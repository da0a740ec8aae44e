// Reply templates: rendering and the shape checks of reload-templates (core/Templates).
#include "TempLedger.h"
#include "Templates.h"
#include <boost/test/unit_test.hpp>
#include <Poco/TemporaryFile.h>
#include "Database.h"
#include "Schema.h"

using Loket::Action;
using Loket::Templates;

namespace {

/// A ledger in a temporary file with the default schema and templates.
struct Ledger : TempLedger
{
    Templates templates;

    Ledger()
    {
        templates.load(*db);
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(templates)

BOOST_AUTO_TEST_CASE(the_seed_replies_render_byte_for_byte)
{
    Ledger l;
    Loket::Fields topup = {{"kodeproduk", "T1"}, {"tujuan", "089652137194"}, {"harga", "2000"},
                           {"sn", "ABC"}, {"refid", "TEST-1"}};
    BOOST_TEST(l.templates.render("00", Action::Topup, topup) ==
               "TRX T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.");
    BOOST_TEST(l.templates.render("00", Action::Status, topup) ==
               "STATUS T1.089652137194 SUKSES, HRG:2000 SN:ABC REFID:TEST-1.");
    Loket::Fields bill = {{"kodeproduk", "PLNPASC"}, {"tujuan", "546302215889"}, {"nama", "Anto"},
                          {"tagihan", "300000"}, {"admin", "2750"}, {"harga", "302750"}, {"refid", "TEST-1"}};
    BOOST_TEST(l.templates.render("00", Action::Inquiry, bill) ==
               "CEK PLNPASC.546302215889 SUKSES, DATA:Anto TAGIHAN:300000 ADMIN:2750.");
    BOOST_TEST(l.templates.render("00", Action::Payment, bill) ==
               "BAYAR PLNPASC.546302215889 SUKSES, HRG:302750 REFID:TEST-1.");
    BOOST_TEST(l.templates.render("00", Action::Balance, {{"saldo", "1000000"}, {"waktu", "2026-04-21 11:00:00"}}) ==
               "saldo=1000000  @ 2026-04-21 11:00:00");
}

BOOST_AUTO_TEST_CASE(an_unknown_product_or_dest_is_left_out_not_echoed)
{
    Ledger l;
    BOOST_TEST(l.templates.render("30", Action::Topup, {{"keterangan", "dest"}, {"kodeproduk", "T1"}}) ==
               "TRX GAGAL, FORMAT SALAH: dest.");
}

BOOST_AUTO_TEST_CASE(every_default_template_passes_the_shape_checks)
{
    Ledger l;
    std::string rc, action, text;
    Poco::Data::Statement st(l.db->session());
    using namespace Poco::Data::Keywords;
    st << "SELECT rc, action, text FROM response_codes", into(rc), into(action), into(text), range(0, 1);
    int rows = 0;
    while (!st.done() && st.execute() > 0)
    {
        ++rows;
        auto problems = Templates::problems(rc, action, text);
        BOOST_TEST(problems.empty(), rc << " " << action << ": " << (problems.empty() ? "" : problems[0]));
    }
    BOOST_TEST(rows >= 4 * 18);
}

BOOST_AUTO_TEST_CASE(every_rc_has_a_text_for_every_action)
{
    Ledger l;
    for (const char* rc : {"00", "04", "05", "06", "11", "14", "17", "20", "30", "40", "41", "42", "43", "47", "50",
                           "68", "88", "99"})
        for (Action a : {Action::Topup, Action::Inquiry, Action::Payment, Action::Status})
        {
            std::string text = l.templates.render(rc, a, {{"kodeproduk", "P"}, {"tujuan", "D"}});
            BOOST_TEST(text.compare(0, Loket::actionWord(a).size(), Loket::actionWord(a)) == 0, rc << ": " << text);
            BOOST_TEST(text.back() == '.', rc << ": " << text);
        }
}

BOOST_AUTO_TEST_CASE(bad_templates_are_named)
{
    BOOST_TEST(!Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] SUKSES [hargaa].").empty());
    BOOST_TEST(!Templates::problems("00", "TRX", "[kodeproduk].[tujuan] SUKSES.").empty());
    BOOST_TEST(!Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] OK.").empty());
    BOOST_TEST(!Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] SUKSES GAGAL.").empty());
    BOOST_TEST(!Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] SUKSES").empty());
    BOOST_TEST(!Templates::problems("00", "FOO", "FOO SUKSES.").empty());
    BOOST_TEST(Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] SUKSES, SN:[sn].").empty());
}

BOOST_AUTO_TEST_SUITE_END()

BOOST_AUTO_TEST_SUITE(template_status_words)

BOOST_AUTO_TEST_CASE(the_status_word_must_match_the_response_code)
{
    BOOST_TEST(Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] GAGAL, HRG:[harga].").size() == 1u);
    BOOST_TEST(Templates::problems("00", "TRX", "TRX [kodeproduk].[tujuan] SUKSES, HRG:[harga].").empty());
    BOOST_TEST(Templates::problems("68", "TRX", "TRX [kodeproduk].[tujuan] SUKSES, HRG:[harga].").size() == 1u);
    BOOST_TEST(Templates::problems("68", "STATUS", "STATUS [tujuan] SEDANG DIPROSES.").empty());
    BOOST_TEST(Templates::problems("40", "TRX", "TRX [tujuan] SUKSES.").size() == 1u);
    BOOST_TEST(Templates::problems("99", "SALDO", "SALDO SEDANG DIPROSES.").size() == 1u);
    BOOST_TEST(Templates::problems("45", "BAYAR", "BAYAR [tujuan] GAGAL, AKUN TERKUNCI.").empty());
}

BOOST_AUTO_TEST_CASE(saldo_and_waktu_work_in_every_template)
{
    const std::string text = "TRX [kodeproduk].[tujuan] SUKSES, SALDO:[saldo] @[waktu].";
    BOOST_TEST(Templates::problems("00", "TRX", text).empty());
    Ledger l;
    l.db->session() << "UPDATE response_codes SET text = ? WHERE rc = '00' AND action = 'TRX'",
        Poco::Data::Keywords::bind(text), Poco::Data::Keywords::now;
    l.templates.load(*l.db);
    Loket::Fields f = {{"tujuan", "0812"}, {"kodeproduk", "T1"}, {"saldo", "98000"}, {"waktu", "2026-04-21 11:00:00"}};
    BOOST_TEST(l.templates.render("00", Action::Topup, f) == "TRX T1.0812 SUKSES, SALDO:98000 @2026-04-21 11:00:00.");
    // No [saldo] value: empty; no [waktu] value: the time of the reply (yyyy-mm-dd hh:mm:ss).
    std::string reply = l.templates.render("00", Action::Topup, {{"tujuan", "0812"}, {"kodeproduk", "T1"}});
    BOOST_TEST(reply.find("TRX T1.0812 SUKSES, SALDO: @") == 0u);
    BOOST_TEST(reply.size() == std::string("TRX T1.0812 SUKSES, SALDO: @yyyy-mm-dd hh:mm:ss.").size());
}

BOOST_AUTO_TEST_SUITE_END()
