// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// TLS for the HTTP runtime: contexts built from TlsOptions (with errors naming the file and the
// option), peer-name verification, peer CN extraction, and readable descriptions of socket and
// OpenSSL errors.

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <boost/asio/error.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ssl/error.hpp>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>

#include "connector/http_internal.h"
#include "str_util.h"

namespace pay::connector::internal {
namespace {

namespace ssl = boost::asio::ssl;
using ::pay::internal::StrCat;

// The oldest queued OpenSSL error, e.g. "no certificate or crl found"; clears the queue.
std::string TakeOpenSslError() {
  unsigned long code = ERR_peek_error();  // NOLINT(runtime/int): OpenSSL's type
  std::string text = "unknown OpenSSL error";
  if (code != 0) {
    char buffer[256];
    ERR_error_string_n(code, buffer, sizeof(buffer));
    const char* reason = ERR_reason_error_string(code);
    text = reason != nullptr ? reason : buffer;
  }
  ERR_clear_error();
  return text;
}

Result<std::shared_ptr<ssl::context>> NewContext(ssl::context::method method) {
  try {
    auto context = std::make_shared<ssl::context>(method);
    SSL_CTX_set_min_proto_version(context->native_handle(), TLS1_2_VERSION);
    return context;
  } catch (const boost::system::system_error& e) {
    return absl::InternalError(StrCat("cannot create a TLS context: ", e.what()));
  }
}

Status LoadCa(SSL_CTX* context, const std::string& ca_file) {
  PAY_RETURN_IF_ERROR(CheckReadable("tls.ca_file", ca_file));
  ERR_clear_error();
  if (SSL_CTX_load_verify_locations(context, ca_file.c_str(), nullptr) != 1) {
    return absl::InvalidArgumentError(StrCat("tls.ca_file \"", ca_file,
                                             "\" holds no usable PEM certificate (",
                                             TakeOpenSslError(), "); give a PEM CA certificate"));
  }
  return absl::OkStatus();
}

Status LoadOwnCertificate(SSL_CTX* context, const TlsOptions& tls) {
  PAY_RETURN_IF_ERROR(CheckReadable("tls.cert_file", tls.cert_file));
  PAY_RETURN_IF_ERROR(CheckReadable("tls.key_file", tls.key_file));
  ERR_clear_error();
  if (SSL_CTX_use_certificate_chain_file(context, tls.cert_file.c_str()) != 1) {
    return absl::InvalidArgumentError(StrCat("tls.cert_file \"", tls.cert_file,
                                             "\" is not a PEM certificate chain (",
                                             TakeOpenSslError(), ")"));
  }
  if (SSL_CTX_use_PrivateKey_file(context, tls.key_file.c_str(), SSL_FILETYPE_PEM) != 1) {
    const unsigned long code = ERR_peek_last_error();  // NOLINT(runtime/int): OpenSSL's type
    if (ERR_GET_LIB(code) == ERR_LIB_X509 && ERR_GET_REASON(code) == X509_R_KEY_VALUES_MISMATCH) {
      ERR_clear_error();
      return absl::InvalidArgumentError(StrCat("tls.key_file \"", tls.key_file,
                                               "\" is not the key of tls.cert_file \"",
                                               tls.cert_file, "\"; give the matching pair"));
    }
    return absl::InvalidArgumentError(StrCat("tls.key_file \"", tls.key_file,
                                             "\" is not an unencrypted PEM private key (",
                                             TakeOpenSslError(), ")"));
  }
  if (SSL_CTX_check_private_key(context) != 1) {
    return absl::InvalidArgumentError(StrCat("tls.key_file \"", tls.key_file,
                                             "\" does not belong to tls.cert_file \"",
                                             tls.cert_file, "\" (", TakeOpenSslError(), ")"));
  }
  return absl::OkStatus();
}

bool IsIpLiteral(const std::string& host) {
  boost::system::error_code ec;
  boost::asio::ip::make_address(host, ec);
  return !ec;
}

}  // namespace

Status CheckReadable(std::string_view option, const std::string& path) {
  if (path.empty()) {
    return absl::InvalidArgumentError(StrCat(option, " is empty; give the path of a PEM file"));
  }
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    const int error = errno;
    return absl::InvalidArgumentError(StrCat(option, " \"", path, "\" cannot be read (",
                                             std::strerror(error), "); check the path"));
  }
  return absl::OkStatus();
}

Result<std::shared_ptr<ssl::context>> MakeClientTlsContext(const TlsOptions& tls) {
  PAY_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> context, NewContext(ssl::context::tls_client));
  SSL_CTX* native = context->native_handle();
  if (tls.ca_file.empty()) {
    if (SSL_CTX_set_default_verify_paths(native) != 1) {
      return absl::InvalidArgumentError(
          StrCat("tls.ca_file is empty and the system's trusted "
                 "CAs cannot be loaded (",
                 TakeOpenSslError(), "); set tls.ca_file"));
    }
  } else {
    PAY_RETURN_IF_ERROR(LoadCa(native, tls.ca_file));
  }
  if (tls.cert_file.empty() != tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "tls.cert_file and tls.key_file go together: set both (mutual TLS) or neither");
  }
  if (!tls.cert_file.empty()) PAY_RETURN_IF_ERROR(LoadOwnCertificate(native, tls));
  SSL_CTX_set_verify(native, SSL_VERIFY_PEER, nullptr);
  return context;
}

