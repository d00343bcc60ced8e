// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// A throwaway public-key infrastructure for development, tests and the provider simulators: one
// self-signed CA and certificates it signs for named services, usable both as TLS server and as
// TLS client (mutual TLS) certificates. Never for production: the keys are unencrypted files.

#ifndef PAY_CONNECTOR_PKI_H_
#define PAY_CONNECTOR_PKI_H_

#include <string>
#include <vector>

#include "pay/status.h"

namespace pay::connector {

// Where CreateDevelopmentPki keeps the CA of `dir`.
struct PkiFiles {
  std::string ca_cert;  // DIR/ca.pem
  std::string ca_key;   // DIR/ca.key
};

PkiFiles DevelopmentPkiFiles(const std::string& dir);

// In `dir` (created with mode 0700 if missing):
//   ca.pem, ca.key      EC P-256 CA, self-signed, CA:TRUE, valid 10 years; created only if ca.pem
//                       does not exist, else reused (with its ca.key).
//   NAME.pem, NAME.key  for each of `names`: EC P-256, CN=NAME, SAN DNS:localhost, DNS:NAME,
//                       IP:127.0.0.1, extendedKeyUsage serverAuth + clientAuth, valid 825 days,
//                       signed by the CA. An existing NAME.pem is kept.
// Keys are unencrypted PEM (PKCS #8) with mode 0600. Names are [A-Za-z0-9._-], not "ca", not
// starting with '.'. If `created` is given, the paths of the files written are appended to it.
// kInvalidArgument for a bad name; kFailedPrecondition when existing files do not fit together
// (ca.key missing, or NAME.pem not issued by ca.pem); kInternal for I/O or OpenSSL failures.
Status CreateDevelopmentPki(const std::string& dir, const std::vector<std::string>& names,
                            std::vector<std::string>* created = nullptr);

}  // namespace pay::connector

#endif  // PAY_CONNECTOR_PKI_H_
