// loket-dispatch: the dispatcher.  A thin front over core's Dispatcher, the
// only process that talks to billers: it sends queued orders and inquiries,
// settles outcomes, re-checks pending orders and delivers partner callbacks.
// Run one per host beside the worker pool, supervised (scripts/run,
// scripts/systemd/loket-dispatch.service).
#include "Clock.h"
#include "Config.h"
#include "Dispatcher.h"
#include <Poco/Exception.h>
#include <unistd.h>
#include <atomic>
#include <csignal>
#include <cstdlib>
#include <ctime>
#include <iostream>
#include <string>

namespace {

std::atomic<bool> stopRequested{false};

extern "C" void onStop(int) { stopRequested = true; }

void logLine(const std::string& line)
{
    // One line to stderr (the supervisor's log / the journal); never a secret:
    // callers pass our ids, biller names and host names only.
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%d %H:%M:%S", std::localtime(&now));
    std::cerr << stamp << " loket-dispatch: " << line << std::endl;
}

} // namespace

int main(int argc, char** argv)
{
    std::string configPath;
    for (int i = 1; i < argc; ++i)
    {
        std::string a = argv[i];
        if (a == "--config" && i + 1 < argc) configPath = argv[++i];
        else if (a == "--help")
        {
            std::cout << "usage: loket-dispatch [--config FILE]\n"
                         "The dispatcher of Loket: the only process that talks to billers. TERM or INT: stop\n"
                         "claiming, finish the calls in flight and settle them, then exit.\n";
            return 0;
        }
        else
        {
            std::cerr << "loket-dispatch: unknown argument " << a << " (try --help)\n";
            return 2;
        }
    }
    struct sigaction sa{};
    sa.sa_handler = onStop;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);
    std::signal(SIGPIPE, SIG_IGN);
    try
    {
        Loket::Config config = Loket::Config::load(Loket::Config::locate(configPath));
        Loket::Clock::useZone(config.timezone);
        Loket::Dispatcher dispatcher(config, logLine);
        logLine("dispatcher " + config.dispatcherId + " running");
        int stillCalling = dispatcher.run(stopRequested);
        if (stillCalling > 0)
        {
            // Their threads still use the dispatcher: end here, before its
            // destructor frees what they touch.  The orders stay SENT under
            // our lease, and the next run asks their billers first.
            logLine("stopped with " + std::to_string(stillCalling) +
                    " call(s) still waiting for a biller: their orders are asked about when the dispatcher runs again");
            std::_Exit(0);
        }
        logLine("stopped");
        return 0;
    }
    catch (const Poco::Exception& e)
    {
        logLine("cannot run: " + Loket::redactSecrets(e.displayText()));
        ::sleep(1);   // the supervisor restarts us; do not spin
        return 1;
    }
    catch (const std::exception& e)
    {
        logLine("cannot run: " + Loket::redactSecrets(e.what()));
        ::sleep(1);   // the supervisor restarts us; do not spin
        return 1;
    }
}
