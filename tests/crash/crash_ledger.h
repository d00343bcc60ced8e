// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// After the kill cycles: the ledger they left behind must verify as an auditor would check it.

#ifndef PAY_TESTS_CRASH_CRASH_LEDGER_H_
#define PAY_TESTS_CRASH_CRASH_LEDGER_H_

#include <gtest/gtest.h>

#include <map>
#include <string>

#include "ack_book.h"

namespace pay::integration::crash {

// Reads `data_dir` offline (payd stopped) and checks, with the key in DIR/signing.pub: every hash
// link, every checkpoint signature, balanced postings; the balances replayed from the entries
// equal the stored ones; and the money collected (clearing/sandbox) equals the sum of the
// acknowledged payments' amounts, to the minor unit.
::testing::AssertionResult LedgerVerifies(const std::string& data_dir,
                                          const std::map<std::string, ItemRecord>& records);

}  // namespace pay::integration::crash

#endif  // PAY_TESTS_CRASH_CRASH_LEDGER_H_
