// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// Opening the gateway, first-time initialisation, authentication and the helpers shared by the
// service halves (gateway_admin.cc, gateway_fees.cc, gateway_payments.cc).

#include <fcntl.h>
#include <sodium.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cctype>
#include <chrono>
#include <filesystem>

#include "str_util.h"
#include "coding.h"
#include "gateway_internal.h"

namespace pay {
namespace internal {
namespace {

constexpr std::string_view kInitializedKey = "initialized";

std::string LedgerPath(const std::string& data_dir) { return data_dir + "/ledger"; }

// Writes `content` to `path` with `mode`, durably and atomically (temporary file, fsync, rename).
Status WriteFileAtomically(const std::string& path, std::string_view content, mode_t mode) {
  std::string temporary = path + ".tmp";
  int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return absl::InternalError(StrCat("cannot create ", temporary));
  bool ok = ::fchmod(fd, mode) == 0 &&
            ::write(fd, content.data(), content.size()) == static_cast<ssize_t>(content.size()) &&
            ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    ::unlink(temporary.c_str());
    return absl::InternalError(StrCat("cannot write ", path));
  }
  return absl::OkStatus();
}

// Creates the Ed25519 key pair that signs checkpoints, unless it exists.
Status EnsureSigningKey(const std::string& data_dir) {
  std::string secret_path = data_dir + "/signing.key";
  if (std::filesystem::exists(secret_path)) return absl::OkStatus();
  unsigned char public_key[crypto_sign_PUBLICKEYBYTES];
  unsigned char secret_key[crypto_sign_SECRETKEYBYTES];
  crypto_sign_keypair(public_key, secret_key);
  std::string secret_hex = HexEncode(std::string_view(reinterpret_cast<char*>(secret_key), sizeof secret_key));
  sodium_memzero(secret_key, sizeof secret_key);
  PAY_RETURN_IF_ERROR(WriteFileAtomically(data_dir + "/signing.pub",
      HexEncode(std::string_view(reinterpret_cast<char*>(public_key), sizeof public_key)) + "\n",
      0644));
  Status status = WriteFileAtomically(secret_path, secret_hex + "\n", 0600);
  sodium_memzero(secret_hex.data(), secret_hex.size());
  return status;
}

int64_t SystemNowMs() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

std::string IndexPrefix(std::string_view index, std::string_view owner) {
  std::string prefix(index);
  prefix.push_back('\0');
  prefix.append(owner);
  prefix.push_back('\0');
  return prefix;
}

std::string IndexKey(std::string_view index, std::string_view owner, int64_t time_ms,
                     std::string_view id) {
  std::string key = IndexPrefix(index, owner);
  PutFixed64(&key, static_cast<uint64_t>(time_ms));
  key.append(id);
  return key;
}

Status ValidateText(std::string_view field, std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return absl::InvalidArgumentError(
        StrCat(field, ": at most ", max_bytes, " bytes, got ", text.size()));
  }
  for (char c : text) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n' && c != '\t') {
      return absl::InvalidArgumentError(StrCat(field, ": contains a control character"));
    }
  }
  return absl::OkStatus();
}

Status ValidateLocalizedText(std::string_view field, const LocalizedText& text, size_t max_bytes,
                             bool required) {
  if (required && text.en.empty() && text.ar.empty()) {
    return absl::InvalidArgumentError(StrCat(field, ": give the English (", field,
                                                   ".en) or Arabic (", field, ".ar) text"));
  }
  PAY_RETURN_IF_ERROR(ValidateText(StrCat(field, ".en"), text.en, max_bytes));
  return ValidateText(StrCat(field, ".ar"), text.ar, max_bytes);
}

