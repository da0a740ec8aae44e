// The configuration: every key known, checked and documented (core/base/Config).
#include "Config.h"
#include <Poco/FileStream.h>
#include <Poco/StreamCopier.h>
#include <Poco/TemporaryFile.h>
#include <boost/test/unit_test.hpp>
#include <fstream>

using namespace Loket;

namespace {

/// The one line load() refuses `lines` with, or "" when it accepts them.
std::string refusal(const std::string& lines, Config* loaded = nullptr)
{
    Poco::TemporaryFile file;
    std::ofstream(file.path()) << "log.file =\n" << lines << "\n";
    try
    {
        Config c = Config::load(file.path());
        if (loaded) *loaded = c;
        return "";
    }
    catch (const ConfigError& e)
    {
        std::string what = e.what();
        BOOST_CHECK(what.find('\n') == std::string::npos);
        BOOST_CHECK_EQUAL(what.compare(0, file.path().size(), file.path()), 0);   // names the file
        return what.substr(file.path().size() + 2);
    }
}

} // namespace

BOOST_AUTO_TEST_SUITE(config)

BOOST_AUTO_TEST_CASE(an_empty_file_gives_every_default)
{
    Config c;
    BOOST_CHECK_EQUAL(refusal("", &c), "");
    BOOST_CHECK_EQUAL(c.timezone, "Asia/Jakarta");
    BOOST_CHECK_EQUAL(c.replyWaitMs, 2000);
    BOOST_CHECK_EQUAL(c.poolThreads, 96);
    BOOST_CHECK_EQUAL(c.maxDeposit, 1000000000LL);
    BOOST_CHECK_EQUAL(c.authSignPrefix, "OtomaX");
    BOOST_CHECK_EQUAL(c.recheckSchedule.size(), 6u);
    BOOST_CHECK_EQUAL(c.callbackRetrySchedule.back(), 3600);
    BOOST_CHECK(!c.simEnabled);
    BOOST_CHECK_EQUAL(c.socket.front(), '/');   // relative to the file's directory
}

BOOST_AUTO_TEST_CASE(a_worker_lends_16_sqlite_connections_but_4_postgresql_backends_unless_told)
{
    Config c;
    BOOST_CHECK_EQUAL(refusal("", &c), "");
    BOOST_CHECK_EQUAL(c.poolConnections, 16);
    BOOST_CHECK_EQUAL(refusal("pool.connections = 3", &c), "");
    BOOST_CHECK_EQUAL(c.poolConnections, 3);
    BOOST_CHECK_EQUAL(refusal("database.connector = odbc\ndatabase.connect = DSN=x", &c), "");
    BOOST_CHECK_EQUAL(c.poolConnections, 4);
}

BOOST_AUTO_TEST_CASE(bad_values_are_refused_naming_the_key)
{
    BOOST_CHECK_EQUAL(refusal("clock.timezone = Asia/Jkt").substr(0, 39), "clock.timezone: unknown time zone 'Asia");
    BOOST_CHECK_EQUAL(refusal("biller.timeout_ms = 5s"), "biller.timeout_ms: '5s' is not a whole number");
    BOOST_CHECK_EQUAL(refusal("pool.workers = 100000"), "pool.workers: 100000 is out of range (1..1024)");
    BOOST_CHECK_EQUAL(refusal("pool.workers = 99999999999999999999"),
                      "pool.workers: '99999999999999999999' is not a whole number");
    BOOST_CHECK_EQUAL(refusal("log.syslog = sometimes"), "log.syslog: 'sometimes' is not true or false");
    BOOST_CHECK_EQUAL(refusal("database.connector = mysql"), "database.connector: 'mysql' is not sqlite or odbc");
    BOOST_CHECK(refusal("callback.retry_schedule = 10,,30").find("callback.retry_schedule:") == 0);
    BOOST_CHECK_EQUAL(refusal("log.file = /nonexistent-dir/loket.log"),
                      "log.file: directory /nonexistent-dir does not exist");
}

BOOST_AUTO_TEST_CASE(unknown_keys_are_named_with_the_closest_known_key)
{
    BOOST_CHECK_EQUAL(refusal("clock.timezon = Asia/Jakarta"),
                      "unknown key 'clock.timezon' (closest known key: clock.timezone)");
    BOOST_CHECK_EQUAL(refusal("biller.acme.max_inflight = 3"),
                      "unknown key 'biller.acme.max_inflight' (closest known key: biller.acme.max_in_flight)");
}

BOOST_AUTO_TEST_CASE(per_biller_keys_override_the_global_ones)
{
    Config c;
    BOOST_CHECK_EQUAL(refusal("biller.timeout_ms = 4000\nbiller.acme.timeout_ms = 9000\n"
                              "biller.acme.max_in_flight = 8\nlog.syslog = true\nclock.timezone = UTC",
                              &c),
                      "");
    BOOST_CHECK_EQUAL(c.billerTimeoutFor("acme"), 9000);
    BOOST_CHECK_EQUAL(c.billerTimeoutFor("sim"), 4000);
    BOOST_CHECK_EQUAL(c.billerMaxInFlightFor("acme"), 8);
    BOOST_CHECK_EQUAL(c.billerMaxInFlightFor("sim"), 256);
    BOOST_CHECK(c.logSyslog);
}

BOOST_AUTO_TEST_CASE(docs_list_every_key)
{
    Poco::FileInputStream in(LOKET_DOCS_DIR "/configuration.md");
    std::string docs;
    Poco::StreamCopier::copyToString(in, docs);
    for (const auto& key : Config::keys())
        BOOST_CHECK_MESSAGE(docs.find("`" + key.name + "`") != std::string::npos,
                            key.name + " is not in docs/configuration.md");
}

BOOST_AUTO_TEST_SUITE_END()
