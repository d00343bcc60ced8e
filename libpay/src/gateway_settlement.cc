// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Settlement windows: closing, netting, listing, treasury accounts and the signed report
// (docs/settlement.md). Sending the transfers is in gateway_settlement_transfers.cc.
//
// A window is a range of ledger sequences. The close entry (SETTLEMENT_WINDOW_CLOSED) at
// sequence S ends window N and, in the same write, window N + 1 opens at S + 1. The nets are a
// pure function of the range [first_sequence, S): they are computed right after the close commit,
// under settlement_mu_, because writers grouped into the same ledger batch as the close may take
// sequences below S that a read before the commit could not see.

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <tuple>

#include "coding.h"
#include "gateway_internal.h"
#include "settlement_records.h"
#include "str_util.h"

namespace pay {

std::string_view SettlementWindowStateName(SettlementWindowState state) {
  switch (state) {
    case SettlementWindowState::kOpen:
      return "OPEN";
    case SettlementWindowState::kClosed:
      return "CLOSED";
    case SettlementWindowState::kSettling:
      return "SETTLING";
    case SettlementWindowState::kSettled:
      return "SETTLED";
    case SettlementWindowState::kPartiallySettled:
      return "PARTIALLY_SETTLED";
    case SettlementWindowState::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

std::string_view TransferStateName(TransferState state) {
  switch (state) {
    case TransferState::kPending:
      return "PENDING";
    case TransferState::kSent:
      return "SENT";
    case TransferState::kAccepted:
      return "ACCEPTED";
    case TransferState::kRejected:
      return "REJECTED";
    case TransferState::kFailed:
      return "FAILED";
  }
  return "UNKNOWN";
}

std::string_view TransferConfirmationName(TransferConfirmation confirmation) {
  switch (confirmation) {
    case TransferConfirmation::kUnconfirmed:
      return "UNCONFIRMED";
    case TransferConfirmation::kConfirmed:
      return "CONFIRMED";
    case TransferConfirmation::kDiscrepancy:
      return "DISCREPANCY";
  }
  return "UNKNOWN";
}

namespace internal {
namespace {

constexpr std::string_view kRevenuePrefix = "revenue/";

Status CheckSettlementReader(const Principal& caller) {
  if (caller.role == Role::kAdmin || caller.role == Role::kAuditor) return absl::OkStatus();
  return absl::PermissionDeniedError(
      StrCat("only ADMIN and AUDITOR credentials read settlement windows; this one is ",
             RoleName(caller.role)));
}

Status CheckAdmin(const Principal& caller, std::string_view what) {
  if (caller.role == Role::kAdmin) return absl::OkStatus();
  return absl::PermissionDeniedError(
      StrCat("only ADMIN credentials ", what, "; this one is ", RoleName(caller.role)));
}

// An AUDITOR sees the nets and transfers of its granted agencies only.
SettlementWindow VisibleTo(const Principal& caller, SettlementWindow window) {
  if (caller.role == Role::kAdmin) return window;
  std::erase_if(window.nets,
                [&](const SettlementNet& net) { return !caller.CanRead(net.agency_id); });
  std::erase_if(window.transfers, [&](const SettlementTransfer& transfer) {
    return !caller.CanRead(transfer.agency_id);
  });
  return window;
}

// "revenue/passports/stamp-duty" -> "passports".
std::string AgencyOfAccount(std::string_view account) {
  std::string_view rest = account.substr(kRevenuePrefix.size());
  return std::string(rest.substr(0, rest.find('/')));
}

bool IsLabel(std::string_view text) {
  if (text.empty() || text.size() > 32) return false;
  return std::all_of(text.begin(), text.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
  });
}

// IBAN format and ISO 13616 mod-97 check.
Status ValidateIban(std::string_view field, std::string_view iban) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(StrCat(field, ": ", why));
  };
  if (iban.size() < 5 || iban.size() > 34) return bad("an IBAN has 5 to 34 characters");
  for (size_t i = 0; i < iban.size(); ++i) {
    const char c = iban[i];
    const bool letter = c >= 'A' && c <= 'Z';
    const bool digit = c >= '0' && c <= '9';
    if ((i < 2 && !letter) || (i >= 2 && i < 4 && !digit) || (!letter && !digit)) {
      return bad("not an IBAN (two capital letters, two check digits, then A-Z and 0-9)");
    }
  }
  std::string rotated = StrCat(iban.substr(4), iban.substr(0, 4));
  int remainder = 0;
  for (char c : rotated) {
    const int value = c >= 'A' ? c - 'A' + 10 : c - '0';
    remainder = value >= 10 ? (remainder * 100 + value) % 97 : (remainder * 10 + value) % 97;
  }
  if (remainder != 1) return bad("the IBAN's check digits are wrong");
  return absl::OkStatus();
}

Status ValidateBic(std::string_view field, std::string_view bic) {
  if (bic.empty()) return absl::OkStatus();
  const bool shape =
      (bic.size() == 8 || bic.size() == 11) && std::all_of(bic.begin(), bic.end(), [](char c) {
        return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
      });
  if (!shape) return absl::InvalidArgumentError(StrCat(field, ": a BIC has 8 or 11 of A-Z, 0-9"));
  return absl::OkStatus();
}

}  // namespace

void GatewayImpl::MaybeCrashAt(std::string_view step) const {
  if (options_.settlement.crash_at.empty() || options_.settlement.crash_at != step) return;
  std::fprintf(stderr, "settlement: crashing at \"%s\" (fault injection)\n",
               options_.settlement.crash_at.c_str());
  std::_Exit(137);
}

Result<std::optional<SettlementWindow>> GatewayImpl::LoadWindow(uint64_t number) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kSettlements, WindowKey(number)));
  if (!bytes) return std::optional<SettlementWindow>();
  SettlementWindow window;
  PAY_RETURN_IF_ERROR(DecodeSettlementWindow(*bytes, &window));
  return std::optional<SettlementWindow>(std::move(window));
}

