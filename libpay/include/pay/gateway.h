// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// pay::Gateway: the whole of libpay behind one object. payd's handlers convert proto messages to
// these types, call one method with the authenticated principal, and map the status back.
//
// All business rules live here: roles and scopes, validation, idempotency, the state machines,
// the ledger. Every method is thread-safe. Every state change is committed to the ledger (RocksDB,
// synced) before the method returns.

#ifndef PAY_GATEWAY_H_
#define PAY_GATEWAY_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "pay/connector/connector.h"
#include "pay/events.h"
#include "pay/fee.h"
#include "pay/fee_type.h"
#include "pay/ledger_entry.h"
#include "pay/payment.h"
#include "pay/principal.h"
#include "pay/refund.h"
#include "pay/settlement.h"
#include "pay/status.h"

namespace pay {

struct GatewayOptions {
  // Directory of the store (created by Gateway::Initialize).
  std::string data_dir;
  // How long an idempotency key is remembered. After that the same key starts a new request.
  int64_t idempotency_retention_ms = int64_t{30} * 24 * 3600 * 1000;
  // Wall clock in Unix milliseconds; tests may replace it. Null: the system clock.
  std::function<int64_t()> clock_ms;
  // How long CreatePayment (and a retry of a PROCESSING payment) waits for the connector's answer
  // before returning the payment PROCESSING; the answer is still recorded when it comes.
  int64_t collect_wait_ms = 15'000;
  // Inquiry backoff of a payment whose outcome stays unknown: the first inquiry is due at once,
  // then after base, 2 x base, 4 x base, ... up to max.
  int64_t inquiry_backoff_base_ms = 1'000;
  int64_t inquiry_backoff_max_ms = 300'000;
  // Webhook retries: the head delivery of a webhook is retried after base, 2 x base, 4 x base,
  // ... up to max; it is recorded FAILED (and the webhook's cursor moves on) after
  // webhook_max_attempts attempts or once webhook_max_age_ms passed since its first attempt.
  int64_t webhook_backoff_base_ms = 1'000;
  int64_t webhook_backoff_max_ms = 600'000;
  int32_t webhook_max_attempts = 25;
  int64_t webhook_max_age_ms = int64_t{24} * 3600 * 1000;
  // Settlement windows (settlement.h, docs/settlement.md).
  SettlementOptions settlement;
};

// How routing treats a connector: its circuit breaker opens after `breaker_failures` consecutive
// transport failures (unreachable, timeouts) and lets one trial request through after
// `breaker_cooldown_ms`.
struct ConnectorPolicy {
  int breaker_failures = 5;
  int64_t breaker_cooldown_ms = 10'000;
};

struct ConnectorStatus {
  std::string name;
  std::string breaker_state;  // "CLOSED", "OPEN", "HALF_OPEN"
  int consecutive_failures = 0;
};

// What Gateway::Reconcile found comparing a connector's statement with the ledger.
struct ReconciliationReport {
  std::string connector;
  int64_t from_ms = 0;
  int64_t to_ms = 0;
  size_t statement_lines = 0;
  size_t matched = 0;          // statement line and succeeded payment agree to the minor unit
  size_t resolved = 0;         // PROCESSING payments the statement proved succeeded
  std::vector<std::string> discrepancies;  // "KIND subject: explanation", each also a ledger entry
};

// Which ledger entries ExportLedger streams.
struct ExportFilter {
  uint64_t from_sequence = 1;  // resume point: the first sequence number wanted
  // Only this agency's entries (and the checkpoints). Empty: every agency the caller may read;
  // the whole ledger for an AUDITOR granted "*".
  std::string agency_id;
  int64_t from_time_ms = 0;  // inclusive; 0 = unbounded
  int64_t to_time_ms = 0;    // exclusive; 0 = unbounded
};

// The agency grant of an AUDITOR that audits every agency and the gateway-wide entries.
inline constexpr std::string_view kAllAgencies = "*";

// What Gateway::Initialize did.
struct InitializeResult {
  bool created = false;       // false: the directory was already initialised; nothing changed
  std::string admin_key_path;  // DIR/admin.key
};

class Gateway {
 public:
  // Prepares `data_dir` for first use: creates the store, an Ed25519 signing key
  // (DIR/signing.key mode 0600, DIR/signing.pub) and a first ADMIN credential whose key is
  // written to DIR/admin.key (mode 0600, the key alone on one line). Calling it again on an
  // initialised directory changes nothing. Not to be called while a Gateway has it open.
  static Result<InitializeResult> Initialize(const std::string& data_dir);

