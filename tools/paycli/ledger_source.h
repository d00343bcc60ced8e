// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Where ledger entries come from: a running payd (LedgerService.ExportLedger, an AUDITOR key) or
// a data directory read offline (pay::LedgerReader: no key, access to the files is the
// authority). Both stream entries in sequence order to a visitor, in constant memory, and apply
// the same filter.

#ifndef PAY_TOOLS_PAYCLI_LEDGER_SOURCE_H_
#define PAY_TOOLS_PAYCLI_LEDGER_SOURCE_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "client.h"
#include "pay/audit.h"
#include "pay/ledger_entry.h"

namespace paycli {

struct LedgerQuery {
  // Set: read this data directory offline. Empty: ask payd at the configured server.
  std::string data_dir;
  uint64_t from_sequence = 1;
  // Set: only this agency's entries and every checkpoint.
  std::string agency_id;
  // Only entries committed at or after from_time_ms and before to_time_ms (Unix ms).
  std::optional<int64_t> from_time_ms;
  std::optional<int64_t> to_time_ms;
};

// Called for each entry in sequence order, with its hash (pay::EntryHash(entry), 32 bytes, computed
// once by the reader: from the stored bytes offline); returning false stops the reading (not an
// error). Both are valid during the call only.
using EntryVisitor = std::function<bool(const pay::LedgerEntry&, std::string_view hash)>;

// How a read ended.
struct ReadOutcome {
  absl::Status status;
  // True when `status` is payd's answer (or the network's), false when it arose here.
  bool remote = false;
};

// Reads the entries `query` selects. Over gRPC, a stream broken after some entries were received
// is resumed where it stopped (a few times); no entry is delivered twice. If payd sends nothing
// for config.timeout_seconds, the call is cancelled (kDeadlineExceeded).
ReadOutcome ReadLedger(const LedgerQuery& query, const ClientConfig& config,
                       const EntryVisitor& visit);

// The offline half of ReadLedger, on an open reader (verify also needs its balances).
absl::Status ReadLedgerOffline(const pay::LedgerReader& reader, const LedgerQuery& query,
                               const EntryVisitor& visit);

// Prints a failed read on stderr and returns the exit code: payd's answers as ReportRpcError (1),
// a --data-dir that is no data directory as ReportUsageError (2), anything else as
// "paycli: <what> failed: ..." (1).
int ReportReadFailure(const ReadOutcome& outcome, const ClientConfig& config,
                      const std::string& what);

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_LEDGER_SOURCE_H_
