#pragma once
#include "Biller.h"
#include "HttpClient.h"
#include "Suppliers.h"
#include <optional>
#include <string>

namespace Loket {

/// The Digiflazz buyer JSON API as published (developer.digiflazz.com/api/buyer;
/// research: suppliers.md §2): POST {base}/transaction with
/// sign = md5(username + key + ref_id); postpaid inq-pasca / pay-pasca /
/// status-pasca on the same ref_id; balance with cek-saldo.  A prepaid order is
/// re-checked by sending it again with the same ref_id.
class DigiflazzBiller : public Biller
{
public:
    DigiflazzBiller(const Supplier& supplier, const SupplierLimits& limits);

    BillerOutcome purchase(const Order& order) override;
    /// inq-pasca with ref_id = query.orderId.
    Bill inquire(const BillQuery& query) override;
    /// pay-pasca with ref_id = order.orderId.  When query.orderId is another
    /// ref_id (the partner's inquiry), inq-pasca under order.orderId first, so
    /// that the payment names an inquiry of its own ref_id made the same day;
    /// a bill that cannot be read again, or whose amount is not order.amount,
    /// is a definite failure before any payment.
    BillerOutcome pay(const Order& order, const BillQuery& query) override;
    /// A topup is sent again (same ref_id); a bill payment (amount > 0) asks status-pasca.
    BillerOutcome status(const Order& order) override;

    /// Our balance at Digiflazz (cek-saldo), empty when it did not say.
    std::optional<Rupiah> balance();

    /// Marks every request `"testing": true`, so that Digiflazz answers its published
    /// test numbers (test-case.md) without a real purchase.  For `supplier test` only.
    void setTesting(bool testing) { _testing = testing; }

    /// What the rc table says of `rc` (response-code.md).
    enum class Rc { Success, Pending, FailedNotCreated, FailedCreated, Unknown };
    static Rc classifyRc(const std::string& rc);

    /// md5(username + key + suffix) in lower-case hex.
    static std::string sign(const std::string& username, const std::string& key, const std::string& suffix);

    /// The outcome a `{"data":{...}}` body means (a /transaction reply or a
    /// webhook), or Pending when it is not one.  `refId` is set to data.ref_id.
    static BillerOutcome parse(const std::string& body, std::string& refId);

    /// True when `signatureHeader` (X-Hub-Signature) is "sha1=" + the hex
    /// HMAC-SHA1 of `body` with `secret`; compared in constant time.  An empty
    /// header or secret never verifies.
    static bool verifyWebhook(const std::string& body, const std::string& signatureHeader, const std::string& secret);

private:
    /// POSTs a transaction body for `refId`; `commands` empty for a prepaid topup.
    HttpResult transaction(const std::string& commands, const std::string& sku, const std::string& customer,
                           const std::string& refId);
    BillerOutcome outcomeOf(const HttpResult& result, const std::string& refId);
    BillerOutcome readReply(const HttpResult& result, const std::string& refId);

    Supplier _supplier;
    SupplierLimits _limits;
    bool _testing = false;
};

} // namespace Loket
