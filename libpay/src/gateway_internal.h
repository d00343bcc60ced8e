// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The implementation of pay::Gateway, split over gateway.cc (opening, authentication, shared
// helpers), gateway_admin.cc, gateway_fees.cc and gateway_payments.cc.

#ifndef PAY_SRC_GATEWAY_INTERNAL_H_
#define PAY_SRC_GATEWAY_INTERNAL_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "circuit_breaker.h"
#include "ledger.h"
#include "lock_table.h"
#include "pay/gateway.h"
#include "records.h"
#include "webhook_records.h"

namespace pay::internal {

// Listing indexes in Table::kIndex: prefix, owner id, NUL, big-endian creation time, resource id.
inline constexpr std::string_view kFeesByAgency = "fa";
inline constexpr std::string_view kPaymentsByAgency = "pa";
inline constexpr std::string_view kPaymentsByInitiator = "pc";
inline constexpr std::string_view kPaymentsByFee = "pf";
inline constexpr std::string_view kPaymentsByConnector = "pn";
// Payments PROCESSING: "ip" NUL payment_id, removed when the outcome is recorded.
inline constexpr std::string_view kPaymentsInFlight = "ip";
// Discrepancies already recorded: "dq" NUL kind NUL subject (so that each is recorded once).
inline constexpr std::string_view kDiscrepancies = "dq";
// Credits reported by a connector (push payments): "cr" NUL connector NUL reference -> payment id
// (or "" for a credit that matched no payable bill).
inline constexpr std::string_view kCredits = "cr";
// Fees with an expiry: "ex" NUL big-endian expire time, fee_id; removed once the fee is final.
inline constexpr std::string_view kFeesByExpiry = "ex";
std::string ExpiryKey(int64_t expire_time_ms, std::string_view fee_id);
// Fees with a late penalty still to come: "pe" NUL big-endian time of the next period, fee_id;
// moved on as periods are charged, dropped when the fee is final or the cap is reached.
inline constexpr std::string_view kFeesByPenaltyTime = "pe";
std::string PenaltyKey(int64_t next_penalty_ms, std::string_view fee_id);

// The principal id written into entries made by payd itself.
inline constexpr std::string_view kSystemPrincipal = "system";

std::string IndexPrefix(std::string_view index, std::string_view owner);
std::string IndexKey(std::string_view index, std::string_view owner, int64_t time_ms,
                     std::string_view id);

// Validation helpers. Each returns kInvalidArgument with a message starting with `field`.
Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes);
Status ValidateLocalizedText(std::string_view field, const LocalizedText& text, size_t max_bytes,
                             bool required);
Status ValidateIdempotencyKey(std::string_view field, std::string_view key, bool required);
Status ValidateId(std::string_view field, std::string_view id);

// Resolves a page size: 0 -> 100, 1..1000 as is, anything else kInvalidArgument.
Result<int32_t> PageSize(int32_t requested);

// Decodes a page token to the index key it continues after; it must start with `prefix`.
Result<std::string> DecodePageToken(std::string_view token, std::string_view prefix);
std::string EncodePageToken(std::string_view key);

// Account names of the chart of accounts (README "Chart of accounts").
std::string ClearingAccount(std::string_view connector);
std::string RevenueAccount(std::string_view agency_id);
// Money a connector collected that no fee can take (unknown bill, paid twice): owed back.
std::string SuspenseAccount(std::string_view connector);

// Where a SUCCEEDED payment's money went (positive amounts summing to its amount): its
// revenue_postings, or for payments recorded before them, revenue/<agency> (suspense/<connector>
// when refund_due).
std::vector<Posting> CollectedPostings(const Payment& payment);

// BLAKE2b-256 of an API key: what kCredentialKeys is keyed by.
std::string HashApiKey(std::string_view api_key);
// A new random API key, "payk_" + 64 hex digits.
std::string NewApiKey();

// The key under which Table::kIdempotency remembers `key` for (principal, operation).
std::string IdempotencyKeyFor(std::string_view principal, std::string_view operation,
                              std::string_view key);

// The state a reader is shown: an UNPAID fee past its expire_time is EXPIRED from that moment on,
// even before the expiry sweep records the transition in the ledger.
FeeState EffectiveFeeState(const Fee& fee, int64_t now_ms);

