// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "crash_verify.h"

#include <algorithm>
#include <atomic>
#include <set>
#include <sstream>
#include <thread>
#include <utility>

#include "payd_test_base.h"

namespace pay::integration::crash {
namespace {

// Lines of payd.log quoted per finding, and characters per line.
constexpr size_t kLogLinesQuoted = 3;
constexpr size_t kLogLineChars = 300;
// Page size of the total listings, and pages allowed beyond what the keys need.
constexpr int32_t kListPageSize = 1000;
constexpr int64_t kSparePages = 10;
constexpr std::chrono::milliseconds kOutcomePollInterval{100};

std::string Describe(const grpc::Status& status) {
  return StatusCodeName(status.error_code()) + " \"" + status.error_message() + "\"";
}

std::string StateName(v1::Payment::State state) { return v1::Payment::State_Name(state); }

// The one check of a payment's outcome: SUCCEEDED is expected; an acknowledged SUCCEEDED that is
// gone is lost money-safety; a PROCESSING that never resolved is lost liveness.
void CheckOutcome(const ItemRecord& record, const v1::Payment& read, const Evidence& evidence,
                  Findings* findings) {
  if (read.state() == v1::Payment::SUCCEEDED) return;
  const std::string what = record.item.payment_key + " -> " + record.payment_id + " is " +
                           StateName(read.state()) + " (acknowledged " +
                           StateName(record.payment_state) + "); " +
                           DescribeEvidence(record, record.payment_id, evidence);
  if (record.acknowledged_succeeded) {
    findings->Add(FindingKind::kOutcomeLost, what);
  } else if (read.state() == v1::Payment::PROCESSING) {
    findings->Add(FindingKind::kStuckProcessing, what);
  } else {
    findings->Add(FindingKind::kOutcomeLost, "expected SUCCEEDED: " + what);
  }
}

void VerifyFeeKey(const RetryingClient& client, const ItemRecord& record, Findings* findings) {
  v1::Fee fee;
  const grpc::Status status = client.CreateFee(record.item.fee_request, &fee);
  if (!status.ok()) {
    findings->Add(FindingKind::kFeeLost, record.item.fee_key + " (acknowledged as " +
                                             record.fee_id + "): retry answered " +
                                             Describe(status));
  } else if (fee.fee_id() != record.fee_id) {
    findings->Add(FindingKind::kFeeLost, record.item.fee_key + " acknowledged as " + record.fee_id +
                                             ", retry returned " + fee.fee_id());
  }
}

// The fee of a payment: PAID by it when it SUCCEEDED, never PAID by another one.
void VerifyFeeOfPayment(const RetryingClient& client, const ItemRecord& record,
                        const v1::Payment& read, Findings* findings) {
  v1::Fee fee;
  const grpc::Status status = client.GetFee(record.fee_id, &fee);
  if (!status.ok()) {
    findings->Add(FindingKind::kFeeLost, "GetFee(" + record.fee_id + ") of " + record.item.fee_key +
                                             ": " + Describe(status));
    return;
  }
  if (fee.state() == v1::Fee::PAID && fee.paid_by_payment_id() != record.payment_id) {
    findings->Add(FindingKind::kPaidTwice,
                  record.fee_id + " is PAID by " + fee.paid_by_payment_id() + ", but " +
                      record.item.payment_key + " acknowledged " + record.payment_id);
  } else if (read.state() == v1::Payment::SUCCEEDED && fee.state() != v1::Fee::PAID) {
    findings->Add(FindingKind::kFeeNotPaid, record.fee_id + " is " +
                                                v1::Fee::State_Name(fee.state()) + " but " +
                                                record.payment_id + " SUCCEEDED");
  }
}

// The fee has exactly one payment: the acknowledged one.
void VerifyOnlyPayment(const RetryingClient& client, const ItemRecord& record, Findings* findings) {
  v1::ListPaymentsRequest request;
  request.set_fee_id(record.fee_id);
  request.set_page_size(10);
  std::vector<std::string> ids;
  for (int page = 0; page < 10; ++page) {
    v1::ListPaymentsResponse response;
    const grpc::Status status = client.ListPayments(request, &response);
    if (!status.ok()) {
      findings->Add(FindingKind::kVerificationError,
                    "ListPayments(fee_id=" + record.fee_id + "): " + Describe(status));
      return;
    }
    for (const v1::Payment& payment : response.payments()) ids.push_back(payment.payment_id());
    if (response.next_page_token().empty()) break;
    request.set_page_token(response.next_page_token());
  }
  if (ids.size() == 1 && ids[0] == record.payment_id) return;
  std::ostringstream listed;
  for (const std::string& id : ids) listed << " " << id;
  findings->Add(ids.size() > 1 ? FindingKind::kPaidTwice : FindingKind::kPaymentLost,
                record.fee_id + " (" + record.item.fee_key + ") has " + std::to_string(ids.size()) +
                    " payment(s):" + listed.str() + "; " + record.item.payment_key +
                    " acknowledged " + record.payment_id);
}

void VerifyItem(const RetryingClient& client, const ItemRecord& record, const Evidence& evidence,
                Findings* findings) {
  VerifyFeeKey(client, record, findings);
  // Workers retry until acknowledged; an item without a payment is already a worker error.
  if (record.payment_id.empty()) return;

  v1::Payment replay;
  grpc::Status status =
      client.CreatePayment(MakePaymentRequest(record.item, record.bill_number), &replay);
  if (!status.ok()) {
    findings->Add(FindingKind::kPaymentLost, record.item.payment_key + " (acknowledged as " +
                                                 record.payment_id + "): retry answered " +
                                                 Describe(status));
  } else if (replay.payment_id() != record.payment_id) {
    findings->Add(FindingKind::kPaymentLost, record.item.payment_key + " acknowledged as " +
                                                 record.payment_id + ", retry returned " +
                                                 replay.payment_id());
  }

  v1::Payment read;
  status = client.GetPayment(record.payment_id, &read);
  if (!status.ok()) {
    findings->Add(FindingKind::kPaymentLost, "GetPayment(" + record.payment_id + ") of " +
                                                 record.item.payment_key + ": " + Describe(status));
    return;
  }
  if (read.fee_id() != record.fee_id || read.idempotency_key() != record.item.payment_key) {
    findings->Add(FindingKind::kPaymentLost, record.payment_id + " names fee " + read.fee_id() +
                                                 " and key " + read.idempotency_key() +
                                                 ", acknowledged for " + record.fee_id + " / " +
                                                 record.item.payment_key);
  }
  if (replay.payment_id() == read.payment_id() && replay.state() != read.state()) {
    findings->Add(FindingKind::kVerificationError,
                  record.item.payment_key + ": retry says " + StateName(replay.state()) +
                      ", GetPayment says " + StateName(read.state()));
  }
  CheckOutcome(record, read, evidence, findings);
  VerifyFeeOfPayment(client, record, read, findings);
  VerifyOnlyPayment(client, record, findings);
}

// Every page of a listing, at most `max_pages`. `list(page_token, &ids, &next_token)` lists one.
template <typename ListPage>
grpc::Status ListAll(int64_t max_pages, const ListPage& list_page, std::vector<std::string>* ids) {
  std::string token;
  for (int64_t page = 0; page < max_pages; ++page) {
    std::string next;
    const grpc::Status status = list_page(token, ids, &next);
    if (!status.ok() || next.empty()) return status;
    token = next;
  }
  return grpc::Status(grpc::StatusCode::OUT_OF_RANGE,
                      "more than " + std::to_string(max_pages) + " pages");
}

// Compares what payd lists with what was acknowledged, both ways.
void CompareSets(const std::string& what, const std::vector<std::string>& listed,
                 const std::set<std::string>& acknowledged, Findings* findings) {
  const std::set<std::string> listed_set(listed.begin(), listed.end());
  std::ostringstream out;
  out << what << ": payd lists " << listed.size() << " (" << listed_set.size()
      << " distinct), the workers used " << acknowledged.size() << " keys";
  bool differ = listed.size() != acknowledged.size() || listed_set != acknowledged;
  int shown = 0;
  for (const std::string& id : listed_set) {
    if (acknowledged.count(id) == 0 && shown++ < 5) out << "; not acknowledged: " << id;
  }
  for (const std::string& id : acknowledged) {
    if (listed_set.count(id) == 0 && shown++ < 10) out << "; not listed: " << id;
  }
  if (differ) findings->Add(FindingKind::kCountMismatch, out.str());
}

}  // namespace

Evidence MakeEvidence(std::vector<int64_t> kill_times_ms, const std::string& payd_log) {
  Evidence evidence;
  evidence.kill_times_ms = std::move(kill_times_ms);
  std::istringstream log(payd_log);
  for (std::string line;
       evidence.log_lines.size() < Evidence::kMaxLogLines && std::getline(log, line);) {
    if (line.find("fee_") != std::string::npos || line.find("pay_") != std::string::npos) {
      evidence.log_lines.push_back(std::move(line));
    }
  }
  return evidence;
}

std::string DescribeEvidence(const ItemRecord& record, const std::string& id,
                             const Evidence& evidence) {
  std::ostringstream out;
  out << "acknowledged at +" << record.payment_acknowledged_ms << " ms";
  const auto after = std::upper_bound(evidence.kill_times_ms.begin(), evidence.kill_times_ms.end(),
                                      record.payment_acknowledged_ms);
  if (after != evidence.kill_times_ms.begin()) {
    const auto kill = after - 1;
    out << ", " << record.payment_acknowledged_ms - *kill << " ms after kill #"
        << (kill - evidence.kill_times_ms.begin()) + 1;
  }
  out << ", " << record.payment_acknowledgements << " acknowledgement(s)";
  size_t quoted = 0;
  for (const std::string& line : evidence.log_lines) {
    if (quoted == kLogLinesQuoted) break;
    if (line.find(id) == std::string::npos) continue;
    out << "\n      payd.log: " << line.substr(0, kLogLineChars);
    ++quoted;
  }
  if (quoted == 0) out << "; payd.log does not mention " << id;
  return out.str();
}

std::vector<const ItemRecord*> AwaitOutcomes(const RetryingClient& client,
                                             const std::map<std::string, ItemRecord>& records,
                                             std::chrono::milliseconds timeout) {
  std::vector<const ItemRecord*> pending;
  for (const auto& [id, record] : records) {
    if (!record.payment_id.empty() && record.payment_state == v1::Payment::PROCESSING) {
      pending.push_back(&record);
    }
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!pending.empty() && std::chrono::steady_clock::now() < deadline) {
    std::vector<const ItemRecord*> still;
    for (const ItemRecord* record : pending) {
      v1::Payment payment;
      const grpc::Status status = client.GetPayment(record->payment_id, &payment);
      if (!status.ok() || payment.state() == v1::Payment::PROCESSING) still.push_back(record);
    }
    pending.swap(still);
    if (!pending.empty()) std::this_thread::sleep_for(kOutcomePollInterval);
  }
  return pending;
}

std::string ProbeStuckBill(const RetryingClient& client, const ItemRecord& record,
                           Findings* findings) {
  std::ostringstream out;
  WorkItem probe_item = record.item;
  probe_item.payment_key = "probe-" + record.item.id;
  v1::Payment probe;
  const grpc::Status pay_status =
      client.CreatePayment(MakePaymentRequest(probe_item, record.bill_number), &probe);
  out << "bill " << record.bill_number << " of " << record.fee_id << " (" << record.payment_id
      << " PROCESSING): CreatePayment with the new key " << probe_item.payment_key << " answered "
      << Describe(pay_status);
  if (pay_status.ok()) {
    findings->Add(FindingKind::kPaidTwice, record.fee_id + " accepted a second payment " +
                                               probe.payment_id() + " while " + record.payment_id +
                                               " is still PROCESSING");
  }
  v1::Payment cancelled;
  const grpc::Status cancel_status = client.CancelPayment(record.payment_id, &cancelled);
  out << "; CancelPayment(" << record.payment_id << ") answered " << Describe(cancel_status);
  return out.str();
}

void VerifyItems(const RetryingClient& client, const CallCounters& counters,
                 const std::map<std::string, ItemRecord>& records, int threads,
                 const Evidence& evidence, Findings* findings) {
  std::vector<const ItemRecord*> all;
  all.reserve(records.size());
  for (const auto& [id, record] : records) all.push_back(&record);
  std::atomic<size_t> next{0};
  std::vector<std::thread> verifiers;
  for (int i = 0; i < threads; ++i) {
    verifiers.emplace_back([&] {
      for (size_t at = next.fetch_add(1); at < all.size(); at = next.fetch_add(1)) {
        if (counters.abandoned.load() > 0) {
          findings->Add(FindingKind::kVerificationError,
                        "payd stopped answering; verification abandoned");
          return;
        }
        VerifyItem(client, *all[at], evidence, findings);
      }
    });
  }
  for (std::thread& verifier : verifiers) verifier.join();
}

void VerifyTotals(const RetryingClient& client, const std::map<std::string, ItemRecord>& records,
                  Findings* findings, Totals* totals) {
  std::set<std::string> fee_ids;
  std::set<std::string> payment_ids;
  for (const auto& [id, record] : records) {
    fee_ids.insert(record.fee_id);
    if (!record.payment_id.empty()) payment_ids.insert(record.payment_id);
  }
  const int64_t max_pages = static_cast<int64_t>(records.size()) / kListPageSize + kSparePages;

  std::vector<std::string> listed_fees;
  grpc::Status status = ListAll(
      max_pages,
      [&](const std::string& token, std::vector<std::string>* ids, std::string* next) {
        v1::ListFeesRequest request;
        request.set_page_size(kListPageSize);
        request.set_page_token(token);
        v1::ListFeesResponse response;
        const grpc::Status page_status = client.ListFees(request, &response);
        for (const v1::Fee& fee : response.fees()) ids->push_back(fee.fee_id());
        *next = response.next_page_token();
        return page_status;
      },
      &listed_fees);
  if (!status.ok()) findings->Add(FindingKind::kVerificationError, "ListFees: " + Describe(status));
  totals->fees = static_cast<int64_t>(listed_fees.size());
  CompareSets("fees", listed_fees, fee_ids, findings);

  for (const v1::Payment::State state : {v1::Payment::STATE_UNSPECIFIED, v1::Payment::SUCCEEDED}) {
    std::vector<std::string> listed;
    status = ListAll(
        max_pages,
        [&](const std::string& token, std::vector<std::string>* ids, std::string* next) {
          v1::ListPaymentsRequest request;
          request.set_page_size(kListPageSize);
          request.set_page_token(token);
          request.set_state(state);
          v1::ListPaymentsResponse response;
          const grpc::Status page_status = client.ListPayments(request, &response);
          for (const v1::Payment& payment : response.payments()) {
            ids->push_back(payment.payment_id());
          }
          *next = response.next_page_token();
          return page_status;
        },
        &listed);
    const std::string what = state == v1::Payment::SUCCEEDED ? "SUCCEEDED payments" : "payments";
    if (!status.ok()) {
      findings->Add(FindingKind::kVerificationError,
                    "ListPayments " + what + ": " + Describe(status));
    }
    if (state == v1::Payment::SUCCEEDED) {
      totals->succeeded_payments = static_cast<int64_t>(listed.size());
    } else {
      totals->payments = static_cast<int64_t>(listed.size());
    }
    CompareSets(what, listed, payment_ids, findings);
  }
}

}  // namespace pay::integration::crash
