// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A Google Benchmark reporter that prints the usual table, then each measured piece beside the
// baseline measured in the same run, as a ratio of CPU time per iteration.

#ifndef PAY_BENCHMARKS_RATIO_REPORTER_H_
#define PAY_BENCHMARKS_RATIO_REPORTER_H_

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <string>
#include <utility>
#include <vector>

namespace pay::bench {

class RatioReporter : public benchmark::ConsoleReporter {
 public:
  // Pairs of benchmark names: {piece, its baseline}.
  explicit RatioReporter(std::vector<std::pair<std::string, std::string>> pairs)
      : pairs_(std::move(pairs)) {}

  void ReportRuns(const std::vector<Run>& runs) override {
    ConsoleReporter::ReportRuns(runs);
    for (const Run& run : runs) cpu_ns_[run.benchmark_name()] = run.GetAdjustedCPUTime();
  }

  void Finalize() override {
    ConsoleReporter::Finalize();
    std::printf("\n%-20s %-20s %10s %10s %8s\n", "piece", "baseline", "piece ns", "base ns",
                "ratio");
    for (const auto& [piece, baseline] : pairs_) {
      if (!cpu_ns_.count(piece) || !cpu_ns_.count(baseline)) continue;
      std::printf("%-20s %-20s %10.1f %10.1f %7.1fx\n", piece.c_str(), baseline.c_str(),
                  cpu_ns_[piece], cpu_ns_[baseline], cpu_ns_[piece] / cpu_ns_[baseline]);
    }
  }

 private:
  std::vector<std::pair<std::string, std::string>> pairs_;
  std::map<std::string, double> cpu_ns_;
};

// Runs the registered benchmarks with a RatioReporter over `pairs`; main() of a benchmark file.
inline int RunWithRatios(int argc, char** argv,
                         std::vector<std::pair<std::string, std::string>> pairs) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter(std::move(pairs));
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}

}  // namespace pay::bench

#endif  // PAY_BENCHMARKS_RATIO_REPORTER_H_
