// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// LedgerService: exporting entries to auditors, and checkpoints.

#include <algorithm>

#include "gateway_internal.h"
#include "str_util.h"

namespace pay::internal {

std::string ClearingAccount(std::string_view connector) {
  return StrCat("clearing/", connector);
}

std::string RevenueAccount(std::string_view agency_id) { return StrCat("revenue/", agency_id); }

std::vector<Posting> CollectedPostings(const Payment& payment) {
  if (!payment.revenue_postings.empty()) return payment.revenue_postings;
  return {{payment.refund_due ? SuspenseAccount(payment.connector)
                              : RevenueAccount(payment.agency_id),
           payment.amount}};
}

Status GatewayImpl::ExportLedger(const Principal& caller, const ExportFilter& filter,
                                 const std::function<bool(const LedgerEntry&)>& visit) const {
  if (caller.role != Role::kAuditor) {
    return absl::PermissionDeniedError(
        StrCat("only AUDITOR credentials export the ledger; this one is ", RoleName(caller.role)));
  }
  const bool everything = std::find(caller.agency_ids.begin(), caller.agency_ids.end(),
                                    kAllAgencies) != caller.agency_ids.end();
  if (!filter.agency_id.empty() && !caller.CanRead(filter.agency_id)) {
    return absl::PermissionDeniedError(
        StrCat("agency_id: this credential may not audit agency \"", filter.agency_id, "\""));
  }
  if (filter.from_time_ms < 0 || filter.to_time_ms < 0) {
    return absl::InvalidArgumentError("time range: must not be before 1970");
  }
  auto wanted = [&](const LedgerEntry& entry) {
    if (filter.from_time_ms != 0 && entry.time_ms < filter.from_time_ms) return false;
    if (entry.type == EntryType::kCheckpoint) return true;
    if (!filter.agency_id.empty()) return entry.agency_id == filter.agency_id;
    if (entry.agency_id.empty()) return everything;
    return caller.CanRead(entry.agency_id);
  };
  return ledger_->ReadEntries(std::max<uint64_t>(filter.from_sequence, 1),
                              [&](const LedgerEntry& entry) {
                                if (filter.to_time_ms != 0 && entry.time_ms >= filter.to_time_ms) {
                                  return false;  // times never decrease: nothing later matches
                                }
                                return !wanted(entry) || visit(entry);
                              });
}

Result<LedgerEntry> GatewayImpl::GetCheckpoint(const Principal& caller) const {
  if (caller.role != Role::kAuditor && caller.role != Role::kAdmin) {
    return absl::PermissionDeniedError(
        StrCat("only AUDITOR and ADMIN credentials read checkpoints; this one is ",
               RoleName(caller.role)));
  }
  const uint64_t sequence = ledger_->LastCheckpointSequence();
  if (sequence == 0) return absl::NotFoundError("no checkpoint has been written yet");
  std::optional<LedgerEntry> found;
  PAY_RETURN_IF_ERROR(ledger_->ReadEntries(sequence, [&](const LedgerEntry& entry) {
    found = entry;
    return false;
  }));
  if (!found || found->type != EntryType::kCheckpoint) {
    return absl::DataLossError(StrCat("entry ", sequence, " should be a checkpoint"));
  }
  return *std::move(found);
}

Result<LedgerEntry> GatewayImpl::AppendCheckpoint() {
  std::lock_guard<std::mutex> lock(checkpoint_mu_);
  const uint64_t last = ledger_->LastCheckpointSequence();
  if (last != 0 && last == ledger_->LastSequence()) {
    Principal system{std::string(kSystemPrincipal), Role::kAdmin, {}};
    return GetCheckpoint(system);  // nothing new to cover
  }
  WriteSet write_set;
  write_set.AppendCheckpoint();
  PAY_ASSIGN_OR_RETURN(uint64_t sequence, ledger_->Commit(std::move(write_set)));
  std::optional<LedgerEntry> written;
  PAY_RETURN_IF_ERROR(ledger_->ReadEntries(sequence, [&](const LedgerEntry& entry) {
    written = entry;
    return false;
  }));
  if (!written) return absl::InternalError("the checkpoint just written cannot be read");
  return *std::move(written);
}

}  // namespace pay::internal
