// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// CreateDevelopmentPki: a development CA and the certificates it signs, with OpenSSL 3's EVP and
// X509 APIs. Files are written to a temporary name and renamed, keys before certificates, so a
// certificate on disk always has its key beside it.

#include "pay/connector/pki.h"

#include <fcntl.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <system_error>
#include <vector>

#include "str_util.h"

namespace pay::connector {
namespace {

using ::pay::internal::StrCat;

constexpr long kCaDays = 3650;   // NOLINT(runtime/int): OpenSSL's type
constexpr long kLeafDays = 825;  // NOLINT(runtime/int)
constexpr char kCaCommonName[] = "libpay development CA";

template <auto kFree>
struct Deleter {
  template <typename T>
  void operator()(T* pointer) const {
    kFree(pointer);
  }
};
using PkeyPtr = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>>;
using X509Ptr = std::unique_ptr<X509, Deleter<X509_free>>;
using BioPtr = std::unique_ptr<BIO, Deleter<BIO_free_all>>;
using ExtensionPtr = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>>;
using BignumPtr = std::unique_ptr<BIGNUM, Deleter<BN_free>>;

Status OpenSslError(const std::string& what) {
  const unsigned long code = ERR_peek_last_error();  // NOLINT(runtime/int): OpenSSL's type
  const char* reason = code != 0 ? ERR_reason_error_string(code) : nullptr;
  ERR_clear_error();
  return absl::InternalError(StrCat(what, ": ", reason != nullptr ? reason : "OpenSSL error"));
}

Status ErrnoError(const std::string& what, const std::string& path, int error) {
  return absl::InternalError(StrCat(what, " \"", path, "\": ", std::strerror(error)));
}

Result<std::string> ReadFile(const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) return ErrnoError("cannot read", path, errno);
  std::ostringstream contents;
  contents << file.rdbuf();
  return contents.str();
}

// Writes `data` to `path` with `mode` via a temporary file and rename.
Status WriteFile(const std::string& path, const std::string& data, mode_t mode) {
  const std::string temporary = path + ".tmp";
  const int fd = ::open(temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
  if (fd < 0) return ErrnoError("cannot create", temporary, errno);
  bool ok = ::fchmod(fd, mode) == 0;  // the umask may have taken bits away; never added any
  for (size_t written = 0; ok && written < data.size();) {
    const ssize_t n = ::write(fd, data.data() + written, data.size() - written);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) written += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  const int error = errno;
  ok = (::close(fd) == 0) && ok;
  if (!ok || ::rename(temporary.c_str(), path.c_str()) != 0) {
    const int failure = ok ? errno : error;
    ::unlink(temporary.c_str());
    return ErrnoError("cannot write", path, failure);
  }
  return absl::OkStatus();
}

Result<std::string> ToPem(EVP_PKEY* key) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio ||
      PEM_write_bio_PrivateKey(bio.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return OpenSslError("cannot encode a private key");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return std::string(data, static_cast<size_t>(size));
}

Result<std::string> ToPem(X509* cert) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509(bio.get(), cert) != 1) {
    return OpenSslError("cannot encode a certificate");
  }
  char* data = nullptr;
  const long size = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return std::string(data, static_cast<size_t>(size));
}

Result<X509Ptr> ReadCertificate(const std::string& path) {
  PAY_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  X509Ptr cert(bio ? PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!cert) return OpenSslError(StrCat("\"", path, "\" is not a PEM certificate"));
  return cert;
}

Result<PkeyPtr> ReadKey(const std::string& path) {
  PAY_ASSIGN_OR_RETURN(std::string pem, ReadFile(path));
  BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
  PkeyPtr key(bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, nullptr, nullptr) : nullptr);
  if (!key) return OpenSslError(StrCat("\"", path, "\" is not an unencrypted PEM private key"));
  return key;
}

