#pragma once
#include "Reply.h"
#include <string>

namespace Loket {

/// One line per request: time, memberID, refID, action, product, dest, RC and
/// latency.  Only values that passed validation are written, and never a pin,
/// password or signature.  The file is opened for each line (O_APPEND), so
/// logrotate can move it without a signal and workers never interleave lines.
class RequestLog
{
public:
    explicit RequestLog(const std::string& path) : _path(path) {}
    void write(const Request& request, const Reply& reply, double latencyMs);

    /// The line write() would append, without the newline.
    static std::string line(const Request& request, const Reply& reply, double latencyMs);

private:
    std::string _path;
};

} // namespace Loket