// Which agency a listing covers for `caller` (AGENCY: its own; AUDITOR: the requested one of
// those granted). Other roles -> kPermissionDenied.
Result<std::string> ListingAgency(const Principal& caller, std::string_view requested);

// Shared by gateway_payments.cc and gateway_outcomes.cc.
connector::CollectionRequest RequestFor(const Payment& payment);
std::string InFlightKey(std::string_view payment_id);
// A payment's ledger entry: PAYMENT_CREATED for PENDING -> PENDING, else PAYMENT_STATE_CHANGED.
LedgerEntry PaymentEntry(const Payment& payment, std::string_view principal, PaymentState from,
                         PaymentState to, std::string detail);
// Put the record stamped with the sequence of the write set's entry `entry_index`.
void PutPayment(WriteSet* write_set, const Payment& payment, size_t entry_index);
void PutFee(WriteSet* write_set, const Fee& fee, size_t entry_index);

// Issuing a fee, shared by CreateFee (gateway_fees.cc) and CreateFees (gateway_bulk_fees.cc).
// The checks of a request that need neither the clock nor the store: a retry of an accepted
// request passes them. kInvalidArgument starting with the field path.
Status ValidateCreateFee(const CreateFeeRequest& request);
// The checks against the clock, made only for a new fee (a retry after the due time of a fee that
// was accepted returns that fee).
Status ValidateFeeTimes(const CreateFeeRequest& request, int64_t now_ms);
// What the idempotency record of a fee request remembers of its fields.
std::string FeeFingerprint(const CreateFeeRequest& request);
// The UNPAID fee `request` issues for `agency_id` at `now_ms`, without fee_id and bill_number.
// `fee_type` is the request's fee type as loaded (nullopt: unknown -> kNotFound); ignored when the
// request names none.
Result<Fee> NewFee(const CreateFeeRequest& request, std::string_view agency_id,
                   const std::optional<FeeType>& fee_type, int64_t now_ms);
// Appends the FEE_CREATED entry of the new `fee` to `write_set` with everything stored with it:
// the fee record (stamped with the entry's sequence), the bill number, the listing, expiry and
// penalty indexes and, when `idempotency_storage_key` is not empty, the idempotency record.
void AppendFeeCreated(WriteSet* write_set, const Fee& fee, std::string_view principal_id,
                      const std::string& idempotency_storage_key, const std::string& fingerprint);

class GatewayImpl final : public Gateway {
 public:
  GatewayImpl(std::unique_ptr<Ledger> ledger, GatewayOptions options, std::string public_key);

  connector::OutcomeSink* OutcomeSinkFor(std::string_view connector_name) override;
  void RegisterConnector(std::unique_ptr<connector::Connector> connector,
                         ConnectorPolicy policy) override;
  std::vector<ConnectorStatus> ConnectorStatuses() const override;
  Result<Principal> Authenticate(std::string_view api_key) const override;

  Result<Agency> CreateAgency(const Principal& caller, const CreateAgencyRequest& request) override;
  Result<ListAgenciesResult> ListAgencies(const Principal& caller, int32_t page_size,
                                          std::string_view page_token) const override;
  Result<IssuedCredential> CreateCredential(const Principal& caller,
                                            const CreateCredentialRequest& request) override;
  Result<Credential> RevokeCredential(const Principal& caller,
                                      std::string_view credential_id) override;

  Result<Fee> CreateFee(const Principal& caller, const CreateFeeRequest& request) override;
  Result<Fee> GetFee(const Principal& caller, std::string_view fee_id) const override;
  Result<ListFeesResult> ListFees(const Principal& caller,
                                  const ListFeesRequest& request) const override;
  Result<Fee> CancelFee(const Principal& caller, std::string_view fee_id,
                        std::string_view reason) override;
  Result<BillInquiry> InquireBill(const Principal& caller,
                                  std::string_view bill_number) const override;

  Result<Payment> CreatePayment(const Principal& caller,
                                const CreatePaymentRequest& request) override;
  Result<Payment> RecordChannelPayment(const Principal& caller,
                                       const RecordChannelPaymentRequest& request) override;
  Result<Payment> GetPayment(const Principal& caller, std::string_view payment_id) const override;
  Result<ListPaymentsResult> ListPayments(const Principal& caller,
                                          const ListPaymentsRequest& request) const override;
  Result<Payment> CancelPayment(const Principal& caller, std::string_view payment_id,
                                std::string_view reason) override;

