// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// InputBuffer: the bytes of an export file, read one at a time through a fixed buffer, so that a
// file of any size is read in constant memory. Not thread-safe.

#ifndef PAY_TOOLS_PAYCLI_INPUT_BUFFER_H_
#define PAY_TOOLS_PAYCLI_INPUT_BUFFER_H_

#include <cstddef>
#include <cstdio>
#include <string>

namespace paycli {

// No line or CSV record of an export is longer than this: the largest real one is a checkpoint
// with every agency head and balance, far below. Longer input is refused, not buffered.
inline constexpr size_t kMaxRecordBytes = size_t{64} << 20;

class InputBuffer {
 public:
  // `file` is not owned and must outlive the buffer.
  explicit InputBuffer(std::FILE* file) : file_(file) {}

  InputBuffer(const InputBuffer&) = delete;
  InputBuffer& operator=(const InputBuffer&) = delete;

  // The next byte (0..255), or -1 at the end of the input or on a read error (see error()).
  int Get() {
    if (position_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[position_++]);
  }
  // The byte Get() would return, without consuming it.
  int Peek() {
    if (position_ == end_ && !Fill()) return -1;
    return static_cast<unsigned char>(buffer_[position_]);
  }
  // Appends to *out the bytes before the next `delimiter`, and consumes the delimiter too.
  // Returns false when the input ended (or failed) before a delimiter, or when more than `limit`
  // bytes would be appended (then *out holds more than `limit` bytes).
  bool AppendUntil(char delimiter, size_t limit, std::string* out);

  // True once reading failed (rather than reaching the end).
  bool error() const { return error_; }

 private:
  bool Fill();

  std::FILE* file_;
  char buffer_[1 << 16];
  size_t position_ = 0;
  size_t end_ = 0;
  bool error_ = false;
};

}  // namespace paycli

#endif  // PAY_TOOLS_PAYCLI_INPUT_BUFFER_H_
