// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The byte encoding of everything libpay stores (after LevelDB's util/coding.h). It is canonical:
// one value has exactly one encoding, so that hashes over encoded ledger entries are stable.
//   fixed64     8 bytes big-endian (keys sort numerically)
//   varint      LEB128 unsigned, at most 10 bytes
//   signed      zigzag, then varint
//   string      varint length, then the bytes

#ifndef PAY_SRC_CODING_H_
#define PAY_SRC_CODING_H_

#include <cstdint>
#include <string>
#include <string_view>

#include "pay/money.h"
#include "pay/status.h"

namespace pay::internal {

void PutFixed64(std::string* out, uint64_t value);
void PutVarint(std::string* out, uint64_t value);
void PutSigned(std::string* out, int64_t value);
void PutString(std::string* out, std::string_view value);
void PutByte(std::string* out, uint8_t value);
// Currency code as a string, then minor units as signed. An empty Money encodes as "" and 0.
void PutMoney(std::string* out, const Money& money);

uint64_t DecodeFixed64(const char* bytes);

// Reads values back in the order they were put. Every Get fails (kDataLoss) on truncated or
// malformed input instead of reading past the end; after the first failure all Gets fail.
class Decoder {
 public:
  explicit Decoder(std::string_view input) : input_(input) {}

  bool GetFixed64(uint64_t* value);
  bool GetVarint(uint64_t* value);
  bool GetSigned(int64_t* value);
  bool GetString(std::string* value);
  bool GetByte(uint8_t* value);
  bool GetMoney(Money* money);

  bool done() const { return input_.empty(); }
  // OK when every Get succeeded and the input was consumed entirely; kDataLoss naming `what`
  // otherwise.
  Status Finish(std::string_view what) const;

 private:
  bool Fail() {
    failed_ = true;
    return false;
  }

  std::string_view input_;
  bool failed_ = false;
};

// Lower-case hex of `bytes`.
std::string HexEncode(std::string_view bytes);
// Inverse of HexEncode; false on odd length or a non-hex character.
bool HexDecode(std::string_view hex, std::string* bytes);

// `byte_count` random bytes from libsodium's CSPRNG, hex-encoded.
std::string RandomHex(size_t byte_count);

// Unpredictable bytes from libsodium's CSPRNG, drawn through a small per-thread buffer so that
// the hot path (an id per payment, fifteen digits per bill number) does not make a getrandom(2)
// system call each time: a profile of CreatePayment showed 6% of payd's CPU there.
void RandomBytes(void* out, size_t count);
// Uniform in [0, upper_bound) without modulo bias (rejection sampling); upper_bound > 0.
uint32_t RandomBelow(uint32_t upper_bound);

// BLAKE2b-256 (libsodium crypto_generichash) of `data`, 32 raw bytes.
std::string Blake2b256(std::string_view data);
// BLAKE2b-256 of `first` followed by `second` (without joining them), into *hash (resized to 32
// bytes, its storage reused).
void Blake2b256Of(std::string_view first, std::string_view second, std::string* hash);

}  // namespace pay::internal

#endif  // PAY_SRC_CODING_H_
