#include "Authentication.h"

namespace Loket {

AuthRequest authRequestOf(const Request& r)
{
    AuthRequest a;
    a.memberId = r.memberId;
    a.pin = r.pin;
    a.password = r.password;
    a.sign = r.sign;
    a.remoteAddr = r.remoteAddr;
    a.signedFields = r.action == Action::Balance     ? Signature::forBalance(r.memberId)
                     : r.action == Action::PriceList ? Signature::forPriceList(r.memberId)
                                                     : Signature::forTransaction(r.memberId, r.productValid ? r.product : "",
                                                     r.destValid ? r.dest : "", r.refId);
    return a;
}

const std::string& rcOf(AuthOutcome outcome)
{
    switch (outcome)
    {
    case AuthOutcome::Ok: return RC::Success;
    case AuthOutcome::WrongCredentials: return RC::WrongCredentials;
    case AuthOutcome::Suspended: return RC::PartnerSuspended;
    case AuthOutcome::SignatureRequired: return RC::SignatureRequired;
    case AuthOutcome::IpNotAllowed: return RC::IpNotAllowed;
    case AuthOutcome::Locked: return RC::AccountLocked;
    }
    return RC::SystemBusy;
}

} // namespace Loket
