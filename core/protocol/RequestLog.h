#pragma once
#include "Reply.h"
#include <condition_variable>
#include <mutex>
#include <string>
#include <thread>

namespace Loket {

/// One line per request, shaped like nginx's access log (loket_safe) so the
/// two line up: client address, [time] as nginx's $time_local, then action,
/// memberID, refID, our transaction id, product, dest, RC and duration.  Only
/// values that passed validation are written, and never a pin, password or
/// signature.
///
/// Lines are gathered in memory and appended by one thread of the process,
/// at most FlushDelay after the first of them: opening the file and appending
/// a line from every request thread cost the worker an open, a close and a
/// wait on the file's lock per request (issue 12).  Each flush opens the file
/// (O_APPEND) and writes whole lines in one write, so logrotate can move it
/// without a signal and workers never interleave lines.  What a crash loses is
/// the last FlushDelay of lines; the ledger is the record of what was sold.
/// With log.syslog each line also goes to syslog (the journal), tag "loket".
class RequestLog
{
public:
    static constexpr int FlushDelayMs = 20;
    /// Lines waiting beyond this (the disk stalls) are dropped and counted;
    /// the next write says how many.  A stuck log never holds up a reply.
    static constexpr std::size_t MaxPendingBytes = 4 << 20;

    explicit RequestLog(const std::string& path);
    explicit RequestLog(const Config& config);
    /// Writes what is gathered, then returns.
    ~RequestLog();
    RequestLog(const RequestLog&) = delete;
    RequestLog& operator=(const RequestLog&) = delete;

    void write(const Request& request, const Reply& reply, double latencyMs);

    /// The line write() would append, without the newline.
    static std::string line(const Request& request, const Reply& reply, double latencyMs);

private:
    void flushLoop();
    /// Appends whole lines in one write (what does not fit is lost).
    void append(const std::string& lines) const;

    std::string _path;
    bool _syslog = false;

    std::mutex _mutex;
    std::condition_variable _gathered;
    std::string _pending;   ///< whole lines not yet in the file
    long _dropped = 0;      ///< lines dropped since the last write
    bool _closing = false;
    std::thread _flusher;
};

} // namespace Loket
