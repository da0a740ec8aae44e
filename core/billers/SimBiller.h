#pragma once
#include "Biller.h"
#include "Database.h"

namespace Loket {

/// The sim biller: a real biller whose answers come from fixtures that
/// operators and tests set with `loketctl sim set` / `loketctl sim bill`
/// (README, "The sim biller").  It records every order it receives, so asking
/// about an order it never got is a definite failure.
class SimBiller : public Biller
{
public:
    SimBiller(Database& db, int timeoutMs) : _db(db), _timeoutMs(timeoutMs) {}

    BillerOutcome purchase(const Order& order) override;
    Bill inquire(const BillQuery& query) override;
    BillerOutcome pay(const Order& order, const BillQuery& query) override;
    BillerOutcome status(const Order& order) override;

    /// Fixtures (also used by loketctl).
    static void setFixture(Database& db, const std::string& dest, const std::string& result,
                           const std::string& sn, int delayMs);
    static void setBill(Database& db, const std::string& product, const std::string& customer,
                        const std::string& name, Rupiah amount, const std::string& period, bool paid);

private:
    struct Fixture
    {
        std::string result = "success";
        std::string sn;
        int delayMs = 0;
    };
    Fixture fixture(const std::string& dest);
    /// Waits the fixture's delay; false when it exceeds our biller timeout.
    bool answersInTime(const Fixture& f);
    BillerOutcome outcomeOf(const Fixture& f, const Order& order);
    void receive(const Order& order);
    bool billPaid(const std::string& product, const std::string& customer);
    /// Records that the customer's bill is settled, so a later inquiry gets RC 88.
    void markPaid(const std::string& product, const std::string& customer);

    Database& _db;
    int _timeoutMs;
};

} // namespace Loket