Result<std::shared_ptr<ssl::context>> MakeServerTlsContext(const TlsOptions& tls) {
  PAY_ASSIGN_OR_RETURN(std::shared_ptr<ssl::context> context, NewContext(ssl::context::tls_server));
  SSL_CTX* native = context->native_handle();
  if (tls.cert_file.empty() || tls.key_file.empty()) {
    return absl::InvalidArgumentError(
        "a TLS server needs tls.cert_file and tls.key_file (or tls.enabled = false)");
  }
  PAY_RETURN_IF_ERROR(LoadOwnCertificate(native, tls));
  if (tls.require_client_cert) {
    if (tls.ca_file.empty()) {
      return absl::InvalidArgumentError(
          "tls.require_client_cert needs tls.ca_file: the CA that client certificates must "
          "chain to");
    }
    PAY_RETURN_IF_ERROR(LoadCa(native, tls.ca_file));
    // Tells clients which CA we accept, so that they pick the right certificate.
    STACK_OF(X509_NAME)* names = SSL_load_client_CA_file(tls.ca_file.c_str());
    if (names != nullptr) SSL_CTX_set_client_CA_list(native, names);
    ERR_clear_error();
    SSL_CTX_set_verify(native, SSL_VERIFY_PEER | SSL_VERIFY_FAIL_IF_NO_PEER_CERT, nullptr);
  } else {
    SSL_CTX_set_verify(native, SSL_VERIFY_NONE, nullptr);
  }
  return context;
}

Status SetPeerVerification(SSL* ssl, const std::string& name) {
  X509_VERIFY_PARAM* param = SSL_get0_param(ssl);
  if (IsIpLiteral(name)) {
    if (X509_VERIFY_PARAM_set1_ip_asc(param, name.c_str()) != 1) {
      return absl::InvalidArgumentError(
          StrCat("cannot verify the server as IP ", name, ": ", TakeOpenSslError()));
    }
    return absl::OkStatus();
  }
  X509_VERIFY_PARAM_set_hostflags(param, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS);
  if (X509_VERIFY_PARAM_set1_host(param, name.c_str(), name.size()) != 1 ||
      SSL_set_tlsext_host_name(ssl, name.c_str()) != 1) {
    return absl::InvalidArgumentError(StrCat("cannot verify the server as \"", name, "\": ",
                                             TakeOpenSslError(), "; check tls.server_name"));
  }
  return absl::OkStatus();
}

std::string DescribeError(const boost::system::error_code& ec, SSL* ssl) {
  if (ec.category() != boost::asio::error::get_ssl_category()) {
    if (ec == boost::asio::ssl::error::stream_truncated) {
      return "the peer closed the TLS connection without close_notify";
    }
    return ec.message();
  }
  std::string text = ec.message();
  const auto code = static_cast<unsigned long>(ec.value());  // NOLINT(runtime/int)
  if (ERR_GET_REASON(code) == SSL_R_CERTIFICATE_VERIFY_FAILED && ssl != nullptr) {
    const long result = SSL_get_verify_result(ssl);  // NOLINT(runtime/int): OpenSSL's type
    if (result != X509_V_OK) text += StrCat(": ", X509_verify_cert_error_string(result));
  }
  return text;
}

bool IsHandshakeRejection(const boost::system::error_code& ec) {
  if (ec.category() != boost::asio::error::get_ssl_category()) return false;
  const auto code = static_cast<unsigned long>(ec.value());  // NOLINT(runtime/int)
  if (ERR_GET_LIB(code) != ERR_LIB_SSL) return false;
  const int reason = ERR_GET_REASON(code);
  if (reason <= SSL_AD_REASON_OFFSET) return false;
  switch (reason - SSL_AD_REASON_OFFSET) {
    case SSL_AD_HANDSHAKE_FAILURE:
    case SSL_AD_BAD_CERTIFICATE:
    case SSL_AD_UNSUPPORTED_CERTIFICATE:
    case SSL_AD_CERTIFICATE_REVOKED:
    case SSL_AD_CERTIFICATE_EXPIRED:
    case SSL_AD_CERTIFICATE_UNKNOWN:
    case SSL_AD_UNKNOWN_CA:
    case SSL_AD_ACCESS_DENIED:
    case SSL_AD_CERTIFICATE_REQUIRED:
      return true;
    default:
      return false;
  }
}

std::string PeerCommonName(SSL* ssl) {
  X509* cert = SSL_get0_peer_certificate(ssl);
  if (cert == nullptr || SSL_get_verify_result(ssl) != X509_V_OK) return "";
  X509_NAME* subject = X509_get_subject_name(cert);
  const int index = X509_NAME_get_index_by_NID(subject, NID_commonName, -1);
  if (index < 0) return "";
  ASN1_STRING* data = X509_NAME_ENTRY_get_data(X509_NAME_get_entry(subject, index));
  unsigned char* utf8 = nullptr;
  const int length = ASN1_STRING_to_UTF8(&utf8, data);
  if (length < 0) return "";
  std::string name(reinterpret_cast<const char*>(utf8), static_cast<size_t>(length));
  OPENSSL_free(utf8);
  return name;
}

}  // namespace pay::connector::internal