  Status ExportLedger(const Principal& caller, const ExportFilter& filter,
                      const std::function<bool(const LedgerEntry&)>& visit) const override;
  Result<LedgerEntry> GetCheckpoint(const Principal& caller) const override;
  Result<LedgerEntry> AppendCheckpoint() override;
  std::string PublicKey() const override { return public_key_; }

  Result<size_t> ResolvePendingPayments() override;
  Result<ReconciliationReport> Reconcile(std::string_view connector_name, int64_t from_ms,
                                         int64_t to_ms) override;

  // OutcomeSink, on behalf of the connector named `connector_name`.
  Status ReportCollection(std::string_view connector_name, std::string_view payment_id,
                          const connector::CollectionOutcome& outcome);
  Status ReportCredit(std::string_view connector_name, const connector::CreditNotice& notice);
  // A settlement transfer's status pushed by the settlement connector: applied as the answers
  // of SendAttempt are (a transfer no longer SENT is left alone, so a repeat changes nothing).
  Status ReportCreditTransfer(std::string_view connector_name,
                              const connector::CreditTransferStatus& status);
  Result<size_t> ExpireDueFees() override;

  uint64_t LastSequence() const override { return ledger_->LastSequence(); }

  Result<FeeType> DefineFeeType(const Principal& caller,
                                const DefineFeeTypeRequest& request) override;
  Result<FeeType> GetFeeType(const Principal& caller, std::string_view code,
                             std::string_view agency_id) const override;
  Result<ListFeeTypesResult> ListFeeTypes(const Principal& caller,
                                          const ListFeeTypesRequest& request) const override;
  Result<Fee> WaiveFee(const Principal& caller, const WaiveFeeRequest& request) override;
  Result<size_t> ApplyDuePenalties() override;
  // Events and webhooks (gateway_events.cc, gateway_webhooks.cc).
  Status WatchEvents(const Principal& caller, const EventFilter& filter,
                     const std::function<bool(const PaymentEvent&)>& visit,
                     const std::function<bool()>& cancelled) const override;
  Result<CreatedWebhook> CreateWebhook(const Principal& caller,
                                       const CreateWebhookRequest& request) override;
  Result<std::vector<Webhook>> ListWebhooks(const Principal& caller) const override;
  Status DeleteWebhook(const Principal& caller, std::string_view webhook_id) override;
  Result<ListWebhookDeliveriesResult> ListWebhookDeliveries(
      const Principal& caller, const ListWebhookDeliveriesRequest& request) const override;
  Result<WebhookDelivery> ReplayWebhookDelivery(const Principal& caller,
                                                std::string_view webhook_id,
                                                uint64_t sequence) override;
  Result<std::vector<WebhookTask>> DueWebhookDeliveries(int64_t now_ms) override;
  Status RecordWebhookAttempt(const WebhookTask& task, const WebhookAttempt& attempt,
                              int64_t now_ms) override;
  bool WaitForEntriesAfter(uint64_t sequence, int64_t timeout_ms) const override;
  // Refunds (gateway_refunds.cc, gateway_refund_outcomes.cc).
  Result<Refund> RefundPayment(const Principal& caller,
                               const RefundPaymentRequest& request) override;
  Result<Refund> ApproveRefund(const Principal& caller,
                               const ApproveRefundRequest& request) override;
  Result<Refund> RejectRefund(const Principal& caller, std::string_view refund_id,
                              std::string_view reason) override;
  Result<Refund> GetRefund(const Principal& caller, std::string_view refund_id) const override;
  Result<ListRefundsResult> ListRefunds(const Principal& caller,
                                        const ListRefundsRequest& request) const override;
  Result<RefundPolicy> SetRefundPolicy(const Principal& caller, RefundPolicy policy) override;
  Result<size_t> ResolvePendingRefunds() override;
  // Settlement (gateway_settlement.cc, gateway_settlement_transfers.cc).
  Result<ListSettlementWindowsResult> ListSettlementWindows(
      const Principal& caller, int32_t page_size, std::string_view page_token) const override;
  Result<SettlementWindow> GetSettlementWindow(const Principal& caller,
                                               uint64_t window_number) const override;
  Result<SettlementWindow> CloseSettlementWindow(const Principal& caller,
                                                 uint64_t window_number) override;
  Result<SettlementWindow> RetrySettlement(const Principal& caller,
                                           uint64_t window_number) override;
  Result<SettlementReport> GetSettlementReport(const Principal& caller,
                                               uint64_t window_number) const override;
  Result<TreasuryAccount> SetTreasuryAccount(const Principal& caller,
                                             const TreasuryAccount& account) override;
  Result<std::vector<TreasuryAccount>> ListTreasuryAccounts(const Principal& caller) const override;
  Result<size_t> RunSettlement(int64_t due_ms) override;
  // gateway_settlement_retry.cc.
  Result<std::vector<SettlementTransfer>> RetryOwedSettlementTransfers() override;
  Result<SettlementConfirmation> ConfirmSettlementTransfers() override;
  // Bulk issuance (gateway_bulk_fees.cc).
  Result<CreateFeesResult> CreateFees(const Principal& caller,
                                      const std::vector<CreateFeeRequest>& requests) override;

