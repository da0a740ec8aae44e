// Taking turns at SQLite's write lock (core/storage/WriteLockWaiters): a
// writer that ends its transaction wakes the connections waiting for the lock
// at once, in this process or another, instead of leaving them asleep.
#include "TempLedger.h"
#include "Database.h"
#include "Schema.h"
#include "WriteLockWaiters.h"
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>
#include <sys/stat.h>
#include <atomic>
#include <chrono>
#include <thread>

using namespace Loket;

BOOST_AUTO_TEST_SUITE(write_lock)

BOOST_FIXTURE_TEST_CASE(a_writer_that_commits_or_rolls_back_moves_the_waiters_counter_and_a_reader_does_not, TempLedger)
{
    WriteLockWaiters other(file.path());   // as another process maps it
    BOOST_REQUIRE(other.usable());
    auto before = other.generation();

    db->beginWrite();
    db->commit();
    BOOST_CHECK_EQUAL(other.generation(), before + 1);

    db->beginWrite();
    db->rollback();
    BOOST_CHECK_EQUAL(other.generation(), before + 2);

    {
        ReadSnapshot snapshot(*db);
    }
    BOOST_CHECK_EQUAL(other.generation(), before + 2);
}

BOOST_FIXTURE_TEST_CASE(a_waiter_is_woken_by_the_writer_that_lets_the_lock_go_not_by_its_timeout, TempLedger)
{
    WriteLockWaiters waiter(file.path()), writer(file.path());
    BOOST_REQUIRE(waiter.usable() && writer.usable());
    auto seen = waiter.generation();
    auto start = std::chrono::steady_clock::now();
    std::thread sleeper([&] { waiter.waitPast(seen, 60L * 1000 * 1000); });   // a minute at most
    std::this_thread::sleep_for(std::chrono::milliseconds(200));   // asleep by now
    db->beginWrite();
    db->commit();
    sleeper.join();
    BOOST_CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
    BOOST_CHECK_NE(waiter.generation(), seen);
}

BOOST_FIXTURE_TEST_CASE(a_writer_refused_the_lock_gets_it_once_the_holder_commits, TempLedger)
{
    Config patient = config;
    patient.busyTimeoutMs = 60 * 1000;
    Database other(patient);
    db->beginWrite();
    std::atomic<bool> got{false};
    std::thread writer([&] {
        other.beginWrite();   // refused until the holder commits
        got = true;
        other.commit();
    });
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    BOOST_CHECK(!got);
    db->commit();
    writer.join();
    BOOST_CHECK(got);
}

BOOST_FIXTURE_TEST_CASE(a_writer_refused_the_lock_longer_than_busy_timeout_ms_gives_up, TempLedger)
{
    Config hasty = config;
    hasty.busyTimeoutMs = 200;
    Database other(hasty);
    db->beginWrite();
    BOOST_CHECK_THROW(other.beginWrite(), std::exception);
    db->commit();
    other.beginWrite();   // free again
    other.commit();
}

BOOST_FIXTURE_TEST_CASE(the_waiters_file_is_no_more_open_than_the_ledger, TempLedger)
{
    std::string path = file.path() + "-waiters";
    struct stat ledger, waiters;
    BOOST_REQUIRE(::stat(file.path().c_str(), &ledger) == 0);
    BOOST_REQUIRE(::stat(path.c_str(), &waiters) == 0);
    BOOST_CHECK_EQUAL(waiters.st_mode & 0777 & ~(ledger.st_mode & 0777), 0u);
    BOOST_CHECK_EQUAL(waiters.st_uid, ledger.st_uid);
}

BOOST_FIXTURE_TEST_CASE(the_connections_of_one_process_share_one_mapping_made_again_while_it_cannot_be_opened, TempLedger)
{
    // The fixture's connection holds the process's mapping: another asks for it and gets the same.
    auto first = WriteLockWaiters::forLedger(file.path());
    BOOST_REQUIRE(first->usable());
    BOOST_CHECK(WriteLockWaiters::forLedger(file.path()) == first);

    // A ledger that cannot be opened yet: not usable, and tried again at the next call.
    std::string missing = file.path() + "-not-there";
    auto none = WriteLockWaiters::forLedger(missing);
    BOOST_CHECK(!none->usable());
    BOOST_CHECK(WriteLockWaiters::forLedger(missing) != none);
}

BOOST_AUTO_TEST_SUITE_END()