Result<SettlementWindow> GatewayImpl::CurrentWindow() const {
  std::optional<SettlementWindow> newest;
  Status decoded;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kSettlements, kWindowKeyPrefix, "", /*reverse=*/true,
                                    [&](std::string_view, std::string_view value) {
                                      SettlementWindow window;
                                      decoded = DecodeSettlementWindow(value, &window);
                                      newest = std::move(window);
                                      return false;
                                    }));
  PAY_RETURN_IF_ERROR(decoded);
  if (newest) return *newest;
  SettlementWindow first;  // nothing closed yet: window 1 holds the ledger from its start
  first.number = 1;
  return first;
}

Result<ListSettlementWindowsResult> GatewayImpl::ListSettlementWindows(
    const Principal& caller, int32_t page_size, std::string_view page_token) const {
  PAY_RETURN_IF_ERROR(CheckSettlementReader(caller));
  PAY_ASSIGN_OR_RETURN(int32_t limit, PageSize(page_size));
  std::string start_after;
  if (!page_token.empty()) {
    PAY_ASSIGN_OR_RETURN(start_after, DecodePageToken(page_token, kWindowKeyPrefix));
  }
  ListSettlementWindowsResult result;
  Status decoded;
  bool more = false;
  PAY_RETURN_IF_ERROR(
      ledger_->Scan(Table::kSettlements, kWindowKeyPrefix, start_after, /*reverse=*/true,
                    [&](std::string_view key, std::string_view value) {
                      if (result.windows.size() == static_cast<size_t>(limit)) {
                        more = true;
                        return false;
                      }
                      SettlementWindow window;
                      decoded = DecodeSettlementWindow(value, &window);
                      if (!decoded.ok()) return false;
                      result.windows.push_back(VisibleTo(caller, std::move(window)));
                      start_after.assign(key);
                      return true;
                    }));
  PAY_RETURN_IF_ERROR(decoded);
  if (page_token.empty() && result.windows.empty()) {
    PAY_ASSIGN_OR_RETURN(SettlementWindow first, CurrentWindow());
    result.windows.push_back(std::move(first));
  }
  if (more) result.next_page_token = EncodePageToken(start_after);
  return result;
}

Result<SettlementWindow> GatewayImpl::GetSettlementWindow(const Principal& caller,
                                                          uint64_t window_number) const {
  PAY_RETURN_IF_ERROR(CheckSettlementReader(caller));
  if (window_number == 0) {
    PAY_ASSIGN_OR_RETURN(SettlementWindow current, CurrentWindow());
    return VisibleTo(caller, std::move(current));
  }
  PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(window_number));
  if (!window && window_number == 1) {
    PAY_ASSIGN_OR_RETURN(SettlementWindow current, CurrentWindow());
    if (current.number == 1) window = std::move(current);
  }
  if (!window) {
    return absl::NotFoundError(
        StrCat("window_number: settlement window ", window_number, " does not exist yet"));
  }
  return VisibleTo(caller, *std::move(window));
}

