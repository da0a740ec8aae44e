#pragma once
#include <string>

namespace Loket {

/// The life of a transaction, written down once (drawn in docs/protocol.md):
///
///     (new) ──▶ INQUIRED ──▶ QUEUED ──▶ SENT ──▶ SUCCESS
///       │          │           │         │  ╲──▶ FAILED
///       │          │           │         ╰──▶ PENDING ──▶ SUCCESS | FAILED
///       ╰──────────┴───────────┴──▶ FAILED (refused before any biller saw it)
///       ╰──▶ QUEUED
///
/// INQUIRED: a bill was read, nothing debited.  QUEUED: the price is held and
/// the order waits for a dispatcher.  SENT: a dispatcher holds the order's
/// lease and may have sent it.  PENDING: the biller's answer is unknown; only
/// the biller's own status call (or an operator) may settle it.  SUCCESS and
/// FAILED are final; FAILED after a hold means refunded exactly once.
/// SENT or PENDING → QUEUED: the biller said the order definitely failed and
/// the product has another route: it goes to the next supplier, not refunded.
enum class TrxState { Inquired, Queued, Sent, Pending, Success, Failed };

/// The name stored in transactions.status ("QUEUED", ...).
const std::string& stateName(TrxState state);

/// The state named `name` in any case; false when there is none.
bool parseState(const std::string& name, TrxState& state);

/// SUCCESS or FAILED: nothing moves it any more.
bool isFinal(TrxState state);

/// Holds the partner's money while the outcome is open (QUEUED, SENT, PENDING).
bool isInFlight(TrxState state);

/// True when `from` → `to` is one of the transitions above.
bool canMove(TrxState from, TrxState to);

} // namespace Loket
