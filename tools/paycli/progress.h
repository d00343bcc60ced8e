// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Progress of a long pass over the ledger, on stderr, for the person waiting:
//   "exported 1200000 entries (up to sequence 1200000), 412345 entries/s"
// rewritten in place about once a second on a terminal, a new line every ten seconds otherwise
// (a log), then a final line. Silent when quiet.
// Not thread-safe.

#ifndef PAY_TOOLS_PAYCLI_PROGRESS_H_
#define PAY_TOOLS_PAYCLI_PROGRESS_H_

#include <chrono>
#include <cstdint>
#include <string>

namespace paycli {

class Progress {
 public:
  // `verb` starts each line ("exported", "verified").
  Progress(std::string verb, bool quiet);

  // Counts one more entry, the last one having `sequence`; prints a line when one is due.
  void Add(uint64_t sequence) {
    ++entries_;
    sequence_ = sequence;
    if ((entries_ & 1023) == 0) MaybePrint();
  }

  // Prints the final line, with `suffix` appended (e.g. " to ledger.jsonl").
  void Finish(const std::string& suffix);

  uint64_t entries() const { return entries_; }
  uint64_t last_sequence() const { return sequence_; }
  double seconds() const;
  // Entries per second since the start.
  double rate() const;

 private:
  void MaybePrint();
  std::string Line() const;

  std::string verb_;
  bool quiet_;
  bool terminal_;  // stderr is a terminal
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_print_;
  uint64_t entries_ = 0;
  uint64_t sequence_ = 0;
};

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_PROGRESS_H_
