#pragma once
#include <Poco/Types.h>
#include <string>

namespace Loket {

/// Wall-clock time as whole seconds since the epoch, rendered in the
/// configured zone (default Asia/Jakarta, WIB).
namespace Clock {

/// Makes `zone` (an IANA name) the process's local zone.  Call once at start-up.
void useZone(const std::string& zone);

/// True when `zone` is a zone the C library loads as named: a TZif file under
/// zoneDirectory() (or an absolute path to one).  An unknown name would make
/// glibc fall back to UTC without a word.
bool knownZone(const std::string& zone);

/// Where zone files are looked up: $TZDIR, else /usr/share/zoneinfo.
std::string zoneDirectory();

Poco::Int64 now();

/// "yyyy-mm-dd hh:mm:ss" in the local zone.
std::string format(Poco::Int64 epochSeconds);

/// "30/Nov/2026:14:36:38 +0700" in the local zone: nginx's $time_local, so
/// that Loket's request log and nginx's access log line up.
std::string formatLog(Poco::Int64 epochSeconds);

/// The last second of the local day that contains `epochSeconds`.
Poco::Int64 endOfDay(Poco::Int64 epochSeconds);

/// The local calendar year of `epochSeconds`.
int year(Poco::Int64 epochSeconds);

/// Parses "yyyy-mm-dd" or "yyyy-mm-dd hh:mm:ss" in the local zone; false if
/// malformed or not a real date and time (2026-02-30, 24:00:00).
bool parse(const std::string& text, Poco::Int64& epochSeconds);

} // namespace Clock
} // namespace Loket
