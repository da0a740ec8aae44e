// The request log (core/protocol/RequestLog): request threads hand their
// lines over and a worker's flusher appends them; every line reaches the file
// whole and once, also the last ones when the worker stops.
#include "RequestLog.h"
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>
#include <cmath>
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

BOOST_AUTO_TEST_CASE(a_line_names_every_field_and_its_latency_in_tenths)
{
    Request r;
    r.action = Action::Topup;
    r.memberId = "M1";
    r.refId = "R7";
    r.address = "127.0.0.1";
    Reply reply;
    reply.rc = "68";
    std::string line = RequestLog::line(r, reply, 12.34);
    BOOST_TEST(line.find("127.0.0.1 [") == 0u);
    BOOST_TEST(line.find("] action=TRX member=M1 ref=R7 trx=- product=- dest=- rc=68 ms=12.3") != std::string::npos);
    BOOST_TEST(line.substr(line.size() - 8) == " ms=12.3");
    // A latency no clock gives still makes a well-formed number.
    BOOST_TEST(RequestLog::line(r, reply, 0.04).find(" ms=0.0") != std::string::npos);
    BOOST_TEST(RequestLog::line(r, reply, -3).find(" ms=0.0") != std::string::npos);
    BOOST_TEST(RequestLog::line(r, reply, std::nan("")).find(" ms=0.0") != std::string::npos);
    BOOST_TEST(RequestLog::line(r, reply, 1e300).find(" ms=1000000000000.0") != std::string::npos);
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
