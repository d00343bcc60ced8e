// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Automatic retry and escalation of owed settlement transfers (docs/settlement.md "Automatic
// retry and escalation"). A REJECTED or FAILED transfer stays owed. payd's maintenance resends it
// by itself, in a new attempt with new ids as RetrySettlement does, after a backoff that doubles
// per automatic retry, but not blindly: a reason that resending to the same account cannot fix
// (a closed account, no treasury account) waits until its treasury account changes, and is
// escalated to a person at once; any other reason is escalated after retry_max automatic
// retries. Escalation is recorded once per transfer: a SETTLEMENT_TRANSFER entry whose state
// does not change and whose detail starts "ESCALATED: ", committed with the window record.

#include <algorithm>
#include <array>

#include "gateway_internal.h"
#include "settlement_records.h"
#include "str_util.h"

namespace pay {

bool IsNonRetryableSettlementReason(std::string_view reason) {
  static constexpr std::array<std::string_view, 9> kCodes = {"AC01",
                                                             "AC04",
                                                             "AC06",
                                                             "AG01",
                                                             "AM03",
                                                             "BE01",
                                                             "RC01",
                                                             "NO_TREASURY_ACCOUNT",
                                                             "NO_SETTLEMENT_CONNECTOR"};
  const std::string_view code = reason.substr(0, reason.find(':'));
  return std::find(kCodes.begin(), kCodes.end(), code) != kCodes.end();
}

namespace internal {
namespace {

// How long after its last rejection a transfer is resent for the `retries + 1`th time.
int64_t BackoffMs(const SettlementOptions& options, int32_t retries) {
  int64_t backoff = std::max<int64_t>(options.retry_backoff_ms, 0);
  for (int32_t i = 0; i < retries && backoff < options.retry_max_backoff_ms; ++i) backoff *= 2;
  return std::min(backoff, options.retry_max_backoff_ms);
}

std::string_view ReasonCode(std::string_view reason) { return reason.substr(0, reason.find(':')); }

}  // namespace

Result<std::vector<SettlementTransfer>> GatewayImpl::RetryOwedSettlementTransfers() {
  const SettlementOptions& options = options_.settlement;
  std::vector<SettlementTransfer> escalated;
  std::vector<uint64_t> resend;
  {
    std::lock_guard<std::mutex> lock(settlement_mu_);
    std::vector<SettlementWindow> owing;
    Status decoded;
    PAY_RETURN_IF_ERROR(ledger_->Scan(
        Table::kSettlements, kWindowKeyPrefix, "", false,
        [&](std::string_view, std::string_view value) {
          SettlementWindow window;
          decoded = DecodeSettlementWindow(value, &window);
          if (!decoded.ok()) return false;
          if (window.summarized && (window.state == SettlementWindowState::kPartiallySettled ||
                                    window.state == SettlementWindowState::kFailed)) {
            owing.push_back(std::move(window));
          }
          return true;
        }));
    PAY_RETURN_IF_ERROR(decoded);
    const int64_t now_ms = NowMs();
    for (SettlementWindow& window : owing) {
      WriteSet write_set;
      bool retrying = false;
      for (SettlementTransfer& transfer : window.transfers) {
        if (transfer.state != TransferState::kRejected &&
            transfer.state != TransferState::kFailed) {
          continue;
        }
        PAY_ASSIGN_OR_RETURN(std::optional<std::string> treasury_bytes,
                             ledger_->Get(Table::kSettlements, TreasuryKey(transfer.account)));
        TreasuryAccount treasury;
        if (treasury_bytes) PAY_RETURN_IF_ERROR(DecodeTreasuryAccount(*treasury_bytes, &treasury));
        // A person set the treasury account after the transfer was refused: try it.
        const bool treasury_changed =
            treasury_bytes.has_value() && treasury.update_time_ms > transfer.update_time_ms;
        const bool fixable = !IsNonRetryableSettlementReason(transfer.reason);
        const bool retries_left = transfer.automatic_retries < options.retry_max;
        const bool due =
            treasury_changed ||
            (fixable && retries_left &&
             now_ms >= transfer.update_time_ms + BackoffMs(options, transfer.automatic_retries));
        const TransferState from = transfer.state;
        if (due) {
          transfer.state = TransferState::kPending;
          ++transfer.automatic_retries;
          transfer.update_time_ms = now_ms;
          write_set.Append(TransferEntry(
              window.number, transfer, from, kSystemPrincipal,
              StrCat("automatic retry ", transfer.automatic_retries, " after ", transfer.reason,
                     treasury_changed ? " (the treasury account changed)" : "")));
          retrying = true;
          continue;
        }
        if (transfer.escalated || (fixable && retries_left)) continue;
        transfer.escalated = true;
        transfer.escalate_time_ms = now_ms;
        transfer.escalation_reason =
            fixable
                ? StrCat("still refused (", transfer.reason, ") after ", transfer.automatic_retries,
                         " automatic retries; retry the window once the cause is fixed")
                : StrCat(ReasonCode(transfer.reason),
                         " cannot be fixed by resending: set the treasury account of ",
                         transfer.account, " (payd then retries by itself) or retry the window");
        write_set.Append(TransferEntry(window.number, transfer, from, kSystemPrincipal,
                                       StrCat("ESCALATED: ", transfer.escalation_reason)));
        escalated.push_back(transfer);
      }
      if (write_set.entry_count() == 0) continue;
      window.state = DeriveState(window);
      write_set.Put(Table::kSettlements, WindowKey(window.number), EncodeSettlementWindow(window));
      PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
      if (retrying) resend.push_back(window.number);
    }
  }
  // Sent outside settlement_mu_; the answers are followed up by RunSettlement's next run.
  for (uint64_t number : resend) {
    PAY_RETURN_IF_ERROR(SettleWindow(number, /*wait_ms=*/0).status());
  }
  return escalated;
}

}  // namespace internal
}  // namespace pay
