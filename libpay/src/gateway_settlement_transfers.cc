// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Settlement transfers: sending a closed window's nets to the treasury accounts through the
// settlement connector, following their status, and recovering after a crash
// (docs/settlement.md).
//
// Crash safety rests on one order: a transfer is recorded SENT, with the message id and
// end-to-end id it will carry, before the message leaves. Ids are deterministic
// ("STL-<window>-<attempt>", "STL<window>-<n>" then "STL<window>-<n>-<attempt>"), so after a
// restart payd resends exactly the recorded message, which the bank deduplicates, and asks for
// its statuses, before anything new is sent. A new attempt (new ids) is made only for transfers
// the bank has definitively rejected.

#include <algorithm>
#include <charconv>
#include <chrono>
#include <set>
#include <thread>

#include "awaited.h"
#include "gateway_internal.h"
#include "settlement_records.h"
#include "str_util.h"

namespace pay::internal {
namespace {

using connector::CreditTransferStatus;
using connector::OutcomeStatus;

// How often SettleWindow asks the bank while transfers are SENT.
constexpr int64_t kPollIntervalMs = 100;
// The bank's answer to one send or inquiry is awaited at most this long.
constexpr int64_t kBankAnswerWaitMs = 15'000;

std::string MessageId(uint64_t window, int32_t attempt) {
  return StrCat("STL-", window, "-", attempt);
}

// The end-to-end id of transfer `index` (0-based) in `attempt`.
std::string EndToEndId(uint64_t window, size_t index, int32_t attempt) {
  std::string id = StrCat("STL", window, "-", index + 1);
  if (attempt > 1) id += StrCat("-", attempt);
  return id;
}

std::string SettledAccount(std::string_view revenue_account) {
  return StrCat("settled/", revenue_account.substr(std::string_view("revenue/").size()));
}

bool HasSent(const SettlementWindow& window) {
  return std::any_of(window.transfers.begin(), window.transfers.end(),
                     [](const SettlementTransfer& t) { return t.state == TransferState::kSent; });
}

}  // namespace

// The window's state as a function of its transfers (once its nets are computed).
SettlementWindowState DeriveState(const SettlementWindow& window) {
  if (!window.summarized) return window.state;
  size_t pending = 0, sent = 0, accepted = 0, owed = 0;
  for (const SettlementTransfer& transfer : window.transfers) {
    switch (transfer.state) {
      case TransferState::kPending:
        ++pending;
        break;
      case TransferState::kSent:
        ++sent;
        break;
      case TransferState::kAccepted:
        ++accepted;
        break;
      case TransferState::kRejected:
      case TransferState::kFailed:
        ++owed;
        break;
    }
  }
  if (sent > 0) return SettlementWindowState::kSettling;
  if (pending > 0) {
    return window.attempts > 0 ? SettlementWindowState::kSettling : SettlementWindowState::kClosed;
  }
  if (owed == 0) return SettlementWindowState::kSettled;
  return accepted > 0 ? SettlementWindowState::kPartiallySettled : SettlementWindowState::kFailed;
}

LedgerEntry TransferEntry(uint64_t window, const SettlementTransfer& transfer, TransferState from,
                          std::string_view principal, std::string detail) {
  LedgerEntry entry;
  entry.type = EntryType::kSettlementTransfer;
  entry.agency_id = transfer.agency_id;
  entry.subject_id = transfer.end_to_end_id;
  entry.related_id = WindowSubject(window);
  entry.principal_id = std::string(principal);
  entry.from_state = static_cast<uint8_t>(from);
  entry.to_state = static_cast<uint8_t>(transfer.state);
  entry.amount = transfer.amount;
  entry.detail = std::move(detail);
  return entry;
}

Result<SettlementWindow> GatewayImpl::SettleWindow(uint64_t number, int64_t wait_ms) {
  int32_t attempt = 0;
  {
    std::lock_guard<std::mutex> lock(settlement_mu_);
    PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> loaded, LoadWindow(number));
    if (!loaded) return absl::NotFoundError(StrCat("window_number: no window ", number));
    PAY_ASSIGN_OR_RETURN(SettlementWindow window, SummarizeLocked(*std::move(loaded)));
    const bool any_pending =
        std::any_of(window.transfers.begin(), window.transfers.end(),
                    [](const SettlementTransfer& t) { return t.state == TransferState::kPending; });
    if (any_pending) {
      const std::string& connector_name = options_.settlement.connector;
      ConnectorSlot* slot = connector_name.empty() ? nullptr : FindConnector(connector_name);
      const int64_t now_ms = NowMs();
      const int32_t next_attempt = window.attempts + 1;
      WriteSet write_set;
      bool sending = false;
      for (size_t i = 0; i < window.transfers.size(); ++i) {
        SettlementTransfer& transfer = window.transfers[i];
        if (transfer.state != TransferState::kPending) continue;
        const TransferState from = transfer.state;
        transfer.update_time_ms = now_ms;
        PAY_ASSIGN_OR_RETURN(std::optional<std::string> treasury_bytes,
                             ledger_->Get(Table::kSettlements, TreasuryKey(transfer.account)));
        if (slot == nullptr) {
          transfer.state = TransferState::kFailed;
          transfer.reason =
              StrCat("NO_SETTLEMENT_CONNECTOR: payd has no settlement connector",
                     connector_name.empty() ? "" : StrCat(" \"", connector_name, "\""),
                     "; configure one and retry the window");
        } else if (!treasury_bytes) {
          transfer.state = TransferState::kFailed;
          transfer.reason = StrCat("NO_TREASURY_ACCOUNT: no treasury account is set for ",
                                   transfer.account, "; set one and retry the window");
        } else {
          TreasuryAccount treasury;
          PAY_RETURN_IF_ERROR(DecodeTreasuryAccount(*treasury_bytes, &treasury));
          transfer.state = TransferState::kSent;
          transfer.attempt = next_attempt;
          transfer.message_id = MessageId(number, next_attempt);
          transfer.end_to_end_id = EndToEndId(number, i, next_attempt);
          transfer.iban = treasury.iban;
          transfer.bic = treasury.bic;
          transfer.name = treasury.name;
          transfer.reason.clear();
          sending = true;
        }
        write_set.Append(TransferEntry(number, transfer, from, kSystemPrincipal,
                                       transfer.state == TransferState::kSent
                                           ? StrCat("in ", transfer.message_id, " to ",
                                                    transfer.iban, " (", transfer.account, ")")
                                           : transfer.reason));
      }
      if (sending) {
        window.attempts = next_attempt;
        attempt = next_attempt;
      }
      window.state = DeriveState(window);
      write_set.Put(Table::kSettlements, WindowKey(number), EncodeSettlementWindow(window));
      // Durable before anything is sent: a crash after this resends the same message.
      PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
    }
  }
  if (attempt > 0) {
    MaybeCrashAt("recorded");
    Status sent = SendAttempt(number, attempt, /*inquire=*/false);
    (void)sent;  // the transfers stay SENT; the follow-up below and maintenance ask again
  }
  const int64_t deadline_ms = NowMs() + wait_ms;
  while (true) {
    PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(number));
    if (!window) return absl::NotFoundError(StrCat("window_number: no window ", number));
    if (!HasSent(*window) || NowMs() >= deadline_ms) return *window;
    std::this_thread::sleep_for(std::chrono::milliseconds(kPollIntervalMs));
    std::set<int32_t> attempts;
    for (const SettlementTransfer& transfer : window->transfers) {
      if (transfer.state == TransferState::kSent) attempts.insert(transfer.attempt);
    }
    for (int32_t sent_attempt : attempts) {
      bool acknowledged = false;
      {
        std::lock_guard<std::mutex> lock(acked_mu_);
        acknowledged = acked_attempts_.count({number, sent_attempt}) > 0;
      }
      Status asked = SendAttempt(number, sent_attempt, /*inquire=*/acknowledged);
      (void)asked;  // asked again on the next round
    }
  }
}

