// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The ISO 20022 bank connector (connector type "iso20022"): collects fees by direct debit
// (pain.008), refunds by credit transfer (pain.001), learns outcomes from the bank's status
// reports (pacs.002, pushed to the gateway or polled) and counter payments from credit
// notifications (camt.054), and fetches the collection account's statement (camt.053). All over
// HTTPS with mutual TLS; every message in either direction is checked against the official
// schemas. The bank's side of the protocol is described in BANK_API.md; bank-sim (sim/) is a
// test double of it.

#ifndef PAY_CONNECTORS_ISO20022_ISO20022_CONNECTOR_H_
#define PAY_CONNECTORS_ISO20022_ISO20022_CONNECTOR_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "messages.h"
#include "pay/connector/connector.h"
#include "pay/payment.h"
#include "pay/status.h"

namespace pay::iso20022 {

inline constexpr std::string_view kConnectorType = "iso20022";

// The bank's endpoints (paths below the configured url).
inline constexpr std::string_view kPain008Path = "/iso20022/pain.008";  // POST: collect
inline constexpr std::string_view kPain001Path = "/iso20022/pain.001";  // POST: refund
inline constexpr std::string_view kStatusPath = "/iso20022/status";     // GET ?end_to_end_id=
inline constexpr std::string_view kCamt053Path = "/iso20022/camt.053";  // GET ?from_ms=&to_ms=

// The connector's notification paths (after /connectors/<name>, where payd routes them).
inline constexpr std::string_view kPacs002NotificationPath = "/pacs.002";
inline constexpr std::string_view kCamt054NotificationPath = "/camt.054";

// What a counter payment's statement entry carries as EndToEndId: no gateway reference.
inline constexpr std::string_view kNotProvided = "NOTPROVIDED";

// The connector's configuration, from its table in payd's connectors file. Besides these keys
// the host reads url, tls_ca_file, tls_cert_file, tls_key_file, connect_timeout_ms and
// timeout_ms to build the HTTPS client.
struct ConnectorOptions {
  Account collection_account;      // collection_iban (required), collection_bic, collection_name
  std::string creditor_scheme_id;  // creditor_scheme_id (required): the SEPA-style creditor id
  std::string initiating_party;    // initiating_party (default: collection_name)
  std::string bank_common_name;    // bank_common_name (required): CN of the bank's certificate
  std::string schema_dir;          // iso20022_schema_dir (default: DefaultSchemaDir())
  std::vector<PaymentMethod> methods = {PaymentMethod::kBankTransfer};  // methods: "A,B"
  int64_t poll_after_ms = 3000;  // poll_after_ms: poll the status this long after a 202
  int64_t poll_max_ms = 60000;   // poll_max_ms: the poll interval doubles up to this
  int poll_attempts = 8;         // poll_attempts: then the gateway's own inquiry takes over

  // kInvalidArgument naming the key for a missing or malformed value.
  static Result<ConnectorOptions> FromConfig(const connector::ConnectorConfig& config);
};

// Creates the connector. Needs context.http (the table must have a url), scheduler, clock,
// logger and sink; loads the schemas. kInvalidArgument / kNotFound with what to fix otherwise.
Result<std::unique_ptr<connector::Connector>> NewIso20022Connector(
    const connector::ConnectorContext& context);

// Registers type "iso20022" (kConnectorType) with NewIso20022Connector as its factory.
void RegisterConnector(connector::ConnectorRegistry* registry);

// The GrpHdr/MsgId of the pain.008 collecting `payment_id`, and of the pain.001 of `refund_id`:
// deterministic, so that the bank recognises a resend. "PD-"/"RF-" + the id; an id too long for
// that is replaced by a hash of it.
std::string CollectionMessageId(std::string_view payment_id);
std::string RefundMessageId(std::string_view refund_id);

// The gateway's failure_code for an ISO 20022 status reason: AM04 -> "INSUFFICIENT_FUNDS",
// AC01 -> "UNKNOWN_ACCOUNT", anything else -> "DECLINED:<code>" ("DECLINED" without a code).
std::string FailureCodeForReason(std::string_view reason_code);

}  // namespace pay::iso20022

#endif  // PAY_CONNECTORS_ISO20022_ISO20022_CONNECTOR_H_
