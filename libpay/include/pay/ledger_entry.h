// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Ledger entries: the tamper-evident record of every state change, as an auditor receives them.
//
// Every entry carries the hash of the entry before it (the global chain) and, when it belongs to
// an agency, the hash of that agency's previous entry (the agency chain). Checkpoint entries,
// signed with the gateway's Ed25519 key, fix the head of the global chain, the head of every
// agency chain and every account balance at a sequence number. So a full export can be verified
// link by link, and an export filtered to one agency can be verified along its agency chain
// against the signed heads. docs/ledger-format.md specifies the byte encoding.
//
// Money-moving entries carry double-entry postings: debits are positive, credits negative, and
// the postings of one entry sum to zero in each currency.

#ifndef PAY_LEDGER_ENTRY_H_
#define PAY_LEDGER_ENTRY_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "pay/money.h"
#include "pay/status.h"

namespace pay {

// What an entry records. Numeric values are stored and hashed: never renumber, only append.
enum class EntryType : uint8_t {
  kAgencyCreated = 1,
  kCredentialCreated = 2,
  kCredentialRevoked = 3,
  kFeeCreated = 4,
  kFeeStateChanged = 5,
  kPaymentCreated = 6,
  kPaymentStateChanged = 7,
  kCheckpoint = 8,
  // A difference between what a provider says and what the ledger holds (a contradicting
  // outcome, a credit for an unknown or already paid bill, a statement line without a payment).
  // Recorded for people to resolve, never applied silently. detail: "KIND: explanation".
  kDiscrepancy = 9,
  // The amount due of a fee changed without money moving: a late penalty (detail "PENALTY: ...")
  // or a waiver by an approver (detail "WAIVER: <reason>"). amount: the change, always positive;
  // from_state/to_state: the fee's state. No postings (nothing was collected yet).
  kFeeAdjusted = 10,
  // A refund of a payment was requested (subject: refund id, related: payment id).
  kRefundCreated = 11,
  // A refund changed state (approved, rejected, sent, succeeded, failed). The SUCCEEDED change
  // carries the postings that move the money back.
  kRefundStateChanged = 12,
  // An agency defined a new version of a fee type (subject: "<code>@<version>"; detail: the
  // version's terms in canonical JSON). Fees issued under it cite it.
  kFeeTypeDefined = 13,
  // A settlement window was closed (subject: "window-<n>"; docs/settlement.md). Window n holds
  // the entries from its first sequence up to this one; window n + 1 opens right after it, in
  // the same write. No postings.
  kSettlementWindowClosed = 14,
  // A settlement transfer changed state (subject: its EndToEndId, related: "window-<n>";
  // from_state/to_state: pay::TransferState). The ACCEPTED change carries the postings that move
  // the amount from clearing/<bank connector> to settled/<revenue account suffix>.
  kSettlementTransfer = 15,
};

std::string_view EntryTypeName(EntryType type);  // "FEE_CREATED", ...
std::optional<EntryType> EntryTypeFromName(std::string_view name);

inline constexpr size_t kHashBytes = 32;  // BLAKE2b-256

// One leg of a double-entry posting. `amount` is signed: debit > 0, credit < 0.
struct Posting {
  std::string account;  // see README "Chart of accounts": "clearing/sandbox", "revenue/passports"
  Money amount;
  friend bool operator==(const Posting&, const Posting&) = default;
};

struct AgencyHead {
  std::string agency_id;
  std::string head_hash;  // hash of the agency's newest entry at the checkpoint
  uint64_t entry_count = 0;
  friend bool operator==(const AgencyHead&, const AgencyHead&) = default;
};

struct AccountBalance {
  std::string account;
  Money balance;  // sum of all postings to the account in that currency
  friend bool operator==(const AccountBalance&, const AccountBalance&) = default;
};

// What a checkpoint entry signs: the state of the ledger after entry `covered_sequence`.
struct Checkpoint {
  uint64_t covered_sequence = 0;
  std::string head_hash;                  // hash of entry covered_sequence
  std::vector<AgencyHead> agency_heads;   // sorted by agency_id
  std::vector<AccountBalance> balances;   // sorted by account, then currency
  std::string public_key;                 // Ed25519, 32 bytes: which key signed
  std::string signature;                  // Ed25519 over CheckpointSigningBytes, 64 bytes
  friend bool operator==(const Checkpoint&, const Checkpoint&) = default;
};

// One state change. States are the numeric values of PaymentState / FeeState (0: none).
struct LedgerEntry {
  uint64_t sequence = 0;  // gap-free, from 1
  int64_t time_ms = 0;    // commit time, Unix ms, never decreasing
  EntryType type = EntryType::kFeeCreated;
  std::string agency_id;     // the agency whose data changed ("" for gateway-wide entries)
  std::string subject_id;    // fee, payment, agency or credential id
  std::string related_id;    // payment of a fee change, fee of a payment change
  std::string principal_id;  // credential that caused it ("system" for payd itself)
  uint8_t from_state = 0;
  uint8_t to_state = 0;
  Money amount;        // empty when no money is involved
  std::string detail;  // reason, failure code, connector reference
  std::vector<Posting> postings;
  std::string prev_hash;         // hash of entry sequence-1 (32 zero bytes for entry 1)
  std::string agency_prev_hash;  // hash of this agency's previous entry (zeros for its first;
                                 // empty when agency_id is empty)
  std::optional<Checkpoint> checkpoint;  // set exactly when type == kCheckpoint

  friend bool operator==(const LedgerEntry&, const LedgerEntry&) = default;
};

// The canonical bytes of an entry (docs/ledger-format.md). One entry has exactly one encoding.
std::string EncodeEntry(const LedgerEntry& entry);
// Inverse of EncodeEntry; kDataLoss on malformed bytes or bytes that are not canonical.
Status DecodeEntry(std::string_view bytes, LedgerEntry* entry);

// BLAKE2b-256 over "pay.ledger.entry.v1" and EncodeEntry(entry): the link of both chains.
std::string EntryHash(const LedgerEntry& entry);

// The same hash from the entry's encoding (bytes DecodeEntry accepted, which are canonical), so
// that a reader of stored entries does not encode each one again; replaces *hash with the 32
// bytes, reusing its storage.
void EntryHashOfEncoding(std::string_view encoding, std::string* hash);

// The bytes an Ed25519 checkpoint signature covers: a domain tag, the checkpoint's time and
// everything in `checkpoint` but the signature.
std::string CheckpointSigningBytes(const Checkpoint& checkpoint, int64_t time_ms);

// Checks that the postings of one entry balance: per currency, the amounts sum to zero, without
// overflow, and every account is named. kInvalidArgument naming the currency otherwise.
Status CheckPostingsBalance(const std::vector<Posting>& postings);

// Ed25519 signature check of a checkpoint entry with `public_key` (32 raw bytes).
bool VerifyCheckpointSignature(const LedgerEntry& entry, std::string_view public_key);

}  // namespace pay

#endif  // PAY_LEDGER_ENTRY_H_
