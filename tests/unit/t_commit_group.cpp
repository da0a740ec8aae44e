// Group commit (core/storage/CommitGroup): the deposits of many request
// threads share one durable commit; one that fails leaves the others' in
// place; and a shared transaction that cannot be committed is undone whole
// and every piece runs again alone, so each lands exactly once.
#include "TempLedger.h"
#include "CommitGroup.h"
#include "Ledger.h"
#include "Partners.h"
#include "Query.h"
#include "Schema.h"
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>
#include <atomic>
#include <chrono>
#include <stdexcept>
#include <thread>

using namespace Loket;

namespace {

struct Desk : TempLedger
{
    Desk()
    {
        Partners(*db).add("M1", "", "1234", "key", false);
    }

    /// A deposit that reads before it writes, as a purchase reads its refID:
    /// run twice, it lands once.  Its note names it.
    static void depositOnce(Database& db, const std::string& note, Rupiah amount)
    {
        WriteTransaction tx(db);
        Query seen(db, "SELECT COUNT(*) FROM mutations WHERE note = ?");
        seen.bind(note);
        if (seen.next() && seen.int64(0) > 0) return;
        Ledger(db).post("M1", 0, "deposit", amount, note);
        tx.commit();
    }

    Poco::Int64 count(const std::string& sql)
    {
        Query q(*db, sql);
        return q.next() ? q.int64(0) : -1;
    }
};

} // namespace

BOOST_AUTO_TEST_SUITE(commit_group)

BOOST_AUTO_TEST_CASE(threads_that_wait_together_share_one_commit)
{
    Desk desk;
    CommitGroup group(desk.config);
    std::atomic<int> insideGroup{0};
    // The first deposit keeps the writer busy while fifteen more queue up:
    // those fifteen must then go into one transaction together.
    std::thread first([&] {
        group.run([&](Database& db) {
            insideGroup += db.inGroup();
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            Desk::depositOnce(db, "d0", 100);
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<std::thread> others;
    for (int i = 1; i < 16; ++i)
        others.emplace_back([&, i] {
            group.run([&](Database& db) {
                insideGroup += db.inGroup();
                Desk::depositOnce(db, "d" + std::to_string(i), 100);
            });
        });
    first.join();
    for (auto& t : others) t.join();
    BOOST_CHECK_EQUAL(insideGroup.load(), 16);
    BOOST_CHECK_EQUAL(desk.count("SELECT balance FROM partners WHERE member_id = 'M1'"), 1600);
    BOOST_CHECK_EQUAL(desk.count("SELECT COUNT(*) FROM mutations WHERE kind = 'deposit'"), 16);
    BOOST_CHECK_LE(group.commits(), 3);
}

BOOST_AUTO_TEST_CASE(a_piece_that_fails_is_undone_alone_and_its_caller_hears_why)
{
    Desk desk;
    CommitGroup group(desk.config);
    std::vector<std::thread> threads;
    std::atomic<int> refused{0};
    for (int i = 0; i < 8; ++i)
        threads.emplace_back([&, i] {
            try
            {
                group.run([&](Database& db) {
                    Desk::depositOnce(db, "d" + std::to_string(i), 100);
                    // After its deposit: the failure must take it back.
                    if (i % 2) throw std::runtime_error("refused");
                });
            }
            catch (const std::runtime_error& e)
            {
                if (std::string(e.what()) == "refused") ++refused;
            }
        });
    for (auto& t : threads) t.join();
    BOOST_CHECK_EQUAL(refused.load(), 4);
    BOOST_CHECK_EQUAL(desk.count("SELECT balance FROM partners WHERE member_id = 'M1'"), 400);
    BOOST_CHECK_EQUAL(desk.count("SELECT COUNT(*) FROM mutations WHERE kind = 'deposit'"), 4);
}

BOOST_AUTO_TEST_CASE(a_shared_transaction_that_cannot_commit_is_undone_and_each_piece_runs_alone)
{
    Desk desk;
    CommitGroup group(desk.config);
    std::atomic<int> runs{0};
    std::thread first([&] {
        group.run([&](Database& db) {
            std::this_thread::sleep_for(std::chrono::milliseconds(300));
            Desk::depositOnce(db, "d0", 100);
        });
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    std::vector<std::thread> others;
    for (int i = 1; i < 6; ++i)
        others.emplace_back([&, i] {
            group.run([&](Database& db) {
                ++runs;
                Desk::depositOnce(db, "d" + std::to_string(i), 100);
                // As when a savepoint cannot be rolled back: the shared
                // transaction must not be committed with what it holds.
                if (i == 3 && db.inGroup()) db.spoilGroup();
            });
        });
    first.join();
    for (auto& t : others) t.join();
    // Every piece of the spoiled batch ran again alone; each deposit is there once.
    BOOST_CHECK_GT(runs.load(), 5);
    BOOST_CHECK_EQUAL(desk.count("SELECT balance FROM partners WHERE member_id = 'M1'"), 600);
    BOOST_CHECK_EQUAL(desk.count("SELECT COUNT(*) FROM mutations WHERE kind = 'deposit'"), 6);
}

BOOST_AUTO_TEST_SUITE_END()
