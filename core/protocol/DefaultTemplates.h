#pragma once
#include "Database.h"
#include <set>
#include <string>

namespace Loket {

/// The default reply templates shipped in SQL_DIR/response_codes.sql (one
/// INSERT per line), which `loketctl init` loads into a new ledger.
namespace DefaultTemplates {

/// The response codes the defaults cover: every code Loket answers with.
std::set<std::string> codes(const std::string& sqlDir);

/// Puts the default template of (rc, action) back in place of the current
/// one.  False (nothing changed) when the defaults have no such row.
/// Call inside a WriteTransaction.
bool reset(Database& db, const std::string& sqlDir, const std::string& rc, const std::string& action);

/// Replaces every template with the defaults; returns how many rows there are
/// now.  Call inside a WriteTransaction.
int resetAll(Database& db, const std::string& sqlDir);

} // namespace DefaultTemplates
} // namespace Loket
