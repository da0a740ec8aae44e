// The dispatcher's call threads (core/dispatch/CallThreads): calls made one
// after another reuse one thread; a call that hangs (a slow biller) never
// makes the next one wait; threads left idle end.
#include "CallThreads.h"
#include <boost/test/unit_test.hpp>
#include <atomic>
#include <chrono>
#include <future>
#include <set>
#include <thread>

using namespace Loket;

namespace {

/// Waits up to ten seconds for `done` (a loaded 2-core machine is slow, not wrong).
template <class F> bool eventually(F done)
{
    auto until = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (!done())
    {
        if (std::chrono::steady_clock::now() > until) return false;
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    return true;
}

} // namespace

BOOST_AUTO_TEST_SUITE(call_threads)

BOOST_AUTO_TEST_CASE(calls_one_after_another_reuse_one_thread)
{
    CallThreads pool;
    std::set<std::thread::id> ran;
    for (int i = 0; i < 50; ++i)
    {
        std::promise<std::thread::id> done;
        pool.run([&] { done.set_value(std::this_thread::get_id()); });
        ran.insert(done.get_future().get());
        BOOST_REQUIRE(eventually([&] { return pool.idle() == 1; }));
    }
    BOOST_TEST(ran.size() == 1u);
    BOOST_TEST(pool.threads() == 1);
}

BOOST_AUTO_TEST_CASE(a_hanging_call_never_makes_the_next_wait)
{
    CallThreads pool;
    std::promise<void> release;
    std::shared_future<void> released = release.get_future().share();
    std::atomic<int> finished{0};
    for (int i = 0; i < 3; ++i)
        pool.run([&, released] { released.wait(); ++finished; });   // three calls to a biller that hangs
    std::promise<void> quick;
    pool.run([&] { quick.set_value(); });
    BOOST_TEST((quick.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready));
    BOOST_TEST(finished == 0);
    BOOST_TEST(pool.threads() == 4);
    release.set_value();
    BOOST_TEST(eventually([&] { return finished == 3 && pool.idle() == 4; }));
}

BOOST_AUTO_TEST_CASE(idle_threads_end)
{
    CallThreads pool(std::chrono::milliseconds(50));
    std::atomic<int> ran{0};
    for (int i = 0; i < 5; ++i) pool.run([&] { std::this_thread::sleep_for(std::chrono::milliseconds(20)); ++ran; });
    BOOST_TEST(eventually([&] { return ran == 5; }));
    BOOST_TEST(eventually([&] { return pool.threads() == 0; }));
    // And the pool still works after its threads are gone.
    std::promise<void> again;
    pool.run([&] { again.set_value(); });
    BOOST_TEST((again.get_future().wait_for(std::chrono::seconds(10)) == std::future_status::ready));
}

BOOST_AUTO_TEST_SUITE_END()
