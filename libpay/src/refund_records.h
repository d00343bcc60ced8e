// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Stored refunds and refund policies (Table::kRefunds) and their byte encodings (coding.h). Like
// every record they start with a format version byte; fields added later go at the end and are
// optional on read.

#ifndef PAY_SRC_REFUND_RECORDS_H_
#define PAY_SRC_REFUND_RECORDS_H_

#include <string>
#include <string_view>
#include <vector>

#include "ledger.h"
#include "pay/ledger_entry.h"
#include "pay/refund.h"
#include "pay/status.h"

namespace pay::internal {

std::string EncodeRefund(const Refund& refund);
Status DecodeRefund(std::string_view bytes, Refund* refund);

std::string EncodeRefundPolicy(const RefundPolicy& policy);
Status DecodeRefundPolicy(std::string_view bytes, RefundPolicy* policy);

// The kRefunds key of an agency's policy. Refund ids start with "rfd_", so the two never meet.
std::string RefundPolicyKey(std::string_view agency_id);

// Listing indexes of refunds in Table::kIndex (see gateway_internal.h for the key shape).
inline constexpr std::string_view kRefundsByPayment = "rp";
inline constexpr std::string_view kRefundsByAgency = "ra";
// Refunds PROCESSING: "ir" NUL refund_id, removed when the outcome is recorded.
inline constexpr std::string_view kRefundsInFlight = "ir";
std::string RefundInFlightKey(std::string_view refund_id);

// True for "suspense/<connector>" accounts (money owed back).
bool IsSuspenseAccount(std::string_view account);

// Each collected account's share of a refunded total `total` of a payment whose collection
// credited `collected` (positive amounts summing to the payment's amount; docs/ledger-format.md
// "Refund postings"): the suspense accounts first, in order, up to their amounts; the rest R over
// the other accounts proportionally, floor(R * a_i / N) with N their sum, the remainder to the
// first of them. The shares sum to `total`; for the whole amount they are the collected amounts,
// so a full refund reverses the collection exactly. A refund from T0 to T1 debits
// share(T1) - share(T0). 0 <= total <= the payment's amount.
std::vector<int64_t> RefundShares(const std::vector<Posting>& collected, int64_t total);

// A refund's ledger entry (agency chain; subject: refund id, related: payment id): REFUND_CREATED
// without `from`, else REFUND_STATE_CHANGED. amount: the refund's.
LedgerEntry RefundEntry(const Refund& refund, std::string_view principal,
                        std::optional<RefundState> from, RefundState to, std::string detail);
// Puts the record stamped with the sequence of the write set's entry `entry_index`.
void PutRefund(WriteSet* write_set, const Refund& refund, size_t entry_index);

}  // namespace pay::internal

#endif  // PAY_SRC_REFUND_RECORDS_H_