Status GatewayImpl::SendAttempt(uint64_t number, int32_t attempt, bool inquire) {
  PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(number));
  if (!window) return absl::NotFoundError(StrCat("no settlement window ", number));
  connector::CreditTransferBatch batch;
  batch.message_id = MessageId(number, attempt);
  for (const SettlementTransfer& transfer : window->transfers) {
    if (transfer.state != TransferState::kSent || transfer.attempt != attempt) continue;
    connector::SettlementCreditTransfer credit;
    credit.end_to_end_id = transfer.end_to_end_id;
    credit.amount = transfer.amount;
    credit.creditor_iban = transfer.iban;
    credit.creditor_bic = transfer.bic;
    credit.creditor_name = transfer.name;
    credit.remittance = StrCat("SETTLEMENT ", number, " ", transfer.account);
    batch.transfers.push_back(std::move(credit));
  }
  if (batch.transfers.empty()) return absl::OkStatus();
  ConnectorSlot* slot = FindConnector(options_.settlement.connector);
  if (slot == nullptr) {
    return absl::FailedPreconditionError(
        StrCat("settlement connector \"", options_.settlement.connector, "\" is not configured"));
  }
  auto answer = std::make_shared<Awaited<Result<std::vector<CreditTransferStatus>>>>();
  auto done = [answer](Result<std::vector<CreditTransferStatus>> statuses) {
    answer->Set(std::move(statuses));
  };
  if (inquire) {
    slot->connector->InquireCreditTransfers(batch, done);
  } else {
    slot->connector->SendCreditTransfers(batch, done);
  }
  std::optional<Result<std::vector<CreditTransferStatus>>> statuses =
      answer->WaitFor(kBankAnswerWaitMs);
  if (!statuses) return absl::DeadlineExceededError("the bank did not answer in time");
  PAY_RETURN_IF_ERROR(statuses->status());
  if (!inquire) MaybeCrashAt("answered");
  if (!inquire) {
    std::lock_guard<std::mutex> lock(acked_mu_);
    acked_attempts_.insert({number, attempt});
  }
  // A transfer the bank never received (a crash before the message left): send the recorded
  // message again, same ids.
  if (inquire &&
      std::any_of((*statuses)->begin(), (*statuses)->end(), [](const CreditTransferStatus& status) {
        return status.failure_code == "NOT_RECEIVED";
      })) {
    return SendAttempt(number, attempt, /*inquire=*/false);
  }
  return ApplyTransferStatuses(number, **statuses);
}

