// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The ISO 20022 bank connector through the conformance kit (pay/connector/conformance.h),
// against a real bank-sim started by BankHarness for each test.

#include <gtest/gtest.h>

#include "pay/connector/conformance.h"
#include "sim/bank_harness.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  pay::connector::conformance::RegisterTests("Iso20022Conformance",
                                             &pay::iso20022::sim::NewBankHarness);
  return RUN_ALL_TESTS();
}
