// The request log (core/protocol/RequestLog): request threads hand their
// lines over and a worker's flusher appends them; every line reaches the file
// whole and once, also the last ones when the worker stops.
#include "RequestLog.h"
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>
#include <fstream>
#include <set>
#include <string>
#include <thread>
#include <vector>

using namespace Loket;

BOOST_AUTO_TEST_SUITE(request_log)

BOOST_AUTO_TEST_CASE(lines_of_many_threads_arrive_whole_and_once)
{
    Poco::TemporaryFile file;
    {
        RequestLog log(file.path());
        std::vector<std::thread> threads;
        for (int t = 0; t < 8; ++t)
            threads.emplace_back([&log, t] {
                for (int i = 0; i < 250; ++i)
                {
                    Request r;
                    r.action = Action::Topup;
                    r.memberId = "M" + std::to_string(t);
                    r.refId = "R" + std::to_string(i);
                    Reply reply;
                    reply.text = "OK";
                    reply.rc = "00";
                    log.write(r, reply, 1.5);
                }
            });
        for (auto& th : threads) th.join();
    }   // the worker stops: what is gathered is written before the log goes
    std::ifstream in(file.path());
    std::set<std::string> seen;
    int lines = 0;
    for (std::string line; std::getline(in, line); ++lines)
    {
        auto member = line.find(" member=M"), ref = line.find(" ref=R");
        BOOST_REQUIRE_MESSAGE(member != std::string::npos && ref != std::string::npos && line.find(" rc=00 ms=1.5") != std::string::npos,
                              "not a whole line: " + line);
        seen.insert(line.substr(member, line.find(' ', ref + 1) - member));
    }
    BOOST_TEST(lines == 2000);
    BOOST_TEST(seen.size() == 2000u);
}

BOOST_AUTO_TEST_CASE(a_log_that_cannot_be_opened_fails_no_request)
{
    Request r;
    Reply reply;
    reply.rc = "00";
    BOOST_CHECK_NO_THROW({
        RequestLog log("/nonexistent-loket-dir/loket.log");
        for (int i = 0; i < 100; ++i) log.write(r, reply, 0.1);
    });
}

BOOST_AUTO_TEST_SUITE_END()
