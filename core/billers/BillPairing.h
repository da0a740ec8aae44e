#pragma once
#include "Biller.h"

namespace Loket {

/// Suppliers that pay only a bill inquired under the payment's own id
/// (Digiflazz: pay-pasca reuses the inq-pasca ref_id, the same day; an OtomaX
/// center: jenis=6 reuses the refID of jenis=5).  The partner's inquiry went
/// out under the inquiry's own id, so before paying, the bill is read again
/// under the order's id.
///
/// True when the payment may go out: `query.orderId` is already
/// `order.orderId`, or the bill read again under it is found with exactly
/// `order.amount` (what the partner was shown and holds).  Otherwise false and
/// `refused` is a definite failure that created nothing at the supplier (no
/// payment was sent): the bill changed, was paid meanwhile, or could not be read.
bool inquiredUnderOrder(Biller& biller, const Order& order, const BillQuery& query, BillerOutcome& refused);

} // namespace Loket
