#pragma once
#include "Database.h"
#include <string>

namespace Loket {

/// A consistent copy of a SQLite ledger, taken while workers keep serving.
namespace Backup {

/// Copies the ledger of `db` (SQLite only) into `path` with SQLite's online
/// backup API, in one step: one read transaction, so the copy is the ledger as
/// of one instant; in WAL mode writers are not held up meanwhile.  The copy is
/// written to `path`.partial (mode 0600: it holds credential digests) and
/// renamed into place only when complete.  Throws std::runtime_error naming
/// what failed; an existing `path` is refused unless `replace`.
/// Returns the copy's size in bytes.
long long sqliteTo(Database& db, const std::string& path, bool replace);

/// What an operator runs to back up a PostgreSQL ledger instead (docs/operations.md).
std::string postgresqlRecipe(const std::string& file);

} // namespace Backup
} // namespace Loket