Result<PkeyPtr> NewKey() {
  PkeyPtr key(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
  if (!key) return OpenSslError("cannot generate an EC P-256 key");
  return key;
}

struct CertificateSpec {
  std::string common_name;
  long days = 0;  // NOLINT(runtime/int)
  // (NID, value) in OpenSSL's configuration syntax, e.g. {NID_basic_constraints, "CA:TRUE"}.
  std::vector<std::pair<int, std::string>> extensions;
};

// A certificate for `key`, signed by `issuer_key`; self-signed when `issuer` is null.
Result<X509Ptr> NewCertificate(const CertificateSpec& spec, EVP_PKEY* key, X509* issuer,
                               EVP_PKEY* issuer_key) {
  X509Ptr cert(X509_new());
  BignumPtr serial(BN_new());
  if (!cert || !serial || X509_set_version(cert.get(), X509_VERSION_3) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      // Five minutes back: a peer whose clock is slightly behind still accepts it.
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), -300) == nullptr ||
      X509_time_adj_ex(X509_getm_notAfter(cert.get()), static_cast<int>(spec.days), 0, nullptr) ==
          nullptr ||
      X509_set_pubkey(cert.get(), key) != 1) {
    return OpenSslError("cannot fill in a certificate");
  }
  X509_NAME* subject = X509_get_subject_name(cert.get());
  if (X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_UTF8,
                                 reinterpret_cast<const unsigned char*>(spec.common_name.c_str()),
                                 -1, -1, 0) != 1 ||
      X509_set_issuer_name(cert.get(),
                           issuer != nullptr ? X509_get_subject_name(issuer) : subject) != 1) {
    return OpenSslError(StrCat("cannot set the names of \"", spec.common_name, "\""));
  }
  X509V3_CTX context;
  X509V3_set_ctx_nodb(&context);
  X509V3_set_ctx(&context, issuer != nullptr ? issuer : cert.get(), cert.get(), nullptr, nullptr,
                 0);
  if (X509V3_set_issuer_pkey(&context, issuer_key) != 1) {
    return OpenSslError("cannot set the issuer key");
  }
  for (const auto& [nid, value] : spec.extensions) {
    ExtensionPtr extension(X509V3_EXT_nconf_nid(nullptr, &context, nid, value.c_str()));
    if (!extension || X509_add_ext(cert.get(), extension.get(), -1) != 1) {
      return OpenSslError(
          StrCat("cannot add the extension \"", OBJ_nid2sn(nid), " = ", value, "\""));
    }
  }
  if (X509_sign(cert.get(), issuer_key, EVP_sha256()) <= 0) {
    return OpenSslError(StrCat("cannot sign the certificate of \"", spec.common_name, "\""));
  }
  return cert;
}

Status CheckName(const std::string& name) {
  bool ok = !name.empty() && name.size() <= 64 && name[0] != '.' && name != "ca";
  for (const char c : name) {
    ok = ok && ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                c == '.' || c == '_' || c == '-');
  }
  if (!ok) {
    return absl::InvalidArgumentError(StrCat("certificate name \"", name,
                                             "\" is invalid: use 1 to 64 of [A-Za-z0-9._-], not "
                                             "starting with '.', and not \"ca\" (used by the CA)"));
  }
  return absl::OkStatus();
}

std::string Join(const std::string& dir, const std::string& file) {
  return (std::filesystem::path(dir) / file).string();
}

bool Exists(const std::string& path) {
  std::error_code ignored;
  return std::filesystem::exists(path, ignored);
}

struct Ca {
  X509Ptr cert;
  PkeyPtr key;
};

Result<Ca> LoadOrCreateCa(const std::string& dir, std::vector<std::string>* created) {
  const PkiFiles files = DevelopmentPkiFiles(dir);
  Ca ca;
  if (Exists(files.ca_cert)) {
    if (!Exists(files.ca_key)) {
      return absl::FailedPreconditionError(
          StrCat("\"", files.ca_cert, "\" exists but its key \"", files.ca_key,
                 "\" does not; remove ca.pem (and every certificate it signed) to start over"));
    }
    PAY_ASSIGN_OR_RETURN(ca.cert, ReadCertificate(files.ca_cert));
    PAY_ASSIGN_OR_RETURN(ca.key, ReadKey(files.ca_key));
    if (X509_check_private_key(ca.cert.get(), ca.key.get()) != 1) {
      ERR_clear_error();
      return absl::FailedPreconditionError(
          StrCat("\"", files.ca_key, "\" is not the key of \"", files.ca_cert, "\""));
    }
    return ca;
  }
  PAY_ASSIGN_OR_RETURN(ca.key, NewKey());
  CertificateSpec spec{kCaCommonName,
                       kCaDays,
                       {{NID_basic_constraints, "critical,CA:TRUE"},
                        {NID_key_usage, "critical,keyCertSign,cRLSign"},
                        {NID_subject_key_identifier, "hash"},
                        {NID_authority_key_identifier, "keyid:always"}}};
  PAY_ASSIGN_OR_RETURN(ca.cert, NewCertificate(spec, ca.key.get(), nullptr, ca.key.get()));
  PAY_ASSIGN_OR_RETURN(std::string key_pem, ToPem(ca.key.get()));
  PAY_ASSIGN_OR_RETURN(std::string cert_pem, ToPem(ca.cert.get()));
  PAY_RETURN_IF_ERROR(WriteFile(files.ca_key, key_pem, 0600));
  PAY_RETURN_IF_ERROR(WriteFile(files.ca_cert, cert_pem, 0644));
  if (created != nullptr) {
    created->push_back(files.ca_cert);
    created->push_back(files.ca_key);
  }
  return ca;
}

