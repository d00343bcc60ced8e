// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The wallet connector through the conformance kit, against a real wallet-sim over mutual TLS.

#include <gtest/gtest.h>

#include "pay/connector/conformance.h"
#include "wallet_conformance_harness.h"

int main(int argc, char** argv) {
  testing::InitGoogleTest(&argc, argv);
  pay::connector::conformance::RegisterTests(
      "WalletConformance", [] { return std::make_unique<pay::wallet::WalletConformanceHarness>(); });
  return RUN_ALL_TESTS();
}
