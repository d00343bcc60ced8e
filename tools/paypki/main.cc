// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// paypki: creates a development CA and TLS certificates for named services (the provider
// simulators, payd in tests), with pay::connector::CreateDevelopmentPki. Not for production.
//
// Exit codes: 0 success, 1 the files could not be created, 2 the command line is wrong.

#include <CLI/CLI.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "pay/connector/pki.h"
#include "pay/status.h"

namespace {

constexpr int kExitOk = 0;
constexpr int kExitFailed = 1;
constexpr int kExitUsage = 2;

constexpr char kDescription[] =
    "paypki: creates a throwaway certificate authority and TLS certificates for development, "
    "tests and the provider simulators. NOT for production: keys are unencrypted files and the "
    "CA is trusted by nothing but what you point at it.";

constexpr char kFooter[] =
    "In DIR (created with mode 0700 if missing):\n"
    "  ca.pem, ca.key       the CA (EC P-256, 10 years); reused if ca.pem exists\n"
    "  NAME.pem, NAME.key   per NAME: CN=NAME, SAN DNS:localhost, DNS:NAME, IP:127.0.0.1,\n"
    "                       server and client use (mutual TLS), 825 days; kept if present\n"
    "Running it again is safe: only missing certificates are created.\n"
    "\n"
    "Example:\n"
    "  paypki --dir dev/pki payd bank-sim\n"
    "  # payd:     tls.cert_file=dev/pki/payd.pem tls.key_file=dev/pki/payd.key\n"
    "  # everyone: tls.ca_file=dev/pki/ca.pem\n"
    "\n"
    "Exit status: 0 success; 1 the files could not be created; 2 invalid command line.";

int Main(int argc, char** argv) {
  CLI::App app(kDescription, "paypki");
  std::string dir;
  std::vector<std::string> names;
  app.add_option("--dir", dir, "Directory for the CA and the certificates")
      ->type_name("DIR")
      ->required();
  app.add_option("names", names,
                 "Names to issue certificates for ([A-Za-z0-9._-]); none: only the CA")
      ->type_name("NAME");
  app.footer(kFooter);
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // --help is reported as a "parse error" whose exit code is 0.
    return app.exit(error) == 0 ? kExitOk : kExitUsage;
  }

  std::vector<std::string> created;
  const pay::Status status = pay::connector::CreateDevelopmentPki(dir, names, &created);
  if (!status.ok()) {
    std::fprintf(stderr, "paypki: %s\n", std::string(status.message()).c_str());
    return kExitFailed;
  }
  for (const std::string& path : created) std::printf("created %s\n", path.c_str());
  if (created.empty()) std::printf("nothing to do: every file already exists in %s\n", dir.c_str());
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) { return Main(argc, argv); }
