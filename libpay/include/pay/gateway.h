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
#include "pay/fee.h"
#include "pay/ledger_entry.h"
#include "pay/payment.h"
#include "pay/principal.h"
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
  // payd's maintenance: closes the OPEN window if it opened before `due_ms` (a scheduled close;
  // 0: no close), then resumes every window still settling: asks the bank about transfers that
  // were sent but not confirmed (resending the same message, which the bank deduplicates)
  // before anything new is sent. Returns how many windows are still not final.
  virtual Result<size_t> RunSettlement(int64_t due_ms) = 0;
};

}  // namespace pay

#endif  // PAY_GATEWAY_H_
