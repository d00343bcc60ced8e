// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Confirmation of settlement transfers against the collection account's statement (camt.053;
// docs/settlement.md "Confirmation against the statement"). A pacs.002 ACSC says the bank
// settled a transfer; the statement says what it booked. Each ACCEPTED transfer is looked up by
// its EndToEndId among the statement's debits: the same amount and currency confirms it (a
// SETTLEMENT_TRANSFER entry whose state does not change, detail "CONFIRMED ..."); another
// amount, or no line once confirm_grace_ms has passed since acceptance, is a DISCREPANCY entry
// for people to look at. Either is recorded once, with the window record, in one write; the
// transfer's state and postings are not changed (the statement is evidence, not an outcome).

#include <algorithm>
#include <map>
#include <set>

#include "awaited.h"
#include "gateway_internal.h"
#include "settlement_records.h"
#include "str_util.h"

namespace pay::internal {
namespace {

// What the statement shows under one EndToEndId: the sum of its debits (positive) and the first
// line's reference and booking time.
struct Booked {
  std::string currency;
  int64_t debited_minor = 0;
  std::string reference;
  int64_t booking_time_ms = 0;
  bool mixed_currencies = false;
};

// A statement is fetched again at least this often while a transfer is unconfirmed.
constexpr int64_t kStatementPollMs = 10 * 60'000;

bool Unconfirmed(const SettlementTransfer& transfer) {
  return transfer.state == TransferState::kAccepted &&
         transfer.confirmation == TransferConfirmation::kUnconfirmed;
}

}  // namespace

Result<SettlementConfirmation> GatewayImpl::ConfirmSettlementTransfers() {
  const SettlementOptions& options = options_.settlement;
  SettlementConfirmation result;
  if (options.connector.empty()) return result;
  // Which windows have something to confirm, and since when. The statement is fetched when a
  // transfer was accepted or its grace period ended since the last fetch, or kStatementPollMs
  // after it: a bank whose statement lags is not asked every tick for a day and a half.
  const int64_t now_ms = NowMs();
  const int64_t last_fetch_ms = last_statement_fetch_ms_.load();
  bool due = now_ms - last_fetch_ms >= kStatementPollMs;
  std::vector<uint64_t> windows;
  int64_t oldest_ms = 0;
  size_t waiting = 0;
  Status decoded;
  auto visit = [&](std::string_view, std::string_view value) {
    SettlementWindow window;
    decoded = DecodeSettlementWindow(value, &window);
    if (!decoded.ok()) return false;
    bool any = false;
    for (const SettlementTransfer& transfer : window.transfers) {
      if (!Unconfirmed(transfer)) continue;
      any = true;
      ++waiting;
      if (oldest_ms == 0 || transfer.update_time_ms < oldest_ms) {
        oldest_ms = transfer.update_time_ms;
      }
      const int64_t grace_end_ms = transfer.update_time_ms + options.confirm_grace_ms;
      if (transfer.update_time_ms >= last_fetch_ms ||
          (grace_end_ms > last_fetch_ms && grace_end_ms <= now_ms)) {
        due = true;
      }
    }
    if (any) windows.push_back(window.number);
    return true;
  };
  PAY_RETURN_IF_ERROR(ledger_->Scan(Table::kSettlements, kWindowKeyPrefix, "", false, visit));
  PAY_RETURN_IF_ERROR(decoded);
  if (windows.empty()) return result;
  if (!due) {
    result.unconfirmed = waiting;
    return result;
  }

  ConnectorSlot* slot = FindConnector(options.connector);
  if (slot == nullptr) {
    return absl::FailedPreconditionError(
        StrCat("settlement connector \"", options.connector, "\" is not configured"));
  }
  const int64_t from_ms = std::max<int64_t>(oldest_ms - options.confirm_lookback_ms, 0);
  auto answer = std::make_shared<Awaited<Result<connector::Statement>>>();
  slot->connector->FetchStatement(
      from_ms, now_ms + 1,
      [answer](Result<connector::Statement> statement) { answer->Set(std::move(statement)); });
  std::optional<Result<connector::Statement>> fetched = answer->WaitFor(options_.collect_wait_ms);
  if (!fetched) {
    return absl::DeadlineExceededError(
        StrCat(options.connector, " did not deliver the collection account's statement in time"));
  }
  PAY_ASSIGN_OR_RETURN(connector::Statement statement, *std::move(fetched));
  last_statement_fetch_ms_.store(now_ms);
  std::map<std::string, Booked, std::less<>> booked;
  for (const connector::StatementLine& line : statement.lines) {
    if (line.end_to_end_id.empty() || line.amount.minor_units() >= 0) continue;
    Booked& entry = booked[line.end_to_end_id];
    if (entry.reference.empty()) {
      entry.currency = std::string(line.amount.currency());
      entry.reference = line.connector_reference;
      entry.booking_time_ms = line.booking_time_ms;
    }
    if (entry.currency != line.amount.currency()) entry.mixed_currencies = true;
    entry.debited_minor -= line.amount.minor_units();
  }

  std::lock_guard<std::mutex> lock(settlement_mu_);
  for (uint64_t number : windows) {
    PAY_ASSIGN_OR_RETURN(std::optional<SettlementWindow> window, LoadWindow(number));
    if (!window) continue;
    WriteSet write_set;
    for (SettlementTransfer& transfer : window->transfers) {
      if (!Unconfirmed(transfer)) continue;
      auto found = booked.find(transfer.end_to_end_id);
      std::string kind;
      if (found != booked.end()) {
        const Booked& line = found->second;
        transfer.statement_reference = line.reference;
        if (!line.mixed_currencies) {
          Result<Money> amount = Money::Create(line.currency, line.debited_minor);
          if (amount.ok()) transfer.booked_amount = *amount;
        }
        transfer.confirm_time_ms = now_ms;
        if (!line.mixed_currencies && transfer.booked_amount == transfer.amount) {
          transfer.confirmation = TransferConfirmation::kConfirmed;
          write_set.Append(
              TransferEntry(number, transfer, transfer.state, kSystemPrincipal,
                            StrCat("CONFIRMED on the collection account's statement (entry ",
                                   line.reference, ", booked at ", line.booking_time_ms, " ms)")));
          ++result.confirmed;
          continue;
        }
        kind = "SETTLEMENT_AMOUNT_MISMATCH";
        transfer.discrepancy =
            line.mixed_currencies
                ? StrCat("the statement booked it in several currencies (entry ", line.reference,
                         "), not ", transfer.amount.ToString())
                : StrCat("the statement booked ", transfer.booked_amount.ToString(), " (entry ",
                         line.reference, "), not ", transfer.amount.ToString(),
                         " as the bank reported settled");
      } else if (now_ms - transfer.update_time_ms >= options.confirm_grace_ms) {
        kind = "SETTLEMENT_NOT_ON_STATEMENT";
        transfer.confirm_time_ms = now_ms;
        transfer.discrepancy = StrCat("the bank reported it settled (", transfer.bank_reference,
                                      ") but the collection account's statement has no debit "
                                      "under this EndToEndId ",
                                      (now_ms - transfer.update_time_ms) / 1000, " s later");
      } else {
        ++result.unconfirmed;
        continue;
      }
      transfer.confirmation = TransferConfirmation::kDiscrepancy;
      PAY_RETURN_IF_ERROR(AppendDiscrepancy(&write_set, transfer.agency_id, kind,
                                            transfer.end_to_end_id, WindowSubject(number),
                                            transfer.amount, transfer.discrepancy)
                              .status());
      result.discrepancies.push_back(StrCat(kind, " ", transfer.end_to_end_id, " (window ", number,
                                            ", ", transfer.account, "): ", transfer.discrepancy));
    }
    if (write_set.entry_count() == 0) continue;
    write_set.Put(Table::kSettlements, WindowKey(number), EncodeSettlementWindow(*window));
    PAY_RETURN_IF_ERROR(ledger_->Commit(std::move(write_set)).status());
  }
  return result;
}

}  // namespace pay::internal