Result<SettlementWindow> GatewayImpl::CloseSettlementWindow(const Principal& caller,
                                                            uint64_t window_number) {
  PAY_RETURN_IF_ERROR(CheckAdmin(caller, "close settlement windows"));
  uint64_t number = 0;
  {
    std::lock_guard<std::mutex> lock(settlement_mu_);
    PAY_ASSIGN_OR_RETURN(SettlementWindow open, CurrentWindow());
    number = window_number == 0 ? open.number : window_number;
    if (number > open.number) {
      return absl::FailedPreconditionError(StrCat("window_number: settlement window ", number,
                                                  " does not exist yet; window ", open.number,
                                                  " is OPEN"));
    }
    if (number == open.number) {
      PAY_ASSIGN_OR_RETURN(SettlementWindow closed, CloseWindowLocked(open, caller.credential_id));
      MaybeCrashAt("closed");
      PAY_RETURN_IF_ERROR(SummarizeLocked(std::move(closed)).status());
    } else {
      // Already closed: the same window, unchanged (a retried close).
      PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(number));
      if (!window) return absl::NotFoundError(StrCat("window_number: no window ", number));
      if (window->summarized) return *window;
      PAY_RETURN_IF_ERROR(SummarizeLocked(*std::move(window)).status());
    }
  }
  return SettleWindow(number, options_.settlement.wait_ms);
}

Result<SettlementWindow> GatewayImpl::CloseWindowLocked(const SettlementWindow& open,
                                                        std::string_view principal) {
  const int64_t now_ms = NowMs();
  LedgerEntry entry;
  entry.type = EntryType::kSettlementWindowClosed;
  entry.subject_id = WindowSubject(open.number);
  entry.related_id = WindowSubject(open.number + 1);
  entry.principal_id = std::string(principal);
  entry.from_state = static_cast<uint8_t>(SettlementWindowState::kOpen);
  entry.to_state = static_cast<uint8_t>(SettlementWindowState::kClosed);
  entry.detail =
      StrCat("window ", open.number, " holds the entries from sequence ", open.first_sequence,
             " up to this one; window ", open.number + 1, " opens after it");
  SettlementWindow closed = open;
  closed.state = SettlementWindowState::kClosed;
  closed.close_time_ms = now_ms;
  closed.closed_by = std::string(principal);
  SettlementWindow next;
  next.number = open.number + 1;
  next.open_time_ms = now_ms;
  WriteSet write_set;
  write_set.Append(std::move(entry));
  write_set.PutStamped(Table::kSettlements, WindowKey(closed.number), 0,
                       [closed](uint64_t sequence) {
                         SettlementWindow stamped = closed;
                         stamped.close_sequence = sequence;
                         return EncodeSettlementWindow(stamped);
                       });
  write_set.PutStamped(Table::kSettlements, WindowKey(next.number), 0, [next](uint64_t sequence) {
    SettlementWindow stamped = next;
    stamped.first_sequence = sequence + 1;
    return EncodeSettlementWindow(stamped);
  });
  PAY_ASSIGN_OR_RETURN(uint64_t sequence, ledger_->Commit(std::move(write_set)));
  closed.close_sequence = sequence;
  return closed;
}

