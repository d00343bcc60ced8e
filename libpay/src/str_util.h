// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// StrCat for messages. Debian's Abseil is built with its own absl::string_view, which
// absl::StrCat accepts but std::string_view does not convert to; this one takes both.

#ifndef PAY_SRC_STR_UTIL_H_
#define PAY_SRC_STR_UTIL_H_

#include <concepts>
#include <string>
#include <string_view>

#include "absl/strings/string_view.h"

namespace pay::internal {

inline void AppendPiece(std::string* out, std::string_view piece) { out->append(piece); }
inline void AppendPiece(std::string* out, const char* piece) { out->append(piece); }
inline void AppendPiece(std::string* out, const std::string& piece) { out->append(piece); }
inline void AppendPiece(std::string* out, absl::string_view piece) {
  out->append(piece.data(), piece.size());
}
inline void AppendPiece(std::string* out, char piece) { out->push_back(piece); }
template <std::integral T>
  requires(!std::same_as<T, char> && !std::same_as<T, bool>)
void AppendPiece(std::string* out, T number) {
  out->append(std::to_string(number));
}

template <typename... Pieces>
std::string StrCat(const Pieces&... pieces) {
  std::string out;
  (AppendPiece(&out, pieces), ...);
  return out;
}

}  // namespace pay::internal

#endif  // PAY_SRC_STR_UTIL_H_