  // Opens an initialised store. kFailedPrecondition if Initialize was never run on it; kUnavailable
  // if another process holds it open.
  static Result<std::unique_ptr<Gateway>> Open(GatewayOptions options);

  virtual ~Gateway() = default;

  // The sink a connector named `connector_name` reports outcomes and credits through (put it in
  // its ConnectorContext). Stable for the gateway's lifetime.
  virtual connector::OutcomeSink* OutcomeSinkFor(std::string_view connector_name) = 0;

  // Adds a connector. Routing picks, for a method, the first registered connector that supports
  // it and whose circuit breaker is not open. Call before serving requests. The host must stop
  // the connectors' I/O (their callbacks) before destroying the gateway.
  virtual void RegisterConnector(std::unique_ptr<connector::Connector> connector,
                                 ConnectorPolicy policy = {}) = 0;

  // Each registered connector's circuit breaker, for health and metrics.
  virtual std::vector<ConnectorStatus> ConnectorStatuses() const = 0;

  // Resolves an API key to its principal. Unknown, malformed or revoked -> kUnauthenticated
  // (the message never contains the key).
  virtual Result<Principal> Authenticate(std::string_view api_key) const = 0;

  // AdminService (ADMIN).
  virtual Result<Agency> CreateAgency(const Principal& caller, const CreateAgencyRequest& request) = 0;
  virtual Result<ListAgenciesResult> ListAgencies(const Principal& caller, int32_t page_size,
                                                  std::string_view page_token) const = 0;
  virtual Result<IssuedCredential> CreateCredential(const Principal& caller,
                                                    const CreateCredentialRequest& request) = 0;
  virtual Result<Credential> RevokeCredential(const Principal& caller,
                                              std::string_view credential_id) = 0;

  // FeeService.
  virtual Result<Fee> CreateFee(const Principal& caller, const CreateFeeRequest& request) = 0;
  virtual Result<Fee> GetFee(const Principal& caller, std::string_view fee_id) const = 0;
  virtual Result<ListFeesResult> ListFees(const Principal& caller,
                                          const ListFeesRequest& request) const = 0;
  virtual Result<Fee> CancelFee(const Principal& caller, std::string_view fee_id,
                                std::string_view reason) = 0;
  virtual Result<BillInquiry> InquireBill(const Principal& caller,
                                          std::string_view bill_number) const = 0;

  // PaymentService.
  virtual Result<Payment> CreatePayment(const Principal& caller,
                                        const CreatePaymentRequest& request) = 0;
  // A CHANNEL reports a payment it collected for a bill (push flow). The payment is recorded
  // SUCCEEDED in one write; when the fee can take it (UNPAID, same amount, no payment in flight)
  // the fee becomes PAID, otherwise the payment is recorded refund_due with the money in
  // suspense/<channel> and a REFUND_DUE discrepancy. Idempotent per channel credential and key.
  // An unknown bill is NOT_FOUND and nothing is recorded.
  virtual Result<Payment> RecordChannelPayment(const Principal& caller,
                                               const RecordChannelPaymentRequest& request) = 0;
  virtual Result<Payment> GetPayment(const Principal& caller,
                                     std::string_view payment_id) const = 0;
  virtual Result<ListPaymentsResult> ListPayments(const Principal& caller,
                                                  const ListPaymentsRequest& request) const = 0;
  virtual Result<Payment> CancelPayment(const Principal& caller, std::string_view payment_id,
                                        std::string_view reason) = 0;

  // LedgerService (AUDITOR).
  // Streams entries in sequence order to `visit` (until it returns false). An AUDITOR sees the
  // entries of its granted agencies and every checkpoint; one granted "*" sees everything.
  virtual Status ExportLedger(const Principal& caller, const ExportFilter& filter,
                              const std::function<bool(const LedgerEntry&)>& visit) const = 0;
  // The newest checkpoint entry; kNotFound before the first one.
  virtual Result<LedgerEntry> GetCheckpoint(const Principal& caller) const = 0;

  // Appends a signed checkpoint of the ledger's current state, unless nothing was written since
  // the last one (then it returns that one). Called by payd on a timer and at shutdown.
  virtual Result<LedgerEntry> AppendCheckpoint() = 0;