Result<SettlementWindow> GatewayImpl::SummarizeLocked(SettlementWindow window) {
  if (window.summarized) return window;
  PAY_CHECK(window.close_sequence > 0);
  // (account, currency) -> net; std::map keeps the report's order stable.
  std::map<std::pair<std::string, std::string>, SettlementNet> nets;
  Status summed;
  PAY_RETURN_IF_ERROR(ledger_->ReadEntries(window.first_sequence, [&](const LedgerEntry& entry) {
    if (entry.sequence >= window.close_sequence) return false;
    for (const Posting& posting : entry.postings) {
      if (posting.account.rfind(kRevenuePrefix, 0) != 0) continue;
      SettlementNet& net = nets[{posting.account, posting.amount.currency()}];
      net.account = posting.account;
      net.agency_id = AgencyOfAccount(posting.account);
      net.currency = posting.amount.currency();
      const int64_t amount = posting.amount.minor_units();
      // Collections credit revenue (negative), refunds debit it (positive).
      int64_t* total = amount < 0 ? &net.collected_minor : &net.refunded_minor;
      const int64_t magnitude = amount < 0 ? -amount : amount;
      if (__builtin_add_overflow(*total, magnitude, total)) {
        summed = absl::OutOfRangeError(
            StrCat("the window's total of ", posting.account, " overflows int64 minor units"));
        return false;
      }
    }
    return true;
  }));
  PAY_RETURN_IF_ERROR(summed);
  const int64_t now_ms = NowMs();
  window.nets.clear();
  window.transfers.clear();
  WriteSet write_set;
  for (auto& [key, net] : nets) {
    net.net_minor = net.collected_minor - net.refunded_minor;  // both within int64, same sign
    window.nets.push_back(net);
    // A zero or negative net (refunds at least the collections) is not transferred: nothing is
    // owed to the treasury; the report shows it.
    if (net.net_minor <= 0) continue;
    SettlementTransfer transfer;
    transfer.end_to_end_id = StrCat("STL", window.number, "-", window.transfers.size() + 1);
    transfer.agency_id = net.agency_id;
    transfer.account = net.account;
    PAY_ASSIGN_OR_RETURN(transfer.amount, Money::Create(net.currency, net.net_minor));
    transfer.update_time_ms = now_ms;
    PAY_ASSIGN_OR_RETURN(std::optional<std::string> treasury,
                         ledger_->Get(Table::kSettlements, TreasuryKey(net.account)));
    if (treasury) {
      transfer.state = TransferState::kPending;
    } else {
      transfer.state = TransferState::kFailed;
      transfer.reason = StrCat("NO_TREASURY_ACCOUNT: no treasury account is set for ", net.account,
                               "; set one and retry the window");
    }
    LedgerEntry entry;
    entry.type = EntryType::kSettlementTransfer;
    entry.agency_id = transfer.agency_id;
    entry.subject_id = transfer.end_to_end_id;
    entry.related_id = WindowSubject(window.number);
    entry.principal_id = std::string(kSystemPrincipal);
    entry.to_state = static_cast<uint8_t>(transfer.state);
    entry.amount = transfer.amount;
    entry.detail = transfer.reason.empty() ? StrCat("owed to the treasury for ", net.account)
                                           : transfer.reason;
    write_set.Append(std::move(entry));
    window.transfers.push_back(std::move(transfer));
  }
  window.summarized = true;
  if (window.transfers.empty()) {
    window.state = SettlementWindowState::kSettled;  // nothing to move
  } else if (std::none_of(
                 window.transfers.begin(), window.transfers.end(),
                 [](const SettlementTransfer& t) { return t.state == TransferState::kPending; })) {
    window.state = SettlementWindowState::kFailed;
  }
  write_set.Put(Table::kSettlements, WindowKey(window.number), EncodeSettlementWindow(window));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  MaybeCrashAt("summarized");
  return window;
}

Result<TreasuryAccount> GatewayImpl::SetTreasuryAccount(const Principal& caller,
                                                        const TreasuryAccount& request) {
  PAY_RETURN_IF_ERROR(CheckAdmin(caller, "set treasury accounts"));
  if (request.account.rfind(kRevenuePrefix, 0) != 0) {
    return absl::InvalidArgumentError(
        "account: a revenue account, \"revenue/<agency>\" or \"revenue/<agency>/<label>\"");
  }
  const std::string agency_id = AgencyOfAccount(request.account);
  const std::string_view rest =
      std::string_view(request.account).substr(kRevenuePrefix.size() + agency_id.size());
  if (!rest.empty() && (rest[0] != '/' || !IsLabel(rest.substr(1)))) {
    return absl::InvalidArgumentError(
        "account: the label after the agency is 1 to 32 of a-z, 0-9, '-' and '_'");
  }
  PAY_ASSIGN_OR_RETURN(std::optional<Agency> agency, LoadAgency(agency_id));
  if (!agency) {
    return absl::InvalidArgumentError(StrCat("account: no agency \"", agency_id, "\""));
  }
  PAY_RETURN_IF_ERROR(ValidateIban("iban", request.iban));
  PAY_RETURN_IF_ERROR(ValidateBic("bic", request.bic));
  if (request.name.empty()) return absl::InvalidArgumentError("name: required");
  PAY_RETURN_IF_ERROR(ValidateText("name", request.name, 140));
  TreasuryAccount account = request;
  account.update_time_ms = NowMs();
  WriteSet write_set;
  write_set.Put(Table::kSettlements, TreasuryKey(account.account), EncodeTreasuryAccount(account));
  PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  return account;
}

Result<std::vector<TreasuryAccount>> GatewayImpl::ListTreasuryAccounts(
    const Principal& caller) const {
  PAY_RETURN_IF_ERROR(CheckSettlementReader(caller));
  std::vector<TreasuryAccount> accounts;
  Status decoded;
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kSettlements, kTreasuryKeyPrefix, "", false,
                                    [&](std::string_view, std::string_view value) {
                                      TreasuryAccount account;
                                      decoded = DecodeTreasuryAccount(value, &account);
                                      if (!decoded.ok()) return false;
                                      if (caller.role == Role::kAdmin ||
                                          caller.CanRead(AgencyOfAccount(account.account))) {
                                        accounts.push_back(std::move(account));
                                      }
                                      return true;
                                    }));
  PAY_RETURN_IF_ERROR(decoded);
  return accounts;
}

}  // namespace internal
}  // namespace pay
