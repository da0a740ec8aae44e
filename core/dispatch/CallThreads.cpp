#include "CallThreads.h"
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

namespace Loket {

struct CallThreads::State
{
    std::chrono::milliseconds idleLimit;
    std::mutex mutex;
    std::condition_variable work;
    std::deque<std::function<void()>> calls;
    int idle = 0;       ///< threads waiting for a call, not yet given one
    int alive = 0;
    bool closing = false;
};

CallThreads::CallThreads(std::chrono::milliseconds idleLimit) : _state(std::make_shared<State>())
{
    _state->idleLimit = idleLimit;
}

CallThreads::~CallThreads()
{
    {
        std::lock_guard<std::mutex> lock(_state->mutex);
        _state->closing = true;
    }
    _state->work.notify_all();
}

void CallThreads::run(std::function<void()> call)
{
    {
        std::lock_guard<std::mutex> lock(_state->mutex);
        if (_state->idle > static_cast<int>(_state->calls.size()))
        {
            // An idle thread takes it; counted as taken at once, so that two
            // calls in a row never count on the same idle thread.
            _state->calls.push_back(std::move(call));
            _state->work.notify_one();
            return;
        }
        // None idle: a new thread, which starts with this call.
        ++_state->alive;
    }
    // std::thread throws std::system_error when the system refuses one.
    try
    {
        std::thread([state = _state, first = std::move(call)]() mutable {
            first();
            first = nullptr;   // what the call captured goes now, not when the thread ends
            loop(std::move(state));
        }).detach();
    }
    catch (...)
    {
        std::lock_guard<std::mutex> lock(_state->mutex);
        --_state->alive;
        throw;
    }
}

void CallThreads::loop(std::shared_ptr<State> state)
{
    std::unique_lock<std::mutex> lock(state->mutex);
    for (;;)
    {
        ++state->idle;
        state->work.wait_for(lock, state->idleLimit, [&] { return !state->calls.empty() || state->closing; });
        --state->idle;
        if (state->calls.empty())
        {
            // Idle too long, or the pool is closing: this thread ends.
            --state->alive;
            return;
        }
        std::function<void()> call = std::move(state->calls.front());
        state->calls.pop_front();
        lock.unlock();
        call();
        call = nullptr;
        lock.lock();
    }
}

int CallThreads::threads() const
{
    std::lock_guard<std::mutex> lock(_state->mutex);
    return _state->alive;
}

int CallThreads::idle() const
{
    std::lock_guard<std::mutex> lock(_state->mutex);
    return _state->idle;
}

} // namespace Loket