  // The Ed25519 public key that signs checkpoints (32 raw bytes).
  virtual std::string PublicKey() const = 0;

  // Inquires every payment left PROCESSING (a crash between recording a payment and recording
  // its outcome, an unconfirmed outcome) with its connector and records the outcomes learnt.
  // Returns how many are still PROCESSING. payd calls it at start and periodically.
  virtual Result<size_t> ResolvePendingPayments() = 0;

  // Compares the connector's statement for [from_ms, to_ms) with the ledger: PROCESSING payments
  // the statement shows collected are recorded SUCCEEDED; every difference (unknown line, amount
  // mismatch, a succeeded payment missing from the statement, a failed one on it) becomes a
  // DISCREPANCY ledger entry, once. Nothing else is changed.
  virtual Result<ReconciliationReport> Reconcile(std::string_view connector_name, int64_t from_ms,
                                                 int64_t to_ms) = 0;

  // Records UNPAID fees whose expire_time has passed as EXPIRED (one ledger entry each). A fee
  // with a payment in flight waits for that payment's outcome. Returns how many it expired.
  // payd calls it periodically; readers see EXPIRED from expire_time on regardless.
  virtual Result<size_t> ExpireDueFees() = 0;

  // The sequence number of the newest ledger entry (0 for an empty ledger).
  virtual uint64_t LastSequence() const = 0;

  // The fee catalogue (FeeService). AGENCY writes for its own agency; AUDITORs read the fee
  // types of granted agencies.
  // Defines fee type `code` (version 1) or appends its next version, as a FEE_TYPE_DEFINED
  // ledger entry. Versions are immutable; effective_from is never in the past and always after
  // the previous version's. Returns the fee type with all its versions.
  virtual Result<FeeType> DefineFeeType(const Principal& caller,
                                        const DefineFeeTypeRequest& request) = 0;
  // `agency_id` is needed only by AUDITORs granted several agencies. Unknown -> kNotFound.
  virtual Result<FeeType> GetFeeType(const Principal& caller, std::string_view code,
                                     std::string_view agency_id) const = 0;
  virtual Result<ListFeeTypesResult> ListFeeTypes(const Principal& caller,
                                                  const ListFeeTypesRequest& request) const = 0;
  // Waives part or all of what is owed on an UNPAID or PARTIALLY_PAID fee: a FEE_ADJUSTED
  // "WAIVER: <reason>" entry. Only an AGENCY credential of the fee's agency with approver set
  // (others kPermissionDenied). When nothing is left to pay the fee becomes PAID.
  virtual Result<Fee> WaiveFee(const Principal& caller, const WaiveFeeRequest& request) = 0;
  // Charges the late penalties that fell due (one FEE_ADJUSTED "PENALTY: ..." entry per elapsed
  // period, up to the cap) on payable fees without a payment in flight. Returns how many periods
  // it charged. payd calls it periodically; payments charge what is due first regardless.
  virtual Result<size_t> ApplyDuePenalties() = 0;
  // Events (pay/events.h). Streams the caller's events from filter.from_sequence on, in sequence
  // order, to `visit` (until it returns false), then waits for new ones and streams them as they
  // become durable, until `visit` returns false or `cancelled` returns true (checked at least
  // every 250 ms). Returns OK when visit stopped it, kCancelled when cancelled did. Scope: AGENCY
  // its own agency; AUDITOR its granted agencies (or filter.agency_id, one of them); CHANNEL and
  // ADMIN kPermissionDenied (a channel sees bills only by number, never an agency's stream).
  virtual Status WatchEvents(const Principal& caller, const EventFilter& filter,
                             const std::function<bool(const PaymentEvent&)>& visit,
                             const std::function<bool()>& cancelled) const = 0;