Status ValidateIdempotencyKey(std::string_view field, std::string_view key, bool required) {
  if (key.empty()) {
    if (!required) return absl::OkStatus();
    return absl::InvalidArgumentError(
        StrCat(field, ": required; send a unique key per payment and reuse it on retry"));
  }
  if (key.size() > 128) {
    return absl::InvalidArgumentError(StrCat(field, ": at most 128 bytes, got ", key.size()));
  }
  for (char c : key) {
    if (c < 0x20 || c > 0x7e) {
      return absl::InvalidArgumentError(
          StrCat(field, ": only printable ASCII (0x20 to 0x7E) is allowed"));
    }
  }
  return absl::OkStatus();
}

Status ValidateId(std::string_view field, std::string_view id) {
  if (id.empty()) return absl::InvalidArgumentError(StrCat(field, ": required"));
  if (id.size() > 64) return absl::InvalidArgumentError(StrCat(field, ": too long"));
  for (char c : id) {
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-')) {
      return absl::InvalidArgumentError(StrCat(field, ": not a valid identifier"));
    }
  }
  return absl::OkStatus();
}

Result<int32_t> PageSize(int32_t requested) {
  if (requested == 0) return 100;
  if (requested < 0 || requested > 1000) {
    return absl::InvalidArgumentError(
        StrCat("page_size: must be between 1 and 1000 (0 for 100), got ", requested));
  }
  return requested;
}

std::string EncodePageToken(std::string_view key) { return HexEncode(key); }

Result<std::string> DecodePageToken(std::string_view token, std::string_view prefix) {
  std::string key;
  if (!HexDecode(token, &key) || key.rfind(prefix, 0) != 0) {
    return absl::InvalidArgumentError(
        "page_token: not a token of this listing; pass next_page_token unchanged, with the same "
        "filters");
  }
  return key;
}

GatewayImpl::GatewayImpl(std::unique_ptr<Ledger> ledger, GatewayOptions options,
                         std::string public_key)
    : ledger_(std::move(ledger)), options_(std::move(options)), public_key_(std::move(public_key)) {}

// Reads DIR/signing.key (hex of libsodium's 64-byte Ed25519 secret key, whose second half is the
// public key).
Result<std::string> LoadSigningKey(const std::string& data_dir) {
  const std::string path = data_dir + "/signing.key";
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    return absl::FailedPreconditionError(
        StrCat("cannot read ", path, "; run `payd init --data-dir ", data_dir, "`"));
  }
  std::string hex(256, '\0');
  ssize_t size = ::read(fd, hex.data(), hex.size());
  ::close(fd);
  hex.resize(size > 0 ? static_cast<size_t>(size) : 0);
  while (!hex.empty() && (hex.back() == '\n' || hex.back() == '\r')) hex.pop_back();
  std::string secret;
  bool ok = HexDecode(hex, &secret) && secret.size() == crypto_sign_SECRETKEYBYTES;
  sodium_memzero(hex.data(), hex.size());
  if (!ok) return absl::DataLossError(StrCat(path, " is not an Ed25519 secret key"));
  return secret;
}

int64_t GatewayImpl::NowMs() const {
  return options_.clock_ms ? options_.clock_ms() : SystemNowMs();
}

Result<Principal> GatewayImpl::Authenticate(std::string_view api_key) const {
  const Status unauthenticated = absl::UnauthenticatedError(
      "invalid or revoked API key; send `authorization: Bearer <api-key>` with a key issued by "
      "AdminService.CreateCredential");
  if (api_key.size() != 69 || api_key.substr(0, 5) != "payk_") return unauthenticated;
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> credential_id,
                       ledger_->Get(Table::kCredentialKeys, HashApiKey(api_key)));
  if (!credential_id) return unauthenticated;
  PAY_ASSIGN_OR_RETURN(std::optional<Credential> credential, LoadCredential(*credential_id));
  if (!credential || credential->revoked) return unauthenticated;
  return Principal{credential->credential_id, credential->role, credential->agency_ids,
                   credential->approver};
}

Result<std::optional<Fee>> GatewayImpl::LoadFee(std::string_view fee_id) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ledger_->Get(Table::kFees, fee_id));
  if (!bytes) return std::optional<Fee>();
  Fee fee;
  PAY_RETURN_IF_ERROR(DecodeFee(*bytes, &fee));
  return std::optional<Fee>(std::move(fee));
}

