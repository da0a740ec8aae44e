#pragma once
#include "Catalogue.h"
#include "Config.h"
#include "Database.h"
#include "Ledger.h"
#include "Partners.h"
#include "Transactions.h"

namespace Loket {

/// What a use case works with: the configuration and one database connection.
struct Context
{
    const Config& config;
    Database& db;

    Partners partners() { return Partners(db); }
    Catalogue catalogue() { return Catalogue(db); }
    Transactions transactions() { return Transactions(db); }
    Ledger ledger() { return Ledger(db); }
};

} // namespace Loket
