// Orders and their state machine: the allowed moves, guarded settlement that
// only one settler wins, refunds exactly once, and unknown outcomes that never
// refund (core/transactions/TransactionState, core/orders/Settlement).
#include "TempLedger.h"
#include "Audit.h"
#include "Callbacks.h"
#include "Context.h"
#include "Database.h"
#include "Ledger.h"
#include "Partners.h"
#include "Schema.h"
#include "Settlement.h"
#include "Transactions.h"
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>

using namespace Loket;

namespace {

/// A ledger with partner M1 holding 10000, and a claimed order of 2000.
struct Desk : TempLedger
{
    Desk()
    {
        config.recheckSchedule = {30, 60};
        Partners(*db).add("M1", "", "1234", "key", false);
        WriteTransaction tx(*db);
        Ledger(*db).post("M1", 0, "deposit", 10000, "");
        tx.commit();
    }

    /// A topup held and claimed by dispatcher "d1" (QUEUED → SENT).
    Transaction sentOrder(const std::string& ref)
    {
        Transaction t;
        t.memberId = "M1";
        t.refId = ref;
        t.product = "T1";
        t.dest = "0812";
        t.price = 2000;
        t.status = TrxState::Queued;
        t.rc = "68";
        t.biller = "sim";
        t.createdAt = t.updatedAt = 1;
        WriteTransaction tx(*db);
        Transactions(*db).insert(t);
        Ledger(*db).post("M1", t.id, "hold", -t.price, "");
        auto claimed = Transactions(*db).claimQueued("sim", "d1", 100, 200, 10);
        tx.commit();
        BOOST_REQUIRE_EQUAL(claimed.size(), 1u);
        return claimed[0];
    }

    Transaction settle(const Transaction& claimed, const BillerOutcome& outcome)
    {
        Context ctx{config, *db};
        Settlement(ctx, [](const Transaction& t) { return "STATUS " + t.refId; }).apply({claimed, outcome});
        Transaction after;
        BOOST_REQUIRE(Transactions(*db).findById(claimed.id, after));
        return after;
    }

    Rupiah balance() { return Ledger(*db).balance("M1"); }
};

} // namespace

BOOST_AUTO_TEST_SUITE(orders)

BOOST_AUTO_TEST_CASE(the_state_machine_allows_only_its_drawn_moves)
{
    BOOST_TEST(canMove(TrxState::Queued, TrxState::Sent));
    BOOST_TEST(canMove(TrxState::Sent, TrxState::Pending));
    BOOST_TEST(canMove(TrxState::Pending, TrxState::Success));
    BOOST_TEST(canMove(TrxState::Inquired, TrxState::Queued));
    BOOST_TEST(!canMove(TrxState::Queued, TrxState::Success));    // never final without a biller's word
    BOOST_TEST(!canMove(TrxState::Pending, TrxState::Sent));      // never sent again without a new route
    BOOST_TEST(canMove(TrxState::Sent, TrxState::Queued));        // the next route, after a definite failure
    BOOST_TEST(!canMove(TrxState::Success, TrxState::Failed));
    BOOST_TEST(!canMove(TrxState::Failed, TrxState::Success));
    TrxState s;
    BOOST_TEST(parseState("pending", s));
    BOOST_TEST((s == TrxState::Pending));
    BOOST_TEST(!parseState("BOGUS", s));
}

BOOST_AUTO_TEST_CASE(a_claimed_order_is_claimed_once)
{
    Desk d;
    d.sentOrder("R1");
    WriteTransaction tx(*d.db);
    BOOST_TEST(Transactions(*d.db).claimQueued("sim", "d2", 100, 200, 10).empty());
}

BOOST_AUTO_TEST_CASE(success_keeps_the_money_and_a_second_settler_changes_nothing)
{
    Desk d;
    Transaction claimed = d.sentOrder("R1");
    BOOST_TEST((d.settle(claimed, BillerOutcome::success("SN1")).status == TrxState::Success));
    // A late duplicate answer (another dispatcher, a report) saying "failed" loses the guard.
    BOOST_TEST((d.settle(claimed, BillerOutcome::failed("X")).status == TrxState::Success));
    BOOST_TEST(d.balance() == 8000);
    BOOST_TEST(Audit(*d.db).run().empty());
}

BOOST_AUTO_TEST_CASE(a_definite_failure_refunds_exactly_once)
{
    Desk d;
    Transaction claimed = d.sentOrder("R1");
    Transaction after = d.settle(claimed, BillerOutcome::failed("DITOLAK"));
    BOOST_TEST((after.status == TrxState::Failed));
    BOOST_TEST(after.note == "DITOLAK");
    d.settle(claimed, BillerOutcome::failed("DITOLAK"));
    BOOST_TEST(d.balance() == 10000);
    BOOST_TEST(Audit(*d.db).run().empty());
}

BOOST_AUTO_TEST_CASE(an_unknown_outcome_is_pending_with_a_status_call_scheduled_never_a_refund)
{
    Desk d;
    Transaction claimed = d.sentOrder("R1");
    Transaction after = d.settle(claimed, BillerOutcome::pending());
    BOOST_TEST((after.status == TrxState::Pending));
    BOOST_TEST(after.nextCheckAt > 0);
    BOOST_TEST(after.leaseOwner.empty());
    BOOST_TEST(d.balance() == 8000);
    BOOST_TEST(Audit(*d.db).run().empty());
}

BOOST_AUTO_TEST_CASE(supplier_text_cannot_forge_a_second_line)
{
    BOOST_TEST(cleanSupplierText("ABC\r\nBAYAR X SUKSES") == "ABC  BAYAR X SUKSES");
    BOOST_TEST(cleanSupplierText(std::string(500, 'A')).size() == 120u);
}

BOOST_AUTO_TEST_CASE(amounts_are_checked_before_arithmetic)
{
    Rupiah out = 0;
    BOOST_TEST(!multiplyRupiah(999999999999999999LL, 10, out));
    BOOST_TEST(multiplyRupiah(2000, 100, out));
    BOOST_TEST(out == 200000);
    BOOST_TEST(!addRupiah(MaxRupiah, 1, out));
    BOOST_TEST(!multiplyRupiah(-1, 2, out));
}

BOOST_FIXTURE_TEST_CASE(a_failed_callback_attempt_written_twice_counts_once, Desk)
{
    // A dispatcher round's COMMIT may report an error yet take effect; the
    // round's answers are then written again in the next one.
    Transaction t = settle(sentOrder("R5"), BillerOutcome::success("SN5"));
    Callbacks callbacks(*db);
    {
        WriteTransaction tx(*db);
        callbacks.enqueue(t, "http://127.0.0.1:9/cb", 300);
        tx.commit();
    }
    std::vector<Callback> claimed;
    {
        WriteTransaction tx(*db);
        claimed = callbacks.claimDue("d1", 300, 400, 10);
        tx.commit();
    }
    BOOST_REQUIRE_EQUAL(claimed.size(), 1u);
    for (int write = 0; write < 2; ++write)
    {
        WriteTransaction tx(*db);
        callbacks.failed(claimed[0].id, "connection refused", 310, false, claimed[0].attempts);
        tx.commit();
    }
    std::vector<Callback> after = callbacks.list("M1", false);
    BOOST_REQUIRE_EQUAL(after.size(), 1u);
    BOOST_TEST(after[0].attempts == 1);
    BOOST_TEST(after[0].nextAttemptAt == 310);
    BOOST_TEST(after[0].status == "PENDING");
}

BOOST_AUTO_TEST_SUITE_END()
