#pragma once
#include "ResponseCode.h"
#include "Transactions.h"
#include <string>

namespace Loket {

/// What a use case decided, before any text: the protocol layer renders it.
struct Outcome
{
    std::string rc;
    /// The stored transaction the reply is about; without one, the reply
    /// echoes the request's validated fields only.
    bool hasTransaction = false;
    Transaction transaction;
    std::string badParameter;   ///< RC 30: the parameter at fault ([keterangan])
    std::string frozenText;     ///< a reply stored with the transaction (mitra_message), answered as is
    Rupiah balance = -1;        ///< the partner's balance, when the reply shows it ([saldo])

    /// Set when the answer depends on a dispatcher: the worker waits (without
    /// holding a connection) for the order to become final / the inquiry to
    /// be answered, then finishes the request.
    Poco::Int64 awaitOrder = 0;
    Poco::Int64 awaitInquiry = 0;

    static Outcome of(const std::string& rc) { Outcome o; o.rc = rc; return o; }
    static Outcome of(const std::string& rc, const Transaction& t)
    {
        Outcome o;
        o.rc = rc;
        o.hasTransaction = true;
        o.transaction = t;
        return o;
    }
    static Outcome badParam(const std::string& parameter)
    {
        Outcome o;
        o.rc = RC::BadParameter;
        o.badParameter = parameter;
        return o;
    }
};

} // namespace Loket
