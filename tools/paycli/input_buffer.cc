// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "input_buffer.h"

#include <cstring>

namespace paycli {

bool InputBuffer::Fill() {
  if (error_) return false;
  position_ = 0;
  end_ = std::fread(buffer_, 1, sizeof(buffer_), file_);
  if (end_ == 0 && std::ferror(file_)) error_ = true;
  return end_ > 0;
}

bool InputBuffer::AppendUntil(char delimiter, size_t limit, std::string* out) {
  while (position_ < end_ || Fill()) {
    const char* start = buffer_ + position_;
    const size_t available = end_ - position_;
    const void* found = std::memchr(start, delimiter, available);
    const size_t length =
        found == nullptr ? available : static_cast<size_t>(static_cast<const char*>(found) - start);
    out->append(start, length);
    position_ += length;
    if (out->size() > limit) return false;
    if (found != nullptr) {
      ++position_;  // the delimiter
      return true;
    }
  }
  return false;
}

}  // namespace paycli
