#pragma once
#include "Money.h"
#include <optional>
#include <string>

namespace Loket {

/// What a biller said about a purchase or payment.  Pending means "unknown":
/// no answer, a timeout, a lost reply.  Only Failed is a definite failure.
struct BillerOutcome
{
    enum class Kind { Success, Failed, Pending };
    Kind kind = Kind::Pending;
    std::string sn;       ///< serial number / biller reference on success
    std::string reason;   ///< why, on failure ([keterangan])

    // What a real supplier may add (suppliers: docs/suppliers.md).  Text is
    // already cleaned (SupplierText::clean); amounts are range-checked.
    std::optional<Rupiah> price;     ///< what the supplier charged us ([harga]), when it said
    std::optional<Rupiah> balance;   ///< our balance at the supplier after this order ([saldo])
    std::string raw;                 ///< the reply as received, bounded, for the attempt record
    /// On Failed: the supplier refused before creating a transaction (bad
    /// signature, unknown product, its balance...), as opposed to "created,
    /// then failed".  Both are definite; this says which.
    bool notCreated = false;

    static BillerOutcome success(const std::string& sn)
    {
        BillerOutcome o;
        o.kind = Kind::Success;
        o.sn = sn;
        return o;
    }
    static BillerOutcome failed(const std::string& reason)
    {
        BillerOutcome o;
        o.kind = Kind::Failed;
        o.reason = reason;
        return o;
    }
    static BillerOutcome pending() { return {}; }
};

/// An order sent to a biller: a topup, or the payment of an inquired bill.
struct Order
{
    std::string orderId;     ///< our transaction id; billers key their status on it
    std::string product;     ///< product code without "@part"
    std::string dest;        ///< destination number, or the bill's customer number
    int qty = 1;
    Rupiah amount = 0;       ///< bill amount to pay (0 for topups)
};

/// A bill lookup: which customer's bill of which product.
struct BillQuery
{
    /// Our id for this inquiry.  Suppliers that pair an inquiry with its payment
    /// (Digiflazz: pay-pasca reuses the inq-pasca ref_id) need the payment's
    /// Order::orderId to be this same id.
    std::string orderId;
    std::string product;     ///< product code without "@part"
    std::string family;
    std::string customer;
    int months = 1;          ///< BPJSKS: months to pay
    int year = 0;            ///< PKB, PBB: tax year
    Rupiah amount = 0;       ///< KARTUKREDIT: the amount the customer chose
};

/// A bill as the biller reports it.
struct Bill
{
    enum class State { Found, NoSuchCustomer, NothingToPay, Unknown };
    State state = State::Unknown;
    std::string name;
    Rupiah amount = 0;
    std::string period;
    // From real suppliers, when they say (cleaned, range-checked):
    std::optional<Rupiah> admin;           ///< the supplier's admin fee
    std::optional<Rupiah> supplierPrice;   ///< what paying it will cost us
    std::string reason;                    ///< the supplier's words when not Found
    std::string raw;                       ///< the reply as received, bounded
};

/// A supplier that delivers topups and settles bills.  Implementations must
/// never throw for a biller-side problem: they answer Pending / Unknown.
/// Calls happen outside any database transaction of the ledger.
class Biller
{
public:
    virtual ~Biller() = default;
    virtual BillerOutcome purchase(const Order& order) = 0;
    virtual Bill inquire(const BillQuery& query) = 0;
    virtual BillerOutcome pay(const Order& order, const BillQuery& query) = 0;
    /// Asks again about an order whose outcome is unknown.
    virtual BillerOutcome status(const Order& order) = 0;
};

} // namespace Loket
