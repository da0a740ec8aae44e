#include "SimBiller.h"
#include "Query.h"
#include "Clock.h"
#include <Poco/Thread.h>

using namespace Poco::Data::Keywords;

namespace Loket {

SimBiller::SimBiller(const Config& config) : _config(config), _timeoutMs(config.billerTimeoutFor("sim")) {}

Database& SimBiller::db()
{
    // Called with _mutex held.  A connection lost to an error is opened again.
    if (!_db)
    {
        _db = std::make_unique<Database>(_config);
        // The sim stands for a supplier's own books: its receipts need not
        // cost the ledger an fsync each (Database::skipSync).
        _db->skipSync();
    }
    return *_db;
}

SimBiller::Fixture SimBiller::fixture(const std::string& dest)
{
    std::lock_guard<std::mutex> lock(_mutex);
    Fixture f;
    Query q(db(), "SELECT result, sn, delay_ms FROM sim_fixtures WHERE dest = ?");
    q.bind(dest);
    if (q.next()) f.result = q.text(0), f.sn = q.text(1), f.delayMs = q.integer(2);
    return f;
}

bool SimBiller::answersInTime(const Fixture& f)
{
    if (f.delayMs > _timeoutMs)
    {
        // Our side gives up at the timeout; the sim's answer arrives too late.
        Poco::Thread::sleep(_timeoutMs);
        return false;
    }
    if (f.delayMs > 0) Poco::Thread::sleep(f.delayMs);
    return true;
}

BillerOutcome SimBiller::outcomeOf(const Fixture& f, const Order& order)
{
    if (f.result == "failed") return BillerOutcome::failed("DITOLAK BILLER");
    if (f.result == "pending") return BillerOutcome::pending();
    return BillerOutcome::success(f.sn.empty() ? "SIM" + order.orderId : f.sn);
}

void SimBiller::receive(const Order& order)
{
    CommitGroup* receipts;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        // Not fsynced: the sim stands for a supplier's own books, and its
        // receipts must not cost the ledger's disk a sync each.
        if (!_receipts) _receipts = std::make_unique<CommitGroup>(_config, false);
        receipts = _receipts.get();
    }
    Poco::Int64 at = Clock::now();
    // Counted, not refused: a second delivery of one order is exactly what
    // the tests must be able to see.
    receipts->run([&](Database& db) {
        Query(db, "INSERT INTO sim_orders (order_id, dest, received_at, times) VALUES (?, ?, ?, 1) "
                  "ON CONFLICT (order_id) DO UPDATE SET times = sim_orders.times + 1")
            .bind(order.orderId).bind(order.dest).bind(at).run();
    });
}

BillerOutcome SimBiller::purchase(const Order& order)
{
    try
    {
        Fixture f = fixture(order.dest);
        receive(order);
        if (!answersInTime(f)) return BillerOutcome::pending();
        return outcomeOf(f, order);
    }
    catch (const std::exception&)
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _db.reset();
        return BillerOutcome::pending();   // we cannot tell whether the order got through
    }
}

Bill SimBiller::inquire(const BillQuery& q)
{
    Bill bill;
    try
    {
        if (!answersInTime(fixture(q.customer))) return bill;
        int paid = 0;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            Poco::Data::Statement st(db().session());
            st << "SELECT name, amount, period, paid FROM sim_bills WHERE product = ? AND customer = ?",
                into(bill.name), into(bill.amount), into(bill.period), into(paid), bind(q.product),
                bind(q.customer), limit(1);
            if (!fetchOne(st))
            {
                bill.state = Bill::State::NoSuchCustomer;
                return bill;
            }
        }
        if (paid || bill.amount <= 0)
        {
            bill.state = Bill::State::NothingToPay;
            return bill;
        }
        if (q.family == "BPJSKS" && !multiplyRupiah(bill.amount, q.months, bill.amount)) return Bill{};
        if (q.family == "KARTUKREDIT") bill.amount = q.amount;  // the customer chooses what to pay
        bill.state = Bill::State::Found;
    }
    catch (const std::exception&)
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _db.reset();
        bill.state = Bill::State::Unknown;
    }
    return bill;
}

