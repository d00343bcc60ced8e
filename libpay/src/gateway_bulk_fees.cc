// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// FeeService.CreateFees: a directorate's back office issues a batch of fees (annual property and
// vehicle fees, by the hundred thousand) as one ledger write. Each fee is issued exactly as
// CreateFee issues it (NewFee, AppendFeeCreated); what differs is the batching of everything
// around it:
// - one MultiGet for the batch's idempotency records and one for its bill numbers, instead of a
//   read per fee;
// - the stripes of every key of the batch locked once, in stripe order (LockTable::LockAll);
// - the fee ids drawn from the CSPRNG once per batch, the bill numbers from its per-thread buffer;
// - one WriteSet, hence one synced RocksDB write, for the whole batch (the ledger puts every
//   commit group's records in key order, which RocksDB's memtable inserts several times faster).
// The batch is all or nothing: the first bad item fails it before anything is written.

#include <map>
#include <unordered_map>
#include <unordered_set>

#include "coding.h"
#include "fee_catalogue.h"
#include "gateway_internal.h"
#include "pay/bill_number.h"
#include "str_util.h"

namespace pay::internal {
namespace {

// Draws of a whole batch's bill numbers before giving up; one redraw is already astronomically
// rare (15 random digits).
constexpr int kBatchBillNumberAttempts = 8;
constexpr size_t kFeeIdRandomBytes = 10;  // "fee_" + 20 hex digits, as CreateFee
constexpr size_t kNoItem = static_cast<size_t>(-1);

// `status` of item `index`: its message prefixed with the item's path, "fees[3].amount: ...".
Status ItemError(size_t index, const Status& status) {
  return Status(status.code(), StrCat("fees[", index, "].", status.message()));
}

// What the first pass decided for each item of a batch.
struct BatchPlan {
  // The fee id an earlier call issued for the item's key (a replay), else empty.
  std::vector<std::string> replay_fee_ids;
  // The earlier item of this batch with the same key and fields, else kNoItem.
  std::vector<size_t> same_as;
  // Items that issue a new fee, in request order.
  std::vector<size_t> new_items;
};

// Everything about a batch that needs neither the store nor the locks: each request valid and
// with a key; its fingerprint and the key's storage key (of `credential_id`).
Status ValidateBatch(const std::vector<CreateFeeRequest>& requests, std::string_view credential_id,
                     std::vector<std::string>* fingerprints,
                     std::vector<std::string>* storage_keys) {
  fingerprints->resize(requests.size());
  storage_keys->resize(requests.size());
  for (size_t i = 0; i < requests.size(); ++i) {
    const CreateFeeRequest& request = requests[i];
    if (request.idempotency_key.empty()) {
      return absl::InvalidArgumentError(
          StrCat("fees[", i,
                 "].idempotency_key: required in a batch (so that a retried batch replays "
                 "its fees instead of issuing them again)"));
    }
    if (Status valid = ValidateCreateFee(request); !valid.ok()) return ItemError(i, valid);
    (*fingerprints)[i] = FeeFingerprint(request);
    (*storage_keys)[i] = IdempotencyKeyFor(credential_id, "fee", request.idempotency_key);
  }
  return absl::OkStatus();
}

// Decides, under the batch's locks, what each item is: a replay of the fee its key issued before
// (`records`: the stored idempotency records, nullopt where none), a repeat of an earlier item of
// the batch, or a new fee (whose times are then checked against the clock).
Status PlanBatch(const std::vector<CreateFeeRequest>& requests,
                 const std::vector<std::string>& fingerprints,
                 const std::vector<std::string>& storage_keys,
                 const std::vector<std::optional<std::string>>& records, int64_t now_ms,
                 int64_t retention_ms, BatchPlan* plan) {
  const size_t count = requests.size();
  plan->replay_fee_ids.resize(count);
  plan->same_as.assign(count, kNoItem);
  std::unordered_map<std::string_view, size_t> first_with_key;
  for (size_t i = 0; i < count; ++i) {
    if (records[i]) {
      IdempotencyRecord record;
      PAY_RETURN_IF_ERROR(DecodeIdempotency(*records[i], &record));
      // Past the retention period the key is forgotten (as LoadIdempotency forgets it).
      if (now_ms - record.create_time_ms <= retention_ms) {
        if (record.fingerprint != fingerprints[i]) {
          return absl::AlreadyExistsError(
              StrCat("fees[", i, "].idempotency_key: \"", requests[i].idempotency_key,
                     "\" was already used for a different fee request (", record.resource_id, ")"));
        }
        plan->replay_fee_ids[i] = std::move(record.resource_id);
        continue;
      }
    }
    auto [first, inserted] = first_with_key.emplace(storage_keys[i], i);
    if (!inserted) {
      if (fingerprints[first->second] != fingerprints[i]) {
        return absl::AlreadyExistsError(
            StrCat("fees[", i, "].idempotency_key: \"", requests[i].idempotency_key,
                   "\" is also the key of fees[", first->second, "], with other fields"));
      }
      plan->same_as[i] = first->second;
      continue;
    }
    if (Status times = ValidateFeeTimes(requests[i], now_ms); !times.ok()) {
      return ItemError(i, times);
    }
    plan->new_items.push_back(i);
  }
  return absl::OkStatus();
}

}  // namespace

Result<CreateFeesResult> GatewayImpl::CreateFees(const Principal& caller,
                                                 const std::vector<CreateFeeRequest>& requests) {
  if (caller.role != Role::kAgency) {
    return absl::PermissionDeniedError(
        StrCat("only AGENCY credentials may issue fees; this one is ", RoleName(caller.role)));
  }
  const size_t count = requests.size();
  if (count == 0) return absl::InvalidArgumentError("fees: a batch needs at least one fee");
  if (count > kMaxFeesPerBatch) {
    return absl::InvalidArgumentError(
        StrCat("fees: at most ", kMaxFeesPerBatch, " fees per batch, this one has ", count));
  }
  const std::string& agency_id = caller.agency_ids.at(0);
  const int64_t now_ms = NowMs();

  std::vector<std::string> fingerprints;
  std::vector<std::string> storage_keys;
  PAY_RETURN_IF_ERROR(ValidateBatch(requests, caller.credential_id, &fingerprints, &storage_keys));

  for (int attempt = 0; attempt < kBatchBillNumberAttempts; ++attempt) {
    std::vector<std::string> bill_numbers = GenerateBillNumbers(count);
    std::vector<std::string> lock_keys = storage_keys;
    for (const std::string& bill_number : bill_numbers) lock_keys.push_back("bill:" + bill_number);
    LockTable::Guard guard = locks_.LockAll(lock_keys);

    // Which keys issued a fee before (one read for the batch).
    PAY_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> records,
                         ledger_->MultiGet(Table::kIdempotency, storage_keys));
    BatchPlan plan;
    PAY_RETURN_IF_ERROR(PlanBatch(requests, fingerprints, storage_keys, records, now_ms,
                                  options_.idempotency_retention_ms, &plan));

    // The new fees' bill numbers must be unused, in the store and within the batch.
    std::vector<std::string> new_bills;
    new_bills.reserve(plan.new_items.size());
    std::unordered_set<std::string_view> distinct;
    bool collision = false;
    for (size_t i : plan.new_items) {
      new_bills.push_back(bill_numbers[i]);
      collision |= !distinct.insert(bill_numbers[i]).second;
    }
    if (collision) continue;  // astronomically rare: draw the batch's numbers again
    PAY_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> taken,
                         ledger_->MultiGet(Table::kBills, new_bills));
    for (const std::optional<std::string>& fee_id : taken) collision |= fee_id.has_value();
    if (collision) continue;

