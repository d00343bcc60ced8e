// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Micro-benchmarks of the per-request pieces of the payment path, each beside a baseline measured
// in the same run: Money::Parse next to strtoll over the same digits, the Damm check beside a
// plain digit sum (the cheapest checksum imaginable). Read the ratio, not the absolute figure.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "pay/bill_number.h"
#include "pay/money.h"
#include "ratio_reporter.h"

namespace {

void BM_BaselineStrtoll(benchmark::State& state) {
  const std::string text = "1234567.89";
  for (auto _ : state) {
    char* end = nullptr;
    benchmark::DoNotOptimize(std::strtoll(text.c_str(), &end, 10));
  }
}
BENCHMARK(BM_BaselineStrtoll);

void BM_MoneyParse(benchmark::State& state) {
  for (auto _ : state) benchmark::DoNotOptimize(pay::Money::Parse("1234567.89 SAR"));
}
BENCHMARK(BM_MoneyParse);

void BM_MoneyToString(benchmark::State& state) {
  const pay::Money money = pay::Money::Create("KWD", 123456789).value();
  for (auto _ : state) benchmark::DoNotOptimize(money.ToString());
}
BENCHMARK(BM_MoneyToString);

void BM_BaselineDigitSum(benchmark::State& state) {
  const std::string digits = "482109375561220";
  for (auto _ : state) {
    int sum = 0;
    for (char c : digits) sum += c - '0';
    benchmark::DoNotOptimize(sum);
  }
}
BENCHMARK(BM_BaselineDigitSum);

void BM_DammCheckDigit(benchmark::State& state) {
  const std::string digits = "482109375561220";
  for (auto _ : state) benchmark::DoNotOptimize(pay::DammCheckDigit(digits));
}
BENCHMARK(BM_DammCheckDigit);

void BM_ParseBillNumber(benchmark::State& state) {
  const std::string bill = pay::FormatBillNumber(pay::GenerateBillNumber());
  for (auto _ : state) benchmark::DoNotOptimize(pay::ParseBillNumber(bill));
}
BENCHMARK(BM_ParseBillNumber);

}  // namespace

int main(int argc, char** argv) {
  return pay::bench::RunWithRatios(argc, argv,
                                   {{"BM_MoneyParse", "BM_BaselineStrtoll"},
                                    {"BM_MoneyToString", "BM_BaselineStrtoll"},
                                    {"BM_DammCheckDigit", "BM_BaselineDigitSum"},
                                    {"BM_ParseBillNumber", "BM_BaselineDigitSum"}});
}
