#pragma once
#include "Biller.h"
#include "HttpClient.h"
#include "ReplyPattern.h"
#include "Suppliers.h"
#include <map>
#include <string>

namespace Loket {

/// A supplier that speaks text over HTTP the way OtomaX centers talk to each
/// other (research: suppliers.md §1): a URL template with bracket placeholders,
/// GET or POST, and one regex per outcome with named groups sn, harga, saldo,
/// keterangan (and nama, tagihan, admin, periode for bill inquiries).
/// Anything but a reply that exactly one regex matches is Pending.
class OtomaxBiller : public Biller
{
public:
    OtomaxBiller(const Supplier& supplier, const SupplierLimits& limits);

    BillerOutcome purchase(const Order& order) override;
    /// Sends the order's request with jenis=5 (query.orderId is [idtrx]).
    Bill inquire(const BillQuery& query) override;
    /// Sends the order's request with jenis=6 and [nominal] = order.amount.
    BillerOutcome pay(const Order& order, const BillQuery& query) override;
    /// Sends the same request again (same [idtrx]), plus --check-param when set.
    BillerOutcome status(const Order& order) override;

    /// The placeholders a template may use.
    static const std::vector<std::string>& placeholders();
    /// The first [name] in `tmpl` that is not a placeholder, or "".
    static std::string unknownPlaceholder(const std::string& tmpl);
    /// `tmpl` with every [placeholder] replaced by its URL-encoded value
    /// (missing values are empty).
    static std::string substitute(const std::string& tmpl, const std::map<std::string, std::string>& values);
    /// OtomaX's [sign]: base64url, no padding, of SHA1("P|memberid|kodeproduk|tujuan|idtrx|pin|password").
    static std::string sign(const std::string& prefix, const std::string& memberId, const std::string& product,
                            const std::string& dest, const std::string& idtrx, const std::string& pin,
                            const std::string& password);

    /// The outcome that a 2xx reply body means (also used for supplier reports).
    BillerOutcome parse(const std::string& body) const;
    /// The HTTP request for `order`, with `extra` ("jenis=5", "cek=1&jenis=6"...) added to its query.
    HttpRequest request(const Order& order, const std::string& extra) const;

private:
    enum class Match { None, Success, Failed, Pending };
    /// Which single pattern matches `body`, with its groups; None when none or several do.
    Match classify(const std::string& body, std::map<std::string, std::string>& groups) const;
    BillerOutcome call(const Order& order, const std::string& extra);
    /// `text` without our pin or password, should the supplier echo them.
    std::string masked(const std::string& text) const;

    Supplier _supplier;
    SupplierLimits _limits;
    ReplyPattern _success, _failed, _pending;
};

} // namespace Loket