 private:
  int64_t NowMs() const;

  // Reads a record; nullopt when absent, kDataLoss when it does not decode.
  Result<std::optional<Fee>> LoadFee(std::string_view fee_id) const;
  Result<std::optional<Payment>> LoadPayment(std::string_view payment_id) const;
  Result<std::optional<Agency>> LoadAgency(std::string_view agency_id) const;
  Result<std::optional<Credential>> LoadCredential(std::string_view credential_id) const;
  // The fee `caller` may read, or kNotFound (also for another agency's fee).
  Result<Fee> ReadableFee(const Principal& caller, std::string_view fee_id) const;
  Result<Payment> ReadablePayment(const Principal& caller, std::string_view payment_id) const;
  bool CanReadPayment(const Principal& caller, const Payment& payment) const;

  // Idempotency: the stored record for (caller, operation, key) unless expired.
  Result<std::optional<IdempotencyRecord>> LoadIdempotency(const std::string& storage_key) const;
  // The payment first created with idempotency key `key` (stored as `storage_key`), nullopt for a
  // new key; kAlreadyExists naming the key when it was used for a different `what` request.
  Result<std::optional<Payment>> FirstPaymentForKey(std::string_view storage_key,
                                                    std::string_view fingerprint,
                                                    std::string_view key,
                                                    std::string_view what) const;

  struct ConnectorSlot {
    std::unique_ptr<connector::Connector> connector;
    std::unique_ptr<CircuitBreaker> breaker;
  };

  // Picks the connector for a payment: the first registered one that supports the method and
  // whose circuit breaker lets a request through. kInvalidArgument for an unknown named
  // connector, kFailedPrecondition when none serves the method, kUnavailable when none can take
  // it now.
  Result<ConnectorSlot*> Route(PaymentMethod method, std::string_view named);
  ConnectorSlot* FindConnector(std::string_view name);

