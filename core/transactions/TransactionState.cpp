#include "TransactionState.h"
#include <Poco/String.h>
#include <array>

namespace Loket {
namespace {

const std::array<std::string, 6> Names = {"INQUIRED", "QUEUED", "SENT", "PENDING", "SUCCESS", "FAILED"};

} // namespace

const std::string& stateName(TrxState state) { return Names[static_cast<std::size_t>(state)]; }

bool parseState(const std::string& name, TrxState& state)
{
    std::string upper = Poco::toUpper(name);
    for (std::size_t i = 0; i < Names.size(); ++i)
        if (Names[i] == upper)
        {
            state = static_cast<TrxState>(i);
            return true;
        }
    return false;
}

bool isFinal(TrxState s) { return s == TrxState::Success || s == TrxState::Failed; }

bool isInFlight(TrxState s) { return s == TrxState::Queued || s == TrxState::Sent || s == TrxState::Pending; }

bool canMove(TrxState from, TrxState to)
{
    switch (from)
    {
    case TrxState::Inquired: return to == TrxState::Inquired || to == TrxState::Queued || to == TrxState::Failed;
    case TrxState::Queued: return to == TrxState::Sent || to == TrxState::Failed;
    // → QUEUED: the next route, only after a definite failure at this one.
    case TrxState::Sent:
        return to == TrxState::Success || to == TrxState::Failed || to == TrxState::Pending || to == TrxState::Queued;
    case TrxState::Pending: return to == TrxState::Success || to == TrxState::Failed || to == TrxState::Queued;
    case TrxState::Success:
    case TrxState::Failed: return false;
    }
    return false;
}

} // namespace Loket
