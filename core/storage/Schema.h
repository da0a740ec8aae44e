#pragma once
#include "Database.h"
#include <string>

namespace Loket {

/// Creates or upgrades the ledger from sql/<backend>/schema.sql, then loads the
/// default sql/response_codes.sql when the table is empty.  Never drops or
/// rewrites money data; running it again is harmless.
namespace Schema {

const int CurrentVersion = 4;   ///< 4: partners.level, price_levels, bill_claims (issue 10; sql/<backend>/upgrade-4.sql)

/// Brings the database to CurrentVersion.  Throws if the database is newer
/// than this binary, or a script fails.
void install(Database& db, const std::string& sqlDir);

/// The version stored in the database; 0 when there is none yet.
int version(Database& db);

} // namespace Schema
} // namespace Loket