  // The first half of CreatePayment, under the idempotency key's and the bill's locks: the
  // payment found for the key (slot null), or a new one recorded PROCESSING and the connector it
  // goes to.
  struct PaymentDecision {
    Payment payment;
    ConnectorSlot* slot = nullptr;
  };
  Result<PaymentDecision> DecidePayment(const Principal& caller,
                                        const CreatePaymentRequest& request);
  // The second half of CreatePayment: asks the connector (no lock held) and waits up to
  // collect_wait_ms for its answer. Returns the payment as it then stands. With `may_fail_over`
  // (the caller named no connector), a payment a connector certainly did not receive is handed
  // to the next available connector for its method, each at most once.
  Result<Payment> Collect(ConnectorSlot* slot, Payment payment, bool may_fail_over);
  void StartCollect(ConnectorSlot* slot, const Payment& payment, bool may_fail_over,
                    std::shared_ptr<void> waiter);
  // Moves a PROCESSING payment from `from` (which certainly did not receive it) to the next
  // connector in routing order that takes its method and whose breaker lets it through, with a
  // PROCESSING -> PROCESSING ledger entry. nullopt when there is none (or the payment moved on).
  Result<std::optional<std::pair<ConnectorSlot*, Payment>>> FailOver(ConnectorSlot* from,
                                                                      std::string_view payment_id);
  // Feeds a connector's answer to its circuit breaker.
  void RecordHealth(ConnectorSlot* slot, const Status& status);
  // Asks the connector what became of a PROCESSING payment and records what it learns; waits up
  // to collect_wait_ms. Returns the payment as it then stands.
  Result<Payment> Inquire(Payment payment);
  // What a connector answered to Collect or Inquire, applied under the bill's lock.
  Result<Payment> ApplyAnswer(ConnectorSlot* slot, std::string_view payment_id,
                              const Result<connector::CollectionOutcome>& answer, bool inquiry);
  // Records a definitive outcome for a payment (idempotent; a contradiction with a final state is
  // recorded as a discrepancy). Takes the bill's lock.
  Result<Payment> ApplyOutcome(std::string_view payment_id,
                               const connector::CollectionOutcome& outcome);
  // Records a definitive outcome of a PROCESSING payment (with the fee's change). The caller holds
  // the bill's lock.
  Result<Payment> RecordOutcome(Payment payment, Fee fee, const connector::CollectionOutcome& outcome);
  // Appends what RecordOutcome commits to `write_set`; `first_entry` is the index the outcome
  // entry will have in it.
  Status AppendOutcome(WriteSet* write_set, Payment* payment, Fee* fee,
                       const connector::CollectionOutcome& outcome, int64_t now_ms);
  // Records a payment collected outside the gateway (a channel's, a provider's credit): created,
  // handed over and SUCCEEDED in one write with `write_set`'s other puts; the fee takes it if it
  // can, else it is refund_due. The caller holds the bill's lock. `payment` has its ids, amount,
  // method, connector, initiator and payer set.
  Result<Payment> RecordCollected(Fee fee, Payment payment, std::string_view reference,
                                  std::string_view principal, WriteSet write_set);
  // Appends a DISCREPANCY entry unless one of this kind for this subject was recorded before.
  // Returns false when it was already recorded.
  Result<bool> AppendDiscrepancy(WriteSet* write_set, std::string_view agency_id,
                                 std::string_view kind, std::string_view subject,
                                 std::string_view related, const Money& amount,
                                 std::string explanation, std::vector<Posting> postings = {});
  Result<bool> RecordDiscrepancy(std::string_view agency_id, std::string_view kind,
                                 std::string_view subject, std::string_view related,
                                 const Money& amount, std::string explanation);

  // In-memory inquiry backoff of PROCESSING payments (lost on restart: then all are due).
  struct InquirySchedule {
    int attempts = 0;
    int64_t next_ms = 0;
  };
  bool InquiryDue(std::string_view payment_id, int64_t now_ms);
  void InquiryDone(std::string_view payment_id, bool still_processing, int64_t now_ms);

  // The listing loop shared by ListFees and ListPayments: scans `prefix` newest first from the
  // page token within the time bounds, loading each id with `load` and keeping what `keep`
  // accepts, up to page_size. Returns the next page token ("" at the end).
  Result<std::string> ScanIndex(std::string_view prefix, std::string_view page_token,
                                int64_t from_ms, int64_t to_ms, int32_t page_size,
                                const std::function<Result<bool>(std::string_view id)>& load) const;

  // Fee catalogue (gateway_fee_types.cc, gateway_penalties.cc).
  Result<std::optional<FeeType>> LoadFeeType(std::string_view agency_id,
                                             std::string_view code) const;
  // Appends the FEE_ADJUSTED entries of the penalties due on `fee` at `now_ms` (see
  // DuePenalties) and updates `fee` and the penalty index; puts the fee record stamped with the
  // last of them. The caller holds the bill's lock. Returns how many entries it appended.
  Result<size_t> AppendDuePenalties(WriteSet* write_set, Fee* fee, int64_t now_ms);
  // Refunds: reading, the decision under the bill's lock, and paying out (no lock held).
  Result<std::optional<Refund>> LoadRefund(std::string_view refund_id) const;
  Result<Refund> ReadableRefund(const Principal& caller, std::string_view refund_id) const;
  // The refunds of a payment, oldest first.
  Result<std::vector<Refund>> RefundsOfPayment(std::string_view payment_id) const;
  // Creates the refund under the locks; `send` is set when it goes to a connector now.
  Result<Refund> DecideRefund(const Principal& caller, const RefundPaymentRequest& request,
                              bool* send);
  Result<Refund> DecideApproval(const Principal& caller, const ApproveRefundRequest& request);
  // Asks the refund's connector to pay it out (no lock held) and waits up to collect_wait_ms
  // for the answer, which is recorded whenever it comes. Returns the refund as it then stands.
  Result<Refund> PayOut(Refund refund);
  // Records a connector's answer under the bill's lock (a refund no longer PROCESSING is left).
  Result<Refund> ApplyRefundAnswer(std::string_view refund_id,
                                   const Result<connector::RefundOutcome>& answer);

