#pragma once
#include "Reply.h"
#include <string>

namespace Loket {

/// One line per request, shaped like nginx's access log (loket_safe) so the
/// two line up: client address, [time] as nginx's $time_local, then action,
/// memberID, refID, our transaction id, product, dest, RC and duration.  Only
/// values that passed validation are written, and never a pin, password or
/// signature.  The file is opened for each line (O_APPEND), so logrotate can
/// move it without a signal and workers never interleave lines.  With
/// log.syslog the same line also goes to syslog (the journal), tag "loket".
class RequestLog
{
public:
    explicit RequestLog(const std::string& path) : _path(path) {}
    explicit RequestLog(const Config& config);
    void write(const Request& request, const Reply& reply, double latencyMs);

    /// The line write() would append, without the newline.
    static std::string line(const Request& request, const Reply& reply, double latencyMs);

private:
    std::string _path;
    bool _syslog = false;
};

} // namespace Loket