bool SimBiller::billPaid(const std::string& product, const std::string& customer)
{
    std::lock_guard<std::mutex> lock(_mutex);
    int paid = 0;
    Poco::Data::Statement st(db().session());
    st << "SELECT paid FROM sim_bills WHERE product = ? AND customer = ?", into(paid), bind(product),
        bind(customer), limit(1);
    st.execute();
    return paid != 0;
}

void SimBiller::markPaid(const std::string& product, const std::string& customer)
{
    try
    {
        std::lock_guard<std::mutex> lock(_mutex);
        db().session() << "UPDATE sim_bills SET paid = 1 WHERE product = ? AND customer = ?", bind(product),
            bind(customer), now;
    }
    catch (const std::exception&)
    {
        // The sim's own bookkeeping; the payment itself succeeded.
    }
}

BillerOutcome SimBiller::pay(const Order& order, const BillQuery& q)
{
    try
    {
        // Like a real biller, refuse a bill settled since this inquiry (e.g. under
        // another refID), so one bill is never paid twice.
        if (billPaid(q.product, q.customer)) return BillerOutcome::failed("TAGIHAN SUDAH TERBAYAR");
    }
    catch (const std::exception&)
    {
        return BillerOutcome::pending();   // not sent: the status check finds no order and refunds
    }
    BillerOutcome outcome = purchase(order);
    if (outcome.kind == BillerOutcome::Kind::Success) markPaid(q.product, q.customer);
    return outcome;
}

BillerOutcome SimBiller::status(const Order& order)
{
    try
    {
        int received = 0;
        {
            std::lock_guard<std::mutex> lock(_mutex);
            db().session() << "SELECT COUNT(*) FROM sim_orders WHERE order_id = ?", into(received),
                bind(order.orderId), now;
        }
        if (received == 0) return BillerOutcome::failed("TIDAK DITEMUKAN DI BILLER");
        BillerOutcome outcome = outcomeOf(fixture(order.dest), order);
        // A bill payment that was pending and turns out done settles the bill too
        // (a topup's order has no sim bill, so this changes nothing for it).
        if (outcome.kind == BillerOutcome::Kind::Success) markPaid(order.product, order.dest);
        return outcome;
    }
    catch (const std::exception&)
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _db.reset();
        return BillerOutcome::pending();
    }
}

void SimBiller::setFixture(Database& db, const std::string& dest, const std::string& result, const std::string& sn,
                           int delayMs)
{
    WriteTransaction tx(db);
    db.session() << "DELETE FROM sim_fixtures WHERE dest = ?", bind(dest), now;
    db.session() << "INSERT INTO sim_fixtures (dest, result, sn, delay_ms) VALUES (?, ?, ?, ?)", bind(dest),
        bind(result), bind(sn), bind(delayMs), now;
    tx.commit();
}

void SimBiller::setBill(Database& db, const std::string& product, const std::string& customer,
                        const std::string& name, Rupiah amount, const std::string& period, bool paid)
{
    WriteTransaction tx(db);
    db.session() << "DELETE FROM sim_bills WHERE product = ? AND customer = ?", bind(product), bind(customer), now;
    db.session() << "INSERT INTO sim_bills (product, customer, name, amount, period, paid) VALUES (?, ?, ?, ?, ?, ?)",
        bind(product), bind(customer), bind(name), bind(amount), bind(period), bind(paid ? 1 : 0), now;
    tx.commit();
}

std::vector<SimBiller::Received> SimBiller::received(Database& db, const std::string& dest)
{
    std::vector<Received> out;
    Received r;
    std::string sql = "SELECT order_id, dest, times, received_at FROM sim_orders";
    if (!dest.empty()) sql += " WHERE dest = ?";
    sql += " ORDER BY received_at, order_id";
    Poco::Data::Statement st(db.session());
    st << sql, into(r.orderId), into(r.dest), into(r.times), into(r.receivedAt);
    if (!dest.empty()) st, bind(dest);
    st, range(0, 1);
    while (fetchNext(st))
    {
        out.push_back(r);
    }
    return out;
}

} // namespace Loket
