// GET /loket/metrics' text (core/protocol/Metrics): Prometheus' exposition format.
#include "Metrics.h"
#include <boost/test/unit_test.hpp>

using namespace Loket;

BOOST_AUTO_TEST_SUITE(metrics)

BOOST_AUTO_TEST_CASE(a_ledger_that_cannot_be_read_still_says_so)
{
    std::string text = renderMetrics(nullptr, true);
    BOOST_TEST(text == "# HELP loket_ledger_up 1 when the ledger answered this scrape, 0 when it could not be read.\n"
                       "# TYPE loket_ledger_up gauge\n"
                       "loket_ledger_up 0\n"
                       "# HELP loket_dispatcher_up 1 when this host's dispatcher answers on dispatcher.socket.\n"
                       "# TYPE loket_dispatcher_up gauge\n"
                       "loket_dispatcher_up 1\n");
}

BOOST_AUTO_TEST_CASE(every_family_has_help_and_type_and_label_values_are_quoted)
{
    LedgerFigures f;
    for (const char* s : {"INQUIRED", "QUEUED", "SENT", "PENDING", "SUCCESS", "FAILED"})
        f.transactions[s] = f.transactionsToday[s] = 0;
    f.transactions["SUCCESS"] = 7;
    BillerFigures b;
    b.code = "A\"B\\C";   // codes are validated; the format is kept whatever they hold
    b.configured = true;
    b.balanceKnown = true;
    b.balance = 1500000;
    f.billers.push_back(b);
    std::string text = renderMetrics(&f, false);
    BOOST_TEST(text.find("loket_transactions_total{status=\"success\"} 7\n") != std::string::npos);
    BOOST_TEST(text.find("loket_supplier_balance_rupiah{supplier=\"A\\\"B\\\\C\"} 1500000\n") != std::string::npos);
    BOOST_TEST(text.find("loket_dispatcher_up 0\n") != std::string::npos);
    // Each sample's metric was declared just before (HELP, TYPE) and counters end in _total.
    std::string declared;
    std::size_t at = 0;
    while (at < text.size())
    {
        std::size_t end = text.find('\n', at);
        std::string line = text.substr(at, end - at);
        at = end + 1;
        if (line.rfind("# HELP ", 0) == 0) continue;
        if (line.rfind("# TYPE ", 0) == 0)
        {
            declared = line.substr(7, line.find(' ', 7) - 7);
            bool counter = line.substr(line.rfind(' ') + 1) == "counter";
            bool total = declared.size() > 6 && declared.compare(declared.size() - 6, 6, "_total") == 0;
            BOOST_TEST(counter == total, line);
            continue;
        }
        std::string name = line.substr(0, line.find_first_of("{ "));
        BOOST_TEST(name == declared, line);
    }
}

BOOST_AUTO_TEST_SUITE_END()
