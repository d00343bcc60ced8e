// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "progress.h"

#include <unistd.h>

#include <cmath>
#include <cstdio>
#include <iostream>

#include "absl/strings/str_cat.h"

namespace paycli {
namespace {

// On a terminal one line is rewritten each second; into a file or a pipe (a log) a new line is
// written every ten seconds, so that a long export leaves a readable trail and not thousands.
constexpr std::chrono::seconds kTerminalInterval{1};
constexpr std::chrono::seconds kLogInterval{10};

}  // namespace

Progress::Progress(std::string verb, bool quiet)
    : verb_(std::move(verb)),
      quiet_(quiet),
      terminal_(::isatty(STDERR_FILENO) == 1),
      start_(std::chrono::steady_clock::now()),
      last_print_(start_) {}

double Progress::seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

double Progress::rate() const {
  const double elapsed = seconds();
  return elapsed > 0 ? static_cast<double>(entries_) / elapsed : 0;
}

std::string Progress::Line() const {
  return absl::StrCat(verb_, " ", entries_, " entries",
                      entries_ > 0 ? absl::StrCat(" (up to sequence ", sequence_, ")") : "", ", ",
                      std::llround(rate()), " entries/s");
}

void Progress::MaybePrint() {
  if (quiet_) return;
  const auto now = std::chrono::steady_clock::now();
  if (now - last_print_ < (terminal_ ? kTerminalInterval : kLogInterval)) return;
  last_print_ = now;
  if (terminal_) {
    std::cerr << "\r" << Line() << std::flush;
  } else {
    std::cerr << Line() << std::endl;
  }
}

void Progress::Finish(const std::string& suffix) {
  if (quiet_) return;
  char elapsed[32];
  std::snprintf(elapsed, sizeof(elapsed), "%.1f", seconds());
  std::cerr << (terminal_ ? "\r" : "") << verb_ << " " << entries_ << " entries"
            << (entries_ > 0 ? absl::StrCat(" (up to sequence ", sequence_, ")") : "") << suffix
            << " in " << elapsed << "s, " << std::llround(rate()) << " entries/s" << std::endl;
}

}  // namespace paycli
