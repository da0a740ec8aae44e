#include "RequestLog.h"
#include "Clock.h"
#include <algorithm>
#include <chrono>
#include <cmath>
#include <fcntl.h>
#include <syslog.h>
#include <unistd.h>

namespace Loket {

namespace {

/// REMOTE_ADDR as given by nginx, or "-" if it is not an IPv4/IPv6 address or a unix socket peer.
std::string address(const std::string& a)
{
    if (a == "unix:") return a;
    bool ok = !a.empty() && a.size() <= 45 && a.find_first_not_of("0123456789abcdefABCDEF:.") == std::string::npos;
    return ok ? a : "-";
}

} // namespace

RequestLog::RequestLog(const std::string& path) : _path(path)
{
    if (!_path.empty()) _flusher = std::thread([this] { flushLoop(); });
}

RequestLog::RequestLog(const Config& config) : RequestLog(config.logFile)
{
    _syslog = config.logSyslog;
    if (_syslog) ::openlog("loket", LOG_PID | LOG_NDELAY, LOG_USER);
}

RequestLog::~RequestLog()
{
    {
        std::lock_guard<std::mutex> lock(_mutex);
        _closing = true;
    }
    _gathered.notify_one();
    if (_flusher.joinable()) _flusher.join();
}

std::string RequestLog::line(const Request& r, const Reply& reply, double latencyMs)
{
    // Appended into one reserved string, the latency in tenths without
    // printf: every partner request writes a line (issue 12).
    auto field = [](std::string& s, const char* name, const std::string& value) {
        s += name;
        s += value.empty() ? std::string("-") : value;
    };
    std::string s;
    s.reserve(192);
    s += address(r.address);
    s += " [";
    s += Clock::formatLog(Clock::now());
    s += "] action=";
    s += actionWord(r.action);
    field(s, " member=", r.memberId);
    field(s, " ref=", r.refId);
    field(s, " trx=", reply.trxId);
    field(s, " product=", r.productValid ? r.product : std::string());
    field(s, " dest=", r.destValid ? r.dest : std::string());
    s += " rc=";
    s += reply.rc;
    if (!r.badParameter.empty())
    {
        s += " bad=";
        s += r.badParameter;
    }
    // Clamped first: llround of NaN, infinity or a huge value is unspecified.
    long long tenths = latencyMs > 0 ? std::llround(std::min(latencyMs, 1e12) * 10) : 0;
    s += " ms=";
    s += std::to_string(tenths / 10);
    s += '.';
    s += static_cast<char>('0' + tenths % 10);
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
    if (_path.empty() && !_syslog) return;
    std::string s = line(request, reply, latencyMs) + "\n";
    if (_syslog) ::syslog(LOG_INFO, "%s", s.c_str());
    if (_path.empty()) return;
    bool first;
    {
        std::lock_guard<std::mutex> lock(_mutex);
        first = _pending.empty();
        if (_pending.size() + s.size() > MaxPendingBytes)
        {
            ++_dropped;
            return;
        }
        _pending += s;
    }
    if (first) _gathered.notify_one();
}

void RequestLog::flushLoop()
{
    std::unique_lock<std::mutex> lock(_mutex);
    for (;;)
    {
        _gathered.wait(lock, [&] { return !_pending.empty() || _closing; });
        if (!_closing)
        {
            // Let the lines of the next few milliseconds join this write.
            lock.unlock();
            std::this_thread::sleep_for(std::chrono::milliseconds(FlushDelayMs));
            lock.lock();
        }
        std::string lines;
        lines.swap(_pending);
        long dropped = _dropped;
        _dropped = 0;
        bool closing = _closing;
        lock.unlock();
        if (dropped > 0)
            lines = "- [" + Clock::formatLog(Clock::now()) + "] dropped=" + std::to_string(dropped) +
                    " (request lines the log could not take fast enough)\n" + lines;
        if (!lines.empty()) append(lines);
        lock.lock();
        if (closing && _pending.empty()) return;
    }
}

void RequestLog::append(const std::string& lines) const
{
    int fd = ::open(_path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
    if (fd < 0) return;   // a log that cannot be written must not fail the request
    // One write: another worker's lines never land inside ours.  A short one
    // (a full disk) is not continued, for the same reason.
    ssize_t ignored = ::write(fd, lines.data(), lines.size());
    (void)ignored;
    ::close(fd);
}

} // namespace Loket
