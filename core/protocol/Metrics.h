#pragma once
#include "Config.h"
#include "Database.h"
#include "LedgerFigures.h"
#include "Reply.h"
#include <string>

namespace Loket {

/// GET /loket/metrics (issue 13): the ledger's figures in Prometheus' text
/// exposition format (version 0.0.4), every series named loket_* with its HELP
/// and TYPE lines (docs/operations.md lists them).  `figures` is null when the
/// ledger could not be read: only loket_ledger_up 0 and loket_dispatcher_up
/// are written then, so an alert on them still fires.
std::string renderMetrics(const LedgerFigures* figures, bool dispatcherUp);

/// The reply to GET /loket/metrics on `db` (null: the ledger cannot be opened):
/// reads the figures and this host's dispatcher, always HTTP 200 (Prometheus
/// keeps the series; loket_ledger_up says whether the ledger answered).
Reply metricsReply(const Config& config, Database* db);

} // namespace Loket