Result<std::optional<Payment>> GatewayImpl::LoadPayment(std::string_view payment_id) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kPayments, payment_id));
  if (!bytes) return std::optional<Payment>();
  Payment payment;
  PAY_RETURN_IF_ERROR(DecodePayment(*bytes, &payment));
  return std::optional<Payment>(std::move(payment));
}

Result<std::optional<Agency>> GatewayImpl::LoadAgency(std::string_view agency_id) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes, ledger_->Get(Table::kAgencies, agency_id));
  if (!bytes) return std::optional<Agency>();
  Agency agency;
  PAY_RETURN_IF_ERROR(DecodeAgency(*bytes, &agency));
  return std::optional<Agency>(std::move(agency));
}

Result<std::optional<Credential>> GatewayImpl::LoadCredential(
    std::string_view credential_id) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kCredentials, credential_id));
  if (!bytes) return std::optional<Credential>();
  Credential credential;
  PAY_RETURN_IF_ERROR(DecodeCredential(*bytes, &credential));
  return std::optional<Credential>(std::move(credential));
}

Result<std::optional<IdempotencyRecord>> GatewayImpl::LoadIdempotency(
    const std::string& storage_key) const {
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> bytes,
                       ledger_->Get(Table::kIdempotency, storage_key));
  if (!bytes) return std::optional<IdempotencyRecord>();
  IdempotencyRecord record;
  PAY_RETURN_IF_ERROR(DecodeIdempotency(*bytes, &record));
  // Past the retention period the key is forgotten: the same key starts a new request.
  if (NowMs() - record.create_time_ms > options_.idempotency_retention_ms) {
    return std::optional<IdempotencyRecord>();
  }
  return std::optional<IdempotencyRecord>(std::move(record));
}

Result<std::string> GatewayImpl::ScanIndex(
    std::string_view prefix, std::string_view page_token, int64_t from_ms, int64_t to_ms,
    int32_t page_size, const std::function<Result<bool>(std::string_view id)>& load) const {
  std::string start_after;
  if (!page_token.empty()) {
    PAY_ASSIGN_OR_RETURN(start_after, DecodePageToken(page_token, prefix));
  } else if (to_ms > 0) {
    // Keys at `to_ms` sort after prefix+time, so seeking before it excludes them (to is exclusive).
    start_after = std::string(prefix);
    PutFixed64(&start_after, static_cast<uint64_t>(to_ms));
  }
  int32_t count = 0;
  std::string last_key;
  bool more = false;
  Status load_status;
  PAY_RETURN_IF_ERROR(ledger_->Scan(
      Table::kIndex, prefix, start_after, /*reverse=*/true,
      [&](std::string_view key, std::string_view) {
        if (key.size() < prefix.size() + 8) return true;  // not an index key of this shape
        int64_t time_ms = static_cast<int64_t>(DecodeFixed64(key.data() + prefix.size()));
        if (to_ms > 0 && time_ms >= to_ms) return true;
        if (time_ms < from_ms) return false;  // newest first: everything after is older
        if (count == page_size) {
          more = true;
          return false;
        }
        Result<bool> kept = load(key.substr(prefix.size() + 8));
        if (!kept.ok()) {
          load_status = kept.status();
          return false;
        }
        if (*kept) ++count;
        last_key.assign(key);
        return true;
      }));
  PAY_RETURN_IF_ERROR(load_status);
  return more ? EncodePageToken(last_key) : std::string();
}

}  // namespace internal