Status GatewayImpl::ApplyTransferStatuses(uint64_t number,
                                          const std::vector<CreditTransferStatus>& statuses,
                                          std::string_view how) {
  std::lock_guard<std::mutex> lock(settlement_mu_);
  PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(number));
  if (!window) return absl::NotFoundError(StrCat("no settlement window ", number));
  const int64_t now_ms = NowMs();
  const std::string clearing = ClearingAccount(options_.settlement.connector);
  WriteSet write_set;
  for (const CreditTransferStatus& status : statuses) {
    if (status.status == OutcomeStatus::kPending || status.failure_code == "NOT_RECEIVED") {
      continue;
    }
    auto transfer = std::find_if(
        window->transfers.begin(), window->transfers.end(),
        [&](const SettlementTransfer& t) { return t.end_to_end_id == status.end_to_end_id; });
    if (transfer == window->transfers.end() || transfer->state != TransferState::kSent) continue;
    transfer->update_time_ms = now_ms;
    transfer->bank_reference = status.provider_reference;
    LedgerEntry entry;
    if (status.status == OutcomeStatus::kSucceeded) {
      transfer->state = TransferState::kAccepted;
      entry = TransferEntry(number, *transfer, TransferState::kSent, kSystemPrincipal,
                            StrCat("settled by the bank (", status.provider_reference, ")", how));
      Money credit;
      PAY_ASSIGN_OR_RETURN(
          credit, Money::Create(transfer->amount.currency(), -transfer->amount.minor_units()));
      entry.postings = {{SettledAccount(transfer->account), transfer->amount}, {clearing, credit}};
    } else {
      transfer->state = TransferState::kRejected;
      transfer->reason = StrCat(status.failure_code, ": ", status.failure_message);
      entry = TransferEntry(number, *transfer, TransferState::kSent, kSystemPrincipal,
                            StrCat("REJECTED ", transfer->reason, "; still owed", how));
    }
    write_set.Append(std::move(entry));
  }
  if (write_set.entry_count() == 0) return absl::OkStatus();
  window->state = DeriveState(*window);
  write_set.Put(Table::kSettlements, WindowKey(number), EncodeSettlementWindow(*window));
  return ledger_->Commit(std::move(write_set)).status();
}

Status GatewayImpl::ReportCreditTransfer(std::string_view connector_name,
                                         const CreditTransferStatus& status) {
  const auto not_found = [&] {
    return absl::NotFoundError(StrCat(
        "\"", status.end_to_end_id, "\" is no settlement transfer sent through ", connector_name));
  };
  if (connector_name != options_.settlement.connector) return not_found();
  // "STL<window>-<n>" or "STL<window>-<n>-<attempt>" (EndToEndId).
  std::string_view id = status.end_to_end_id;
  uint64_t number = 0;
  if (id.substr(0, 3) != "STL") return not_found();
  id.remove_prefix(3);
  const auto [end, error] = std::from_chars(id.data(), id.data() + id.size(), number);
  if (error != std::errc() || end == id.data() || end == id.data() + id.size() || *end != '-') {
    return not_found();
  }
  PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(number));
  if (!window || std::none_of(window->transfers.begin(), window->transfers.end(),
                              [&](const SettlementTransfer& transfer) {
                                return transfer.end_to_end_id == status.end_to_end_id;
                              })) {
    return not_found();
  }
  return ApplyTransferStatuses(number, {status}, "; pushed pacs.002");
}

