// The ledger: journal rows for every balance change, exactly-once holds and
// refunds, and the audit that proves it (core/Ledger, Audit, Families).
#include "TempLedger.h"
#include "Audit.h"
#include "Database.h"
#include "Families.h"
#include "Ledger.h"
#include "Partners.h"
#include "Schema.h"
#include "Transactions.h"
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>

using namespace Loket;

namespace {

struct Books : TempLedger
{
    Books()
    {
        Partners(*db).add("M1", "", "1234", "key", false);
    }

    Mutation post(Poco::Int64 trx, const std::string& kind, Rupiah amount)
    {
        WriteTransaction tx(*db);
        Mutation m = Ledger(*db).post("M1", trx, kind, amount, "");
        tx.commit();
        return m;
    }

    Transaction purchase(const std::string& ref, Rupiah price, const std::string& status)
    {
        Transaction t;
        t.memberId = "M1";
        t.refId = ref;
        t.product = "T1";
        t.dest = "0812";
        t.price = price;
        BOOST_REQUIRE(parseState(status, t.status));
        t.rc = "68";
        WriteTransaction tx(*db);
        Transactions(*db).insert(t);
        tx.commit();
        return t;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(ledger)

BOOST_AUTO_TEST_CASE(each_change_is_journaled_with_before_and_after)
{
    Books b;
    Mutation d = b.post(0, "deposit", 10000);
    BOOST_TEST(d.balanceBefore == 0);
    BOOST_TEST(d.balanceAfter == 10000);
    Transaction t = b.purchase("R1", 2000, "PENDING");
    Mutation h = b.post(t.id, "hold", -2000);
    BOOST_TEST(h.balanceBefore == 10000);
    BOOST_TEST(h.balanceAfter == 8000);
    BOOST_TEST(Ledger(*b.db).balance("M1") == 8000);
    BOOST_TEST(Ledger(*b.db).journal("M1", 0, 0).size() == 2u);
    BOOST_TEST(Audit(*b.db).run().empty());
}

BOOST_AUTO_TEST_CASE(a_balance_never_goes_below_zero)
{
    Books b;
    b.post(0, "deposit", 1000);
    BOOST_CHECK_THROW(b.post(0, "withdraw", -1001), InsufficientBalance);
    BOOST_TEST(Ledger(*b.db).balance("M1") == 1000);
}

BOOST_AUTO_TEST_CASE(a_hold_posted_from_a_balance_read_under_the_lock_needs_no_second_read_and_a_stale_one_is_refused)
{
    Books b;
    b.post(0, "deposit", 10000);
    Transaction t = b.purchase("R1", 2000, "PENDING");
    {
        WriteTransaction tx(*b.db);
        Ledger ledger(*b.db);
        Rupiah locked = ledger.lockAndRead("M1");
        BOOST_TEST(locked == 10000);
        Mutation h = ledger.post("M1", t.id, "hold", -2000, "", "", locked);
        BOOST_TEST(h.balanceBefore == 10000);
        BOOST_TEST(h.balanceAfter == 8000);
        tx.commit();
    }
    // A balance that is no longer the partner's (read before another change)
    // changes nothing, even in a transaction that then commits: the update
    // applies only to the balance it was read as.
    Transaction u = b.purchase("R2", 2000, "PENDING");
    {
        WriteTransaction tx(*b.db);
        std::string refusal;
        try
        {
            Ledger(*b.db).post("M1", u.id, "hold", -2000, "", "", 9000);
        }
        catch (const std::exception& e)
        {
            refusal = e.what();
        }
        BOOST_TEST(refusal.find("changed concurrently") != std::string::npos);
        tx.commit();
    }
    BOOST_TEST(Ledger(*b.db).balance("M1") == 8000);
    BOOST_TEST(Ledger(*b.db).journal("M1", 0, 0).size() == 2u);
}

BOOST_AUTO_TEST_CASE(a_transaction_is_held_and_refunded_at_most_once)
{
    Books b;
    b.post(0, "deposit", 10000);
    Transaction t = b.purchase("R1", 2000, "PENDING");
    b.post(t.id, "hold", -2000);
    BOOST_CHECK_THROW(b.post(t.id, "hold", -2000), std::exception);
    b.post(t.id, "refund", 2000);
    BOOST_CHECK_THROW(b.post(t.id, "refund", 2000), std::exception);
    BOOST_TEST(Ledger(*b.db).balance("M1") == 10000);
}

BOOST_AUTO_TEST_CASE(the_refid_is_unique_per_partner_in_the_database)
{
    Books b;
    b.purchase("R1", 2000, "FAILED");
    BOOST_CHECK_THROW(b.purchase("R1", 2000, "FAILED"), std::exception);
}

BOOST_AUTO_TEST_CASE(the_audit_names_a_tampered_balance_and_an_unrefunded_failure)
{
    Books b;
    b.post(0, "deposit", 10000);
    Transaction t = b.purchase("R1", 2000, "PENDING");
    b.post(t.id, "hold", -2000);
    using namespace Poco::Data::Keywords;
    b.db->session() << "UPDATE transactions SET status = 'FAILED'", now;
    b.db->session() << "UPDATE partners SET balance = balance + 1", now;
    auto violations = Audit(*b.db).run();
    BOOST_TEST(violations.size() >= 2u);
    bool named = false;
    for (const auto& v : violations) named = named || v.find("journal sums to") != std::string::npos;
    BOOST_TEST(named);
}

BOOST_AUTO_TEST_CASE(the_at_forms_are_read_by_family)
{
    BillQuery q;
    BOOST_TEST(Families::read("BPJSKS", "BPJSKS", "0001234567890@3", 2026, q) == "");
    BOOST_TEST(q.months == 3);
    BOOST_TEST(q.customer == "0001234567890");
    BOOST_TEST(Families::read("BPJSKS", "BPJSKS", "0001234567890@13", 2026, q) == "periode");
    BOOST_TEST(Families::read("BPJSKS", "BPJSKS", "0001234567890", 2026, q) == "periode");
    BOOST_TEST(Families::read("PKB", "PKBJABAR", "B1234XYZ@2025", 2026, q) == "");
    BOOST_TEST(Families::read("PKB", "PKBJABAR", "B1234XYZ@25", 2026, q) == "tahun");
    BOOST_TEST(Families::read("PBB", "PBBDKI@2026", "3171", 2026, q) == "");
    BOOST_TEST(Families::read("PBB", "PBBDKI@2027", "3171", 2026, q) == "tahun");
    BOOST_TEST(Families::read("KARTUKREDIT", "KKBCA@500000", "4556", 2026, q) == "");
    BOOST_TEST(q.amount == 500000);
    BOOST_TEST(Families::read("KARTUKREDIT", "KKBCA@0", "4556", 2026, q) == "nominal");
    BOOST_TEST(Families::read("PLNPASC", "PLNPASC@1", "5463", 2026, q) == "product");
    BOOST_TEST(Families::read("PLNPASC", "PLNPASC", "5463@1", 2026, q) == "dest");
}

BOOST_AUTO_TEST_SUITE_END()