  std::unique_ptr<Ledger> ledger_;
  GatewayOptions options_;
  std::string public_key_;
  LockTable locks_;
  std::mutex checkpoint_mu_;  // one AppendCheckpoint at a time
  std::vector<std::unique_ptr<ConnectorSlot>> connectors_;  // registered before serving
  class Sink;
  std::mutex sinks_mu_;
  std::map<std::string, std::unique_ptr<connector::OutcomeSink>, std::less<>> sinks_;
  std::mutex inquiry_mu_;
  std::map<std::string, InquirySchedule, std::less<>> inquiry_schedule_;

  // Events and webhooks.
  // The event of `entry` (fee, payment and refund ids resolved from the records); nullopt when the
  // entry is not an event.
  Result<std::optional<PaymentEvent>> EventOf(const LedgerEntry& entry) const;
  // The webhook `caller` owns, or kNotFound.
  Result<WebhookRecord> OwnedWebhook(const Principal& caller, std::string_view webhook_id) const;
  // Serialises every change of webhook records (RPCs and the dispatcher).
  std::mutex webhooks_mu_;
  // Settlement. settlement_mu_ serialises every change of a window record (close, summary,
  // transfer states); it is never held while waiting for the bank.
  std::mutex settlement_mu_;
  // When ConfirmSettlementTransfers last fetched the collection account's statement (0: never).
  std::atomic<int64_t> last_statement_fetch_ms_{0};
  // The stored window `number` (nullopt: absent); the open window (window 1 before any close).
  Result<std::optional<SettlementWindow>> LoadWindow(uint64_t number) const;
  Result<SettlementWindow> CurrentWindow() const;
  // Closes `open` (settlement_mu_ held): the close entry and both window records in one write.
  Result<SettlementWindow> CloseWindowLocked(const SettlementWindow& open,
                                             std::string_view principal);
  // Computes the nets and transfers of a closed window from its ledger range (settlement_mu_
  // held), unless done already.
  Result<SettlementWindow> SummarizeLocked(SettlementWindow window);
  // Records the window's PENDING transfers SENT in a new attempt and sends that attempt; then
  // follows up the SENT ones until they are final or wait_ms passes.
  Result<SettlementWindow> SettleWindow(uint64_t number, int64_t wait_ms);
  // Sends (again) the pain.001 of `attempt` with exactly the transfers it carried, and applies
  // the bank's answer. `inquire`: ask for statuses instead of sending.
  Status SendAttempt(uint64_t number, int32_t attempt, bool inquire);
  // Applies the bank's statuses to the window's SENT transfers, one ledger write. `how` is
  // appended to each entry's detail (e.g. "; pushed pacs.002").
  Status ApplyTransferStatuses(uint64_t number,
                               const std::vector<connector::CreditTransferStatus>& statuses,
                               std::string_view how = "");
  // Attempts whose pain.001 the bank acknowledged since this process started: their transfers
  // are followed up by status inquiry; the others by resending the same message (so that an id
  // the bank never received is not inquired, which a bank may take as final).
  std::mutex acked_mu_;
  std::set<std::pair<uint64_t, int32_t>> acked_attempts_;
  // SettlementOptions::crash_at: ends the process at `step` when it is the one configured.
  void MaybeCrashAt(std::string_view step) const;
  // Sign with the gateway's key (for reports).
  std::function<std::string(std::string_view)> sign_;

 public:
  void SetSigner(std::function<std::string(std::string_view)> sign) { sign_ = std::move(sign); }
};

}  // namespace pay::internal

#endif  // PAY_SRC_GATEWAY_INTERNAL_H_
