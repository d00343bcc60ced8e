// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "crash_ledger.h"

#include <fstream>
#include <sstream>

#include "pay/audit.h"

namespace pay::integration::crash {

::testing::AssertionResult LedgerVerifies(const std::string& data_dir,
                                          const std::map<std::string, ItemRecord>& records) {
  std::ifstream key_file(data_dir + "/signing.pub");
  std::stringstream key_hex;
  key_hex << key_file.rdbuf();
  Result<std::string> public_key = ParsePublicKeyHex(key_hex.str());
  if (!public_key.ok()) return ::testing::AssertionFailure() << public_key.status();
  Result<std::unique_ptr<LedgerReader>> reader = LedgerReader::Open(data_dir);
  if (!reader.ok()) return ::testing::AssertionFailure() << reader.status();

  LedgerVerifier verifier({*public_key, ""});
  Status added;
  Status read = (*reader)->ReadEntries(1, [&](const LedgerEntry& entry) {
    added = verifier.Add(entry);
    return added.ok();
  });
  if (!read.ok()) return ::testing::AssertionFailure() << "reading the ledger: " << read;
  if (!added.ok()) return ::testing::AssertionFailure() << "verifying the ledger: " << added;
  Result<VerifySummary> summary = verifier.Finish();
  if (!summary.ok()) return ::testing::AssertionFailure() << summary.status();
  if (summary->checkpoints == 0 || summary->last_checkpoint_sequence != summary->last_sequence) {
    return ::testing::AssertionFailure()
           << "the shutdown checkpoint should cover the whole ledger (last checkpoint at "
           << summary->last_checkpoint_sequence << ", last entry " << summary->last_sequence << ")";
  }
  if (summary->balances != (*reader)->Balances()) {
    return ::testing::AssertionFailure() << "replayed balances differ from the stored ones";
  }
  int64_t acknowledged_minor = 0;
  for (const auto& [id, record] : records) {
    if (!record.payment_id.empty()) acknowledged_minor += record.item.fee_request.amount().minor_units();
  }
  int64_t collected_minor = 0;
  for (const AccountBalance& balance : summary->balances) {
    if (balance.account == "clearing/sandbox") collected_minor = balance.balance.minor_units();
  }
  if (collected_minor != acknowledged_minor) {
    return ::testing::AssertionFailure() << "clearing/sandbox holds " << collected_minor
                                         << " minor units, the acknowledged payments sum to "
                                         << acknowledged_minor;
  }
  std::cout << "[crash] ledger verified: " << summary->entries << " entries, "
            << summary->checkpoints << " signed checkpoints, " << collected_minor
            << " SAR minor units collected\n";
  return ::testing::AssertionSuccess();
}

}  // namespace pay::integration::crash
