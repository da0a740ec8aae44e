#include "BillPairing.h"

namespace Loket {

bool inquiredUnderOrder(Biller& biller, const Order& order, const BillQuery& query, BillerOutcome& refused)
{
    if (query.orderId == order.orderId) return true;
    BillQuery again = query;
    again.product = order.product;   // the route's SKU at this supplier
    again.orderId = order.orderId;
    Bill bill = biller.inquire(again);
    if (bill.state == Bill::State::Found && bill.amount == order.amount) return true;
    refused = BillerOutcome::failed(bill.state == Bill::State::Found          ? "TAGIHAN BERUBAH"
                                    : bill.state == Bill::State::NothingToPay ? "TAGIHAN SUDAH TERBAYAR"
                                    : !bill.reason.empty()                    ? bill.reason
                                                                              : "TAGIHAN TIDAK TERBACA");
    refused.notCreated = true;
    refused.raw = bill.raw;
    return false;
}

} // namespace Loket