Status CreateLeaf(const std::string& dir, const std::string& name, const Ca& ca,
                  std::vector<std::string>* created) {
  const std::string cert_path = Join(dir, name + ".pem");
  const std::string key_path = Join(dir, name + ".key");
  if (Exists(cert_path)) {
    PAY_ASSIGN_OR_RETURN(X509Ptr existing, ReadCertificate(cert_path));
    if (X509_verify(existing.get(), X509_get0_pubkey(ca.cert.get())) != 1) {
      ERR_clear_error();
      return absl::FailedPreconditionError(StrCat(
          "\"", cert_path, "\" was not issued by the CA in \"", DevelopmentPkiFiles(dir).ca_cert,
          "\"; delete it and \"", key_path, "\" to issue a new one"));
    }
    if (!Exists(key_path)) {
      return absl::FailedPreconditionError(StrCat("\"", cert_path, "\" exists but its key \"",
                                                  key_path, "\" does not; delete it to reissue"));
    }
    return absl::OkStatus();  // kept
  }
  std::string san = "DNS:localhost";
  if (name != "localhost") san += ",DNS:" + name;
  san += ",IP:127.0.0.1";
  PAY_ASSIGN_OR_RETURN(PkeyPtr key, NewKey());
  CertificateSpec spec{name,
                       kLeafDays,
                       {{NID_basic_constraints, "critical,CA:FALSE"},
                        {NID_key_usage, "critical,digitalSignature"},
                        {NID_ext_key_usage, "serverAuth,clientAuth"},
                        {NID_subject_alt_name, san},
                        {NID_subject_key_identifier, "hash"},
                        {NID_authority_key_identifier, "keyid:always"}}};
  PAY_ASSIGN_OR_RETURN(X509Ptr cert, NewCertificate(spec, key.get(), ca.cert.get(), ca.key.get()));
  PAY_ASSIGN_OR_RETURN(std::string key_pem, ToPem(key.get()));
  PAY_ASSIGN_OR_RETURN(std::string cert_pem, ToPem(cert.get()));
  PAY_RETURN_IF_ERROR(WriteFile(key_path, key_pem, 0600));
  PAY_RETURN_IF_ERROR(WriteFile(cert_path, cert_pem, 0644));
  if (created != nullptr) {
    created->push_back(cert_path);
    created->push_back(key_path);
  }
  return absl::OkStatus();
}

}  // namespace

PkiFiles DevelopmentPkiFiles(const std::string& dir) {
  return PkiFiles{Join(dir, "ca.pem"), Join(dir, "ca.key")};
}

Status CreateDevelopmentPki(const std::string& dir, const std::vector<std::string>& names,
                            std::vector<std::string>* created) {
  if (dir.empty()) return absl::InvalidArgumentError("the PKI directory is empty; give a path");
  for (const std::string& name : names) PAY_RETURN_IF_ERROR(CheckName(name));
  std::error_code ec;
  if (!std::filesystem::exists(dir, ec)) {
    std::filesystem::create_directories(dir, ec);
    if (ec) return absl::InternalError(StrCat("cannot create \"", dir, "\": ", ec.message()));
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all,
                                 std::filesystem::perm_options::replace, ec);
    if (ec) return absl::InternalError(StrCat("cannot chmod 0700 \"", dir, "\": ", ec.message()));
  } else if (!std::filesystem::is_directory(dir, ec)) {
    return absl::InvalidArgumentError(StrCat("\"", dir, "\" exists and is not a directory"));
  }
  ERR_clear_error();
  PAY_ASSIGN_OR_RETURN(Ca ca, LoadOrCreateCa(dir, created));
  for (const std::string& name : names) PAY_RETURN_IF_ERROR(CreateLeaf(dir, name, ca, created));
  return absl::OkStatus();
}

}  // namespace pay::connector
