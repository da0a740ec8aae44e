#include "RequestLog.h"
#include "Clock.h"
#include <cstdio>
#include <fcntl.h>
#include <unistd.h>

namespace Loket {

std::string RequestLog::line(const Request& r, const Reply& reply, double latencyMs)
{
    char ms[32];
    std::snprintf(ms, sizeof ms, "%.1f", latencyMs);
    std::string s = Clock::format(Clock::now());
    s += " action=" + actionWord(r.action);
    s += " member=" + (r.memberId.empty() ? std::string("-") : r.memberId);
    s += " ref=" + (r.refId.empty() ? std::string("-") : r.refId);
    s += " product=" + (r.productValid ? r.product : std::string("-"));
    s += " dest=" + (r.destValid ? r.dest : std::string("-"));
    s += " rc=" + reply.rc;
    if (!r.badParameter.empty()) s += " bad=" + r.badParameter;
    s += " ms=";
    s += ms;
    if (!reply.error.empty())
    {
        // Storage and biller errors name no secret (only digests reach the
        // database), but they may hold any byte: keep the line one line.
        std::string error;
        for (char c : redactSecrets(reply.error).substr(0, 300))
            error += (c >= 0x20 && c < 0x7f && c != '"') ? c : '?';
        s += " error=\"" + error + "\"";
    }
    return s;
}

void RequestLog::write(const Request& request, const Reply& reply, double latencyMs)
{
    if (_path.empty()) return;
    std::string s = line(request, reply, latencyMs) + "\n";
    int fd = ::open(_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return;   // a log that cannot be written must not fail the request
    ssize_t ignored = ::write(fd, s.data(), s.size());
    (void)ignored;
    ::close(fd);
}

} // namespace Loket
