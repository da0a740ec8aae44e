#pragma once
#include "Billers.h"
#include "Catalogue.h"
#include "Config.h"
#include "Database.h"
#include "Ledger.h"
#include "Partners.h"
#include "Request.h"
#include "Templates.h"
#include "Transactions.h"

namespace Loket {

/// A reply to one request: the one line of text, and what the request log needs.
struct Reply
{
    std::string text;
    std::string rc;
    std::string error;   ///< for the operator's log: what went wrong inside, if anything
};

/// What every request handler works with: one worker's connection, its cached
/// templates and its billers.
struct Context
{
    const Config& config;
    Database& db;
    Templates& templates;
    Billers& billers;

    Partners partners() { return Partners(db); }
    Catalogue catalogue() { return Catalogue(db); }
    Transactions transactions() { return Transactions(db); }
    Ledger ledger() { return Ledger(db); }

    /// Renders (rc, action) with `fields`.
    Reply reply(const std::string& rc, Action action, const Fields& fields) const
    {
        return {templates.render(rc, action, fields), rc, ""};
    }
};

/// Placeholder values from a request: only fields that passed validation.
Fields fieldsOf(const Request& request);

/// Placeholder values from a stored transaction.
Fields fieldsOf(const Transaction& t);

/// The fields of `request` plus [keterangan] naming a bad parameter (RC 30).
Fields badParameterFields(const Request& request, const std::string& parameter);

} // namespace Loket
