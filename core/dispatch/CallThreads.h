#pragma once
#include <chrono>
#include <functional>
#include <memory>

namespace Loket {

/// The threads the dispatcher makes its biller and callback calls on, kept
/// for the next call instead of created for each: under load, creating and
/// ending one thread per call was about 15 % of the dispatcher's CPU
/// (issue 12, docs/performance.md).  A call goes to an idle thread, or to a
/// new one when none is idle, so a slow biller never makes another call wait;
/// how many run at once is bounded by the callers' in-flight limits
/// (biller.max_in_flight, callback.max_in_flight).  A thread idle for
/// `idleLimit` ends.
class CallThreads
{
public:
    explicit CallThreads(std::chrono::milliseconds idleLimit = std::chrono::seconds(30));
    /// Idle threads end; a call still running finishes on its thread (the
    /// pool's state lives as long as any of its threads).
    ~CallThreads();
    CallThreads(const CallThreads&) = delete;
    CallThreads& operator=(const CallThreads&) = delete;

    /// Runs `call` on an idle thread or a new one.  Throws (std::system_error)
    /// when no thread is idle and none can be started; the call is not run.
    void run(std::function<void()> call);

    /// Threads alive now, running or idle; those of them waiting for a call.
    int threads() const;
    int idle() const;

private:
    struct State;
    static void loop(std::shared_ptr<State> state);
    std::shared_ptr<State> _state;
};

} // namespace Loket
