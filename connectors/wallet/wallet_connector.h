// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The mobile-money wallet connector (type "wallet"): collects MOBILE_WALLET payments with a
// request-to-pay that the citizen approves on the phone, learns the outcome from the wallet's
// signed callback (polling the status when no callback comes), refunds, fetches the merchant
// statement, and reports bills paid from the wallet app (push) as credits. The wire protocol is
// in PROTOCOL.md beside this file; wallet-sim (sim/) is a test double of a wallet operator.
//
// Configuration (the connector's table in payd's connectors file):
//   url                    the wallet's API base URL, "https://wallet.example:8443" (standard
//                          key: with tls_ca_file, tls_cert_file, tls_key_file,
//                          connect_timeout_ms and timeout_ms the host builds the HTTP client)
//   merchant_id            required: the gateway's merchant account at the wallet
//   hmac_secret_file       required: file holding the shared HMAC secret (never in the table)
//   callback_url           required: where the wallet calls back, payd's notification endpoint
//                          + "/connectors/<name>/callback"
//   replay_window_seconds  300: accepted clock difference for signed callbacks
//   poll_after_ms          3000: poll the status if no callback came this long after PENDING
//   poll_max_ms            60000: the poll interval doubles up to this
//   poll_attempts          8: polls before giving up (the gateway's own inquiry remains)
//   currency               optional ISO 4217 code: collections in another currency fail with
//                          UNSUPPORTED_CURRENCY without calling the wallet
//
// Collect answers FAILED without calling the wallet for a payer_account that is not an E.164
// number (INVALID_PAYER_ACCOUNT), a method other than MOBILE_WALLET (UNSUPPORTED_METHOD) or an
// unsupported currency. Errors follow pay/connector/connector.h: kUnavailable only when the
// HTTP client sent nothing; a 5xx, a 409 (request_id reused with other parameters) or an
// unreadable answer is kInternal (outcome unknown); a timeout is kDeadlineExceeded.

#ifndef PAY_CONNECTORS_WALLET_WALLET_CONNECTOR_H_
#define PAY_CONNECTORS_WALLET_WALLET_CONNECTOR_H_

#include <memory>
#include <string_view>

#include "pay/connector/connector.h"
#include "pay/status.h"

namespace pay::wallet {

// The connector type name in payd's configuration.
inline constexpr std::string_view kConnectorType = "wallet";

// Creates a wallet connector; kInvalidArgument naming the configuration key that is missing or
// wrong (the context must have an HTTP client, i.e. a url, and a sink).
Result<std::unique_ptr<connector::Connector>> NewWalletConnector(
    const connector::ConnectorContext& context);

// Registers NewWalletConnector as type "wallet".
void RegisterConnector(connector::ConnectorRegistry* registry);

}  // namespace pay::wallet

#endif  // PAY_CONNECTORS_WALLET_WALLET_CONNECTOR_H_