Result<InitializeResult> Gateway::Initialize(const std::string& data_dir) {
  using internal::Ledger;
  using internal::Table;
  std::error_code error;
  std::filesystem::create_directories(data_dir, error);
  if (error) {
    return absl::InvalidArgumentError(
        internal::StrCat("data dir ", data_dir, ": cannot create it: ", error.message()));
  }
  ::chmod(data_dir.c_str(), 0700);
  InitializeResult result;
  result.admin_key_path = data_dir + "/admin.key";

  internal::LedgerOptions ledger_options;
  ledger_options.path = internal::LedgerPath(data_dir);
  ledger_options.create_if_missing = true;
  PAY_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Ledger::Open(ledger_options));
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> initialized,
                       ledger->Get(Table::kMeta, internal::kInitializedKey));
  if (initialized) return result;  // running init twice changes nothing

  PAY_RETURN_IF_ERROR(internal::EnsureSigningKey(data_dir));

  // The key file is written before the credential is committed: a crash in between leaves an
  // uninitialised store, and the next init simply writes a new key.
  std::string api_key = internal::NewApiKey();
  PAY_RETURN_IF_ERROR(internal::WriteFileAtomically(result.admin_key_path, api_key + "\n", 0600));
  Credential credential;
  credential.credential_id = "cred_" + internal::RandomHex(8);
  credential.role = Role::kAdmin;
  credential.display_name = "initial administrator (payd init)";
  credential.create_time_ms = internal::SystemNowMs();
  internal::WriteSet write_set;
  write_set.Put(Table::kCredentials, credential.credential_id,
                internal::EncodeCredential(credential));
  write_set.Put(Table::kCredentialKeys, internal::HashApiKey(api_key), credential.credential_id);
  write_set.Put(Table::kMeta, std::string(internal::kInitializedKey), "1");
  LedgerEntry entry;
  entry.type = EntryType::kCredentialCreated;
  entry.subject_id = credential.credential_id;
  entry.principal_id = internal::kSystemPrincipal;
  entry.detail = "ADMIN";
  write_set.Append(std::move(entry));
  PAY_RETURN_IF_ERROR(ledger->Commit(std::move(write_set)).status());
  result.created = true;
  return result;
}

Result<std::unique_ptr<Gateway>> Gateway::Open(GatewayOptions options) {
  using internal::Ledger;
  const std::string hint =
      internal::StrCat("run `payd init --data-dir ", options.data_dir, "` first");
  if (!std::filesystem::exists(internal::LedgerPath(options.data_dir))) {
    return absl::FailedPreconditionError(
        internal::StrCat("data dir ", options.data_dir, " is not initialised; ", hint));
  }
  PAY_ASSIGN_OR_RETURN(std::string secret_key, internal::LoadSigningKey(options.data_dir));
  std::string public_key = secret_key.substr(crypto_sign_SECRETKEYBYTES - crypto_sign_PUBLICKEYBYTES);
  internal::LedgerOptions ledger_options;
  ledger_options.path = internal::LedgerPath(options.data_dir);
  ledger_options.clock_ms = options.clock_ms;
  ledger_options.public_key = public_key;
  ledger_options.sign = [secret = std::move(secret_key)](std::string_view message) {
    std::string signature(crypto_sign_BYTES, '\0');
    crypto_sign_detached(reinterpret_cast<unsigned char*>(signature.data()), nullptr,
                         reinterpret_cast<const unsigned char*>(message.data()), message.size(),
                         reinterpret_cast<const unsigned char*>(secret.data()));
    return signature;
  };
  PAY_ASSIGN_OR_RETURN(std::unique_ptr<Ledger> ledger, Ledger::Open(ledger_options));
  PAY_ASSIGN_OR_RETURN(std::optional<std::string> initialized,
                       ledger->Get(internal::Table::kMeta, internal::kInitializedKey));
  if (!initialized) {
    return absl::FailedPreconditionError(
        internal::StrCat("data dir ", options.data_dir, " is not initialised; ", hint));
  }
  auto gateway = std::make_unique<internal::GatewayImpl>(std::move(ledger), std::move(options),
                                                         std::move(public_key));
  gateway->SetSigner(ledger_options.sign);
  return std::unique_ptr<Gateway>(std::move(gateway));
}

}  // namespace pay
