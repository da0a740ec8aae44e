#pragma once
#include "Outcome.h"
#include "Request.h"
#include "Templates.h"

namespace Loket {

/// A reply to one request: the one line of text, and what the request log needs.
struct Reply
{
    std::string text;
    std::string rc;
    std::string error;   ///< for the operator's log: what went wrong inside, if anything
    std::string trxId{}; ///< our transaction id, when the reply is about one (request log; issue 13)
    int httpStatus = 200;   ///< partners always get 200; a supplier's refused report does not
};

/// Placeholder values from a request: only fields that passed validation.
Fields fieldsOf(const Request& request);

/// Placeholder values from a stored transaction.
Fields fieldsOf(const Transaction& t);

/// The fields of `request` plus [keterangan] naming a bad parameter (RC 30).
Fields badParameterFields(const Request& request, const std::string& parameter);

/// Renders what a use case decided about `request` as its one-line reply.
Reply render(const Templates& templates, const Outcome& outcome, const Request& request);

} // namespace Loket
