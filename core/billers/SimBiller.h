#pragma once
#include "Biller.h"
#include "CommitGroup.h"
#include "Config.h"
#include "Database.h"
#include <memory>
#include <mutex>
#include <vector>

namespace Loket {

/// The sim biller: a real biller whose answers come from fixtures that
/// operators and tests set with `loketctl sim set` / `loketctl sim bill`
/// (README, "The sim biller").  It runs inside the dispatcher, like a supplier
/// on the other end of a line, and keeps its own record of every order it
/// received and how often (`loketctl sim orders`), so asking about an order it
/// never got is a definite failure and tests can prove none came twice.
class SimBiller : public Biller
{
public:
    /// Opens its own connection: the dispatcher calls it from many threads.
    explicit SimBiller(const Config& config);

    BillerOutcome purchase(const Order& order) override;
    Bill inquire(const BillQuery& query) override;
    BillerOutcome pay(const Order& order, const BillQuery& query) override;
    BillerOutcome status(const Order& order) override;

    /// Fixtures (also used by loketctl).
    static void setFixture(Database& db, const std::string& dest, const std::string& result,
                           const std::string& sn, int delayMs);
    static void setBill(Database& db, const std::string& product, const std::string& customer,
                        const std::string& name, Rupiah amount, const std::string& period, bool paid);

    /// The sim's own record of orders received (all, or those for `dest`).
    struct Received
    {
        std::string orderId;
        std::string dest;
        int times = 0;
        Poco::Int64 receivedAt = 0;
    };
    static std::vector<Received> received(Database& db, const std::string& dest);

private:
    struct Fixture
    {
        std::string result = "success";
        std::string sn;
        int delayMs = 0;
    };
    Database& db();
    Fixture fixture(const std::string& dest);
    /// Waits the fixture's delay; false when it exceeds our biller timeout.
    bool answersInTime(const Fixture& f);
    BillerOutcome outcomeOf(const Fixture& f, const Order& order);
    void receive(const Order& order);
    bool billPaid(const std::string& product, const std::string& customer);
    /// Records that the customer's bill is settled, so a later inquiry gets RC 88.
    void markPaid(const std::string& product, const std::string& customer);

    const Config& _config;
    std::mutex _mutex;             ///< one statement at a time on _db; the waiting happens outside it
    std::unique_ptr<Database> _db;
    /// Receipts of concurrent orders share one commit (CommitGroup), made
    /// lazily: the sim is built on every billers' reload.
    std::unique_ptr<CommitGroup> _receipts;
    int _timeoutMs;
};

} // namespace Loket