Result<SettlementWindow> GatewayImpl::RetrySettlement(const Principal& caller,
                                                      uint64_t window_number) {
  if (caller.role != Role::kAdmin) {
    return absl::PermissionDeniedError(
        StrCat("only ADMIN credentials retry settlements; this one is ", RoleName(caller.role)));
  }
  {
    std::lock_guard<std::mutex> lock(settlement_mu_);
    PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(window_number));
    if (!window) {
      return absl::NotFoundError(
          StrCat("window_number: settlement window ", window_number, " does not exist"));
    }
    if (window->state == SettlementWindowState::kOpen) {
      return absl::FailedPreconditionError(
          StrCat("settlement window ", window_number, " is OPEN; close it first"));
    }
    PAY_ASSIGN_OR_RETURN(SettlementWindow summarized, SummarizeLocked(*std::move(window)));
    WriteSet write_set;
    for (SettlementTransfer& transfer : summarized.transfers) {
      if (transfer.state != TransferState::kRejected && transfer.state != TransferState::kFailed) {
        continue;
      }
      const TransferState from = transfer.state;
      transfer.state = TransferState::kPending;
      transfer.update_time_ms = NowMs();
      write_set.Append(TransferEntry(window_number, transfer, from, caller.credential_id,
                                     StrCat("retry after ", transfer.reason)));
    }
    if (write_set.entry_count() > 0) {
      summarized.state = DeriveState(summarized);
      write_set.Put(Table::kSettlements, WindowKey(window_number),
                    EncodeSettlementWindow(summarized));
      PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
    }
  }
  return SettleWindow(window_number, options_.settlement.wait_ms);
}

Result<size_t> GatewayImpl::RunSettlement(int64_t due_ms) {
  if (due_ms > 0) {
    std::lock_guard<std::mutex> lock(settlement_mu_);
    PAY_ASSIGN_OR_RETURN(SettlementWindow open, CurrentWindow());
    if (open.open_time_ms < due_ms) {
      PAY_ASSIGN_OR_RETURN(SettlementWindow closed, CloseWindowLocked(open, kSystemPrincipal));
      PAY_RETURN_IF_ERROR(SummarizeLocked(std::move(closed)).status());
    }
  }
  // Windows not final, oldest first.
  std::vector<SettlementWindow> unfinished;
  Status decoded;
  PAY_RETURN_IF_ERROR(
      ledger_->Scan(Table::kSettlements, kWindowKeyPrefix, "", false,
                    [&](std::string_view, std::string_view value) {
                      SettlementWindow window;
                      decoded = DecodeSettlementWindow(value, &window);
                      if (!decoded.ok()) return false;
                      if (window.state == SettlementWindowState::kClosed ||
                          window.state == SettlementWindowState::kSettling ||
                          (window.state != SettlementWindowState::kOpen && !window.summarized)) {
                        unfinished.push_back(std::move(window));
                      }
                      return true;
                    }));
  PAY_RETURN_IF_ERROR(decoded);
  size_t still = 0;
  for (const SettlementWindow& window : unfinished) {
    // First the transfers that may have left: resend the recorded message (the bank
    // deduplicates), then settle whatever is still PENDING and follow up.
    std::set<int32_t> attempts;
    for (const SettlementTransfer& transfer : window.transfers) {
      if (transfer.state == TransferState::kSent) attempts.insert(transfer.attempt);
    }
    for (int32_t attempt : attempts) {
      Status resent = SendAttempt(window.number, attempt, /*inquire=*/false);
      (void)resent;  // asked again on the next run
    }
    PAY_ASSIGN_OR_RETURN(SettlementWindow after,
                         SettleWindow(window.number, options_.settlement.wait_ms));
    if (after.state == SettlementWindowState::kClosed ||
        after.state == SettlementWindowState::kSettling) {
      ++still;
    }
  }
  return still;
}

}  // namespace pay::internal