  // Webhooks (AGENCY, for its own agency; another agency's webhook is kNotFound). The secret is
  // returned by CreateWebhook only; it is stored because the HMAC needs it.
  virtual Result<CreatedWebhook> CreateWebhook(const Principal& caller,
                                               const CreateWebhookRequest& request) = 0;
  virtual Result<std::vector<Webhook>> ListWebhooks(const Principal& caller) const = 0;
  // Removes the webhook, its cursor and its delivery records; nothing more is delivered.
  virtual Status DeleteWebhook(const Principal& caller, std::string_view webhook_id) = 0;
  virtual Result<ListWebhookDeliveriesResult> ListWebhookDeliveries(
      const Principal& caller, const ListWebhookDeliveriesRequest& request) const = 0;
  // Re-queues a FAILED delivery (or a DELIVERED replay): it is attempted again ahead of the
  // cursor's next event, with a fresh attempt count. Other states -> kFailedPrecondition.
  virtual Result<WebhookDelivery> ReplayWebhookDelivery(const Principal& caller,
                                                        std::string_view webhook_id,
                                                        uint64_t sequence) = 0;
  // The dispatcher's side (payd): at most one delivery per webhook that is due at `now_ms`: a
  // replayed one first, else the event after the webhook's cursor, when its next attempt is due.
  virtual Result<std::vector<WebhookTask>> DueWebhookDeliveries(int64_t now_ms) = 0;
  // Records the result of attempting `task`: delivered advances the cursor (or marks a replay
  // DELIVERED); a failure schedules the next attempt with backoff or records the dead letter.
  virtual Status RecordWebhookAttempt(const WebhookTask& task, const WebhookAttempt& attempt,
                                      int64_t now_ms) = 0;
  // Blocks until the ledger's last sequence exceeds `sequence` or `timeout_ms` passed; returns
  // whether it does. Entries are visible only once durable.
  virtual bool WaitForEntriesAfter(uint64_t sequence, int64_t timeout_ms) const = 0;
  // Refunds (PaymentService; pay/refund.h). AGENCY credentials of the payment's agency request,
  // approve and reject; AUDITOR credentials read.
  //
  // Requests a refund of a SUCCEEDED or PARTIALLY_REFUNDED payment. Under the bill's lock the
  // refunds of the payment that are not REJECTED or FAILED never sum above its amount: more ->
  // kFailedPrecondition saying how much is left. Idempotent per calling credential and key. A
  // refund above the agency's approval threshold for its currency (or in a currency without
  // one), or of a payment whose connector cannot refund, waits PENDING_APPROVAL; otherwise it is
  // sent to the connector at once and returned as it then stands (PROCESSING when the connector
  // has not confirmed it within collect_wait_ms).
  virtual Result<Refund> RefundPayment(const Principal& caller,
                                       const RefundPaymentRequest& request) = 0;
  // Maker-checker: an approver (Principal::approver) of the refund's agency other than its
  // requester approves a PENDING_APPROVAL refund; it is sent to the connector as above.
  virtual Result<Refund> ApproveRefund(const Principal& caller,
                                       const ApproveRefundRequest& request) = 0;
  // An approver of the refund's agency (the requester may withdraw their own) rejects a
  // PENDING_APPROVAL refund; its amount becomes refundable again.
  virtual Result<Refund> RejectRefund(const Principal& caller, std::string_view refund_id,
                                      std::string_view reason) = 0;
  virtual Result<Refund> GetRefund(const Principal& caller, std::string_view refund_id) const = 0;
  virtual Result<ListRefundsResult> ListRefunds(const Principal& caller,
                                                const ListRefundsRequest& request) const = 0;
  // ADMIN: replaces an agency's approval thresholds (one per currency). Recorded as a record,
  // not a ledger entry (no entry type exists for it yet).
  virtual Result<RefundPolicy> SetRefundPolicy(const Principal& caller, RefundPolicy policy) = 0;
  // Retries the payout of every refund left PROCESSING with the same refund id (connectors'
  // refunds are idempotent by id) and records the outcomes learnt. Returns how many are still
  // PROCESSING. payd calls it where it calls ResolvePendingPayments.
  virtual Result<size_t> ResolvePendingRefunds() = 0;
  // SettlementService (settlement.h, docs/settlement.md). ADMIN, and AUDITOR (which sees the
  // nets and transfers of its granted agencies only; "*": all).
  // Windows newest first, the OPEN one included.
  virtual Result<ListSettlementWindowsResult> ListSettlementWindows(
      const Principal& caller, int32_t page_size, std::string_view page_token) const = 0;
  // kNotFound for a window that does not exist yet.
  virtual Result<SettlementWindow> GetSettlementWindow(const Principal& caller,
                                                       uint64_t window_number) const = 0;
  // ADMIN. Closes the OPEN window (window_number 0: whichever is open) and opens the next one in
  // the same write, then sends its transfers and waits up to SettlementOptions::wait_ms for the
  // bank. Closing a window that is already closed returns it unchanged (idempotent); a window
  // that does not exist yet -> kFailedPrecondition naming the open one.
  virtual Result<SettlementWindow> CloseSettlementWindow(const Principal& caller,
                                                         uint64_t window_number) = 0;
  // ADMIN. Sends again, in a new pain.001 (attempt + 1), the transfers of a closed window that
  // are still owed (REJECTED, FAILED), with the treasury accounts as now configured.
  // kFailedPrecondition for an OPEN window.
  virtual Result<SettlementWindow> RetrySettlement(const Principal& caller,
                                                   uint64_t window_number) = 0;
  // The report of a closed window: CSV and JSON, each signed (Ed25519) with the gateway key.
  virtual Result<SettlementReport> GetSettlementReport(const Principal& caller,
                                                       uint64_t window_number) const = 0;
  // ADMIN. Where the money of a revenue account ("revenue/<agency>[/<label>]", the agency must
  // exist) is settled to. Replaces an earlier setting; the IBAN each transfer was sent to is in
  // its SENT ledger entry.
  virtual Result<TreasuryAccount> SetTreasuryAccount(const Principal& caller,
                                                     const TreasuryAccount& account) = 0;
  virtual Result<std::vector<TreasuryAccount>> ListTreasuryAccounts(
      const Principal& caller) const = 0;
  // payd's settlement thread: closes the OPEN window if it opened before `due_ms` (a scheduled
  // close; 0: no close), then resumes every window still settling: asks the bank about transfers
  // that were sent but not confirmed (resending the same message, which the bank deduplicates)
  // before anything new is sent. Returns how many windows are still not final.
  virtual Result<size_t> RunSettlement(int64_t due_ms) = 0;
  // payd's settlement thread, after RunSettlement: retries by itself the owed (REJECTED, FAILED)
  // transfers of closed windows with a backoff, and escalates those a person must handle
  // (SettlementOptions::retry_*, docs/settlement.md "Automatic retry and escalation"). A transfer
  // whose reason a resend cannot fix is escalated at once and retried only after its treasury
  // account changed. Escalation is a SETTLEMENT_TRANSFER ledger entry (state unchanged, detail
  // "ESCALATED: <reason>") with the transfer record, in one write. Returns the transfers this
  // call escalated (each transfer once), for the caller to log.
  virtual Result<std::vector<SettlementTransfer>> RetryOwedSettlementTransfers() = 0;
  // payd's settlement thread, after RunSettlement: fetches the collection account's statement
  // (camt.053) from the settlement connector and confirms every ACCEPTED, unconfirmed transfer
  // against it by EndToEndId: the same amount and currency booked as a debit -> CONFIRMED (a
  // SETTLEMENT_TRANSFER entry, state unchanged, detail "CONFIRMED ..."); another amount, or no
  // line confirm_grace_ms after acceptance -> a DISCREPANCY entry (kind
  // SETTLEMENT_AMOUNT_MISMATCH or SETTLEMENT_NOT_ON_STATEMENT) for people to look at, in the
  // same write as the transfer record. Nothing to confirm: no statement is fetched.
  virtual Result<SettlementConfirmation> ConfirmSettlementTransfers() = 0;
  // Bulk issuance (FeeService.CreateFees). AGENCY only; the fees belong to the caller's agency.
  // Issues a batch of 1..kMaxFeesPerBatch fees as one ledger write: one FEE_CREATED entry per
  // new fee, with the records and indexes CreateFee writes, durable before it returns. Every
  // request needs an idempotency_key: a request whose key (of this credential) already issued a
  // fee with the same fields returns that fee and issues nothing (so a retried batch replays);
  // the same key in the same batch twice is one fee. All or nothing: the first bad item fails the
  // whole batch and nothing is written; the status message starts with "fees[<i>]." and the
  // field path (kInvalidArgument), or names the item (kAlreadyExists for a key reused with other
  // fields, kNotFound / kFailedPrecondition for its fee type as CreateFee).
  virtual Result<CreateFeesResult> CreateFees(const Principal& caller,
                                              const std::vector<CreateFeeRequest>& requests) = 0;
};

}  // namespace pay

#endif  // PAY_GATEWAY_H_
