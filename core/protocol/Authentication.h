#pragma once
#include "Authenticator.h"
#include "Request.h"

namespace Loket {

/// What a parsed request offers the Authenticator: its credentials, the
/// fields its sign covers (by action) and the client's address.
AuthRequest authRequestOf(const Request& request);

/// The response code of a refused authentication.
const std::string& rcOf(AuthOutcome outcome);

} // namespace Loket