    // The fees, built and recorded exactly as CreateFee builds and records one.
    CreateFeesResult result;
    result.fees.resize(count);
    std::map<std::string, std::optional<FeeType>, std::less<>> fee_types;  // by code
    const std::string fee_id_hex = RandomHex(kFeeIdRandomBytes * plan.new_items.size());
    WriteSet write_set;
    for (size_t n = 0; n < plan.new_items.size(); ++n) {
      const size_t i = plan.new_items[n];
      const std::string& code = requests[i].fee_type_code;
      auto fee_type = fee_types.find(code);
      if (fee_type == fee_types.end()) {
        std::optional<FeeType> loaded;
        if (!code.empty()) {
          PAY_ASSIGN_OR_RETURN(loaded, LoadFeeType(agency_id, code));
        }
        fee_type = fee_types.emplace(code, std::move(loaded)).first;
      }
      Result<Fee> fee = NewFee(requests[i], agency_id, fee_type->second, now_ms);
      if (!fee.ok()) return ItemError(i, fee.status());
      fee->fee_id = StrCat(
          "fee_",
          std::string_view(fee_id_hex).substr(n * kFeeIdRandomBytes * 2, kFeeIdRandomBytes * 2));
      fee->bill_number = std::move(bill_numbers[i]);
      AppendFeeCreated(&write_set, *fee, caller.credential_id, storage_keys[i], fingerprints[i]);
      result.fees[i] = *std::move(fee);
    }
    result.created = plan.new_items.size();
    result.issued_now.assign(count, false);
    for (size_t i : plan.new_items) result.issued_now[i] = true;
    if (result.created > 0) {
      PAY_ASSIGN_OR_RETURN(result.ledger_sequence, ledger_->Commit(std::move(write_set)));
      // The batch's entries are consecutive, in the order of new_items.
      uint64_t sequence = result.ledger_sequence + 1 - result.created;
      for (size_t i : plan.new_items) result.fees[i].ledger_sequence = sequence++;
    } else {
      result.ledger_sequence = ledger_->LastSequence();
    }

    // Replays return the fee as it stands now (as CreateFee's replay does).
    std::vector<std::string> replay_ids;
    std::vector<size_t> replay_items;
    for (size_t i = 0; i < count; ++i) {
      if (plan.replay_fee_ids[i].empty()) continue;
      replay_ids.push_back(plan.replay_fee_ids[i]);
      replay_items.push_back(i);
    }
    PAY_ASSIGN_OR_RETURN(std::vector<std::optional<std::string>> stored,
                         ledger_->MultiGet(Table::kFees, replay_ids));
    for (size_t n = 0; n < replay_items.size(); ++n) {
      if (!stored[n])
        return absl::DataLossError("idempotency record names a fee that is not stored");
      PAY_RETURN_IF_ERROR(DecodeFee(*stored[n], &result.fees[replay_items[n]]));
    }
    for (size_t i = 0; i < count; ++i) {
      if (plan.same_as[i] != kNoItem) result.fees[i] = result.fees[plan.same_as[i]];
    }
    return result;
  }
  return absl::UnavailableError("could not draw unused bill numbers for the batch; retry");
}

}  // namespace pay::internal
