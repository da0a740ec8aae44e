#pragma once
#include <string>

namespace Loket {

/// Response codes (RC) of the legacy interface.  Their texts live in the
/// response_codes table; docs/protocol.md describes each.
namespace RC {
const std::string Success          = "00";
const std::string InquiryExpired   = "04";
const std::string BillUnpaid       = "05";  ///< status of a bill that was inquired, not paid
const std::string NotInquired      = "06";
const std::string RefIdReused      = "11";
const std::string WrongCustomer    = "14";
const std::string InsufficientBalance = "17";
const std::string UnknownProduct   = "20";
const std::string BadParameter     = "30";
const std::string BillerFailed     = "40";
const std::string SignatureRequired = "41";
const std::string WrongCredentials = "42";
const std::string PartnerSuspended = "43";
const std::string IpNotAllowed     = "44";  ///< the partner's IP allowlist does not hold the client
const std::string AccountLocked    = "45";  ///< too many failed authentications (auth.max_failures)
const std::string ProductClosed    = "47";
const std::string NotFound         = "50";
const std::string Pending          = "68";
const std::string AlreadyPaid      = "88";
const std::string SystemBusy       = "99";
}

/// What the partner asked for; each has its own template column ("action").
/// Mutations (the partner's journal) renders its own success text; its
/// failures use MUTASI rows, else the SALDO ones (Templates::render).
/// PriceList (issue 10) likewise: its own success text, failures as SALDO rows.
enum class Action { Topup, Inquiry, Payment, Status, Balance, Mutations, PriceList };

/// The action word that starts every reply: TRX, CEK, BAYAR, STATUS, SALDO, MUTASI, HARGA.
const std::string& actionWord(Action action);

} // namespace Loket
