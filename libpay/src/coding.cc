// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.

#include "coding.h"

#include <sodium.h>

#include <cstring>

#include "str_util.h"

namespace pay::internal {

void PutFixed64(std::string* out, uint64_t value) {
  char bytes[8];
  for (int i = 7; i >= 0; --i) {
    bytes[i] = static_cast<char>(value & 0xff);
    value >>= 8;
  }
  out->append(bytes, 8);
}

void PutVarint(std::string* out, uint64_t value) {
  while (value >= 0x80) {
    out->push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out->push_back(static_cast<char>(value));
}

void PutSigned(std::string* out, int64_t value) {
  // Zigzag: small magnitudes of either sign stay short.
  uint64_t zigzag = (static_cast<uint64_t>(value) << 1) ^ static_cast<uint64_t>(value >> 63);
  PutVarint(out, zigzag);
}

void PutString(std::string* out, std::string_view value) {
  PutVarint(out, value.size());
  out->append(value);
}

void PutByte(std::string* out, uint8_t value) { out->push_back(static_cast<char>(value)); }

void PutMoney(std::string* out, const Money& money) {
  PutString(out, money.currency());
  PutSigned(out, money.minor_units());
}

uint64_t DecodeFixed64(const char* bytes) {
  uint64_t value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<uint8_t>(bytes[i]);
  return value;
}

bool Decoder::GetFixed64(uint64_t* value) {
  if (failed_ || input_.size() < 8) return Fail();
  *value = DecodeFixed64(input_.data());
  input_.remove_prefix(8);
  return true;
}

bool Decoder::GetVarint(uint64_t* value) {
  if (failed_) return false;
  uint64_t result = 0;
  for (int shift = 0; shift <= 63; shift += 7) {
    if (input_.empty()) return Fail();
    uint8_t byte = static_cast<uint8_t>(input_.front());
    input_.remove_prefix(1);
    if (shift == 63 && byte > 1) return Fail();  // more than 64 bits
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      return true;
    }
  }
  return Fail();
}

bool Decoder::GetSigned(int64_t* value) {
  uint64_t zigzag = 0;
  if (!GetVarint(&zigzag)) return false;
  *value = static_cast<int64_t>((zigzag >> 1) ^ (~(zigzag & 1) + 1));
  return true;
}

bool Decoder::GetString(std::string* value) {
  uint64_t size = 0;
  if (!GetVarint(&size)) return false;
  if (size > input_.size()) return Fail();
  value->assign(input_.data(), size);
  input_.remove_prefix(size);
  return true;
}

bool Decoder::GetByte(uint8_t* value) {
  if (failed_ || input_.empty()) return Fail();
  *value = static_cast<uint8_t>(input_.front());
  input_.remove_prefix(1);
  return true;
}

bool Decoder::GetMoney(Money* money) {
  std::string currency;
  int64_t minor_units = 0;
  if (!GetString(&currency) || !GetSigned(&minor_units)) return false;
  if (currency.empty() && minor_units == 0) {
    *money = Money();
    return true;
  }
  Result<Money> decoded = Money::Create(currency, minor_units);
  if (!decoded.ok()) return Fail();
  *money = *std::move(decoded);
  return true;
}

Status Decoder::Finish(std::string_view what) const {
  if (failed_) return absl::DataLossError(StrCat("stored ", what, " is truncated or malformed"));
  if (!input_.empty()) {
    return absl::DataLossError(
        StrCat("stored ", what, " has ", input_.size(), " unexpected trailing bytes"));
  }
  return absl::OkStatus();
}

std::string HexEncode(std::string_view bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(bytes.size() * 2);
  for (char c : bytes) {
    uint8_t byte = static_cast<uint8_t>(c);
    hex.push_back(kDigits[byte >> 4]);
    hex.push_back(kDigits[byte & 0xf]);
  }
  return hex;
}

bool HexDecode(std::string_view hex, std::string* bytes) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  bytes->clear();
  bytes->reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int high = nibble(hex[i]);
    int low = nibble(hex[i + 1]);
    if (high < 0 || low < 0) return false;
    bytes->push_back(static_cast<char>(high << 4 | low));
  }
  return true;
}

namespace {
void EnsureSodium() {
  static const bool initialised = [] {
    PAY_CHECK(sodium_init() >= 0);
    return true;
  }();
  (void)initialised;
}
}  // namespace

void RandomBytes(void* out, size_t count) {
  EnsureSodium();
  constexpr size_t kBufferBytes = 512;
  // Bytes handed out are wiped from the buffer, so a later reader of this memory learns nothing
  // about ids already issued.
  thread_local unsigned char buffer[kBufferBytes];
  thread_local size_t available = 0;
  auto* to = static_cast<unsigned char*>(out);
  if (count > kBufferBytes / 2) {
    randombytes_buf(to, count);
    return;
  }
  if (available < count) {
    randombytes_buf(buffer, kBufferBytes);
    available = kBufferBytes;
  }
  unsigned char* from = buffer + (kBufferBytes - available);
  std::memcpy(to, from, count);
  sodium_memzero(from, count);
  available -= count;
}

uint32_t RandomBelow(uint32_t upper_bound) {
  PAY_CHECK(upper_bound > 0);
  if (upper_bound <= 256) {
    // One byte per draw for small ranges (the digits of a bill number).
    const unsigned limit = 256 - 256 % upper_bound;
    while (true) {
      unsigned char byte = 0;
      RandomBytes(&byte, 1);
      if (byte < limit) return byte % upper_bound;
    }
  }
  // The largest multiple of upper_bound that fits in 32 bits: values at or above it are drawn
  // again, so every residue is equally likely.
  const uint64_t limit = (uint64_t{1} << 32) - ((uint64_t{1} << 32) % upper_bound);
  while (true) {
    uint32_t value = 0;
    RandomBytes(&value, sizeof value);
    if (value < limit) return value % upper_bound;
  }
}

std::string RandomHex(size_t byte_count) {
  std::string bytes(byte_count, '\0');
  RandomBytes(bytes.data(), bytes.size());
  return HexEncode(bytes);
}

std::string Blake2b256(std::string_view data) {
  EnsureSodium();
  std::string hash(crypto_generichash_BYTES, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(data.data()), data.size(), nullptr, 0);
  return hash;
}

void Blake2b256Of(std::string_view first, std::string_view second, std::string* hash) {
  EnsureSodium();
  crypto_generichash_state state;
  crypto_generichash_init(&state, nullptr, 0, crypto_generichash_BYTES);
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(first.data()),
                            first.size());
  crypto_generichash_update(&state, reinterpret_cast<const unsigned char*>(second.data()),
                            second.size());
  hash->resize(crypto_generichash_BYTES);
  crypto_generichash_final(&state, reinterpret_cast<unsigned char*>(hash->data()), hash->size());
}

}  // namespace pay::internal
