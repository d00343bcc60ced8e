// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// payd's connector host over real gRPC: the connectors file (routing order, instance names),
// AdminService.ListConnectors and ReconcileConnector, and the errors that stop payd at start
// when the connector configuration cannot work.

#include <fstream>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

class ConnectorHostTest : public PaydTest {
 protected:
  std::string WriteFile(const std::string& name, const std::string& contents) {
    const std::string path = payd_.data_dir() + "/" + name;
    std::ofstream(path) << contents;
    return path;
  }

  grpc::Status ListConnectors(const std::string& key, v1::ListConnectorsResponse* response) {
    auto context = MakeContext(key, kCallTimeout);
    return admin_->ListConnectors(context.get(), v1::ListConnectorsRequest(), response);
  }

  grpc::Status Reconcile(const std::string& key, const std::string& connector,
                         int64_t start_seconds, int64_t end_seconds,
                         v1::ReconcileConnectorResponse* response) {
    v1::ReconcileConnectorRequest request;
    request.set_connector(connector);
    request.mutable_start_time()->set_seconds(start_seconds);
    request.mutable_end_time()->set_seconds(end_seconds);
    auto context = MakeContext(key, kCallTimeout);
    return admin_->ReconcileConnector(context.get(), request, response);
  }
};

TEST_F(ConnectorHostTest, ListConnectorsIsForAdminsAndShowsTheBreakers) {
  v1::ListConnectorsResponse response;
  ASSERT_TRUE(ListConnectors(payd_.admin_key(), &response).ok());
  ASSERT_EQ(response.connectors_size(), 1);
  EXPECT_EQ(response.connectors(0).name(), "sandbox");
  EXPECT_EQ(response.connectors(0).breaker_state(), "CLOSED");
  EXPECT_EQ(response.connectors(0).consecutive_failures(), 0);
  EXPECT_EQ(ListConnectors(passports_.agency_key, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

TEST_F(ConnectorHostTest, ReconcileNamesWhatIsWrong) {
  v1::ReconcileConnectorResponse response;
  grpc::Status unknown = Reconcile(payd_.admin_key(), "nobank", 1'800'000'000, 1'800'086'400,
                                   &response);
  EXPECT_EQ(unknown.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_NE(unknown.error_message().find("nobank"), std::string::npos);
  // The sandbox keeps no statements.
  EXPECT_EQ(Reconcile(payd_.admin_key(), "sandbox", 1'800'000'000, 1'800'086'400, &response)
                .error_code(),
            grpc::StatusCode::UNIMPLEMENTED);
  grpc::Status backwards =
      Reconcile(payd_.admin_key(), "sandbox", 1'800'086'400, 1'800'000'000, &response);
  EXPECT_EQ(backwards.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_NE(backwards.error_message().find("end_time"), std::string::npos);
  EXPECT_EQ(Reconcile(passports_.agency_key, "sandbox", 1'800'000'000, 1'800'086'400, &response)
                .error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Instances from the connectors file route by priority, then name; a payment may name one.
TEST_F(ConnectorHostTest, ConnectorsFileInstancesRouteInPriorityOrder) {
  const std::string file = WriteFile("connectors.toml", R"(
[connectors.sbx-a]
type = "sandbox"
priority = 20

[connectors.sbx-b]
type = "sandbox"
priority = 10
breaker_failures = 3
)");
  ASSERT_EQ(payd_.Stop(), 0);
  payd_.set_serve_args({"--connectors-file", file});
  ASSERT_TRUE(payd_.Start());
  Connect();
  v1::ListConnectorsResponse response;
  ASSERT_TRUE(ListConnectors(payd_.admin_key(), &response).ok());
  ASSERT_EQ(response.connectors_size(), 3);
  EXPECT_EQ(response.connectors(0).name(), "sandbox");  // --connector ones come first
  EXPECT_EQ(response.connectors(1).name(), "sbx-b");
  EXPECT_EQ(response.connectors(2).name(), "sbx-a");

  v1::Fee fee;
  IssueFee(passports_.agency_key, 15000, &fee);
  v1::CreatePaymentRequest request = PaymentRequest(fee.bill_number(), "named-connector");
  request.set_connector("sbx-a");
  v1::Payment payment;
  ASSERT_TRUE(TryPay(passports_.agency_key, request, &payment).ok());
  EXPECT_EQ(payment.connector(), "sbx-a");
  EXPECT_EQ(payment.state(), v1::Payment::SUCCEEDED);
}

TEST_F(ConnectorHostTest, BadConnectorConfigurationStopsPaydWithTheReason) {
  ASSERT_EQ(payd_.Stop(), 0);
  struct Case {
    std::string contents;
    std::string expected;
  };
  const std::vector<Case> cases = {
      {"[connectors.bank]\nurl = \"https://127.0.0.1:1\"\n", "type is required"},
      {"[connectors.bank]\ntype = \"swift\"\n", "unknown connector type \"swift\""},
      {"[connectors.bank]\ntype = \"sandbox\"\nbreaker_failures = \"many\"\n",
       "breaker_failures: expected an integer"},
      {"[connectors.bank]\ntype = \"sandbox\"\nurl = \"ftp://bank\"\n", "[connectors.bank]"},
      {"[connectors.bank\ntype = \"sandbox\"\n", "connectors.toml:1"},
  };
  for (const Case& test_case : cases) {
    const std::string file = WriteFile("connectors.toml", test_case.contents);
    const CommandResult result = RunPayd(
        {"serve", "--data-dir", payd_.data_dir(), "--listen", "127.0.0.1:0",
         "--connectors-file", file});
    EXPECT_EQ(result.exit_code, 2) << result.output;
    EXPECT_NE(result.output.find(test_case.expected), std::string::npos)
        << "expected \"" << test_case.expected << "\" in:\n" << result.output;
  }
  // A file that is not a connector plugin.
  const std::string not_a_plugin = WriteFile("plugin.so", "not a shared library");
  const CommandResult result =
      RunPayd({"serve", "--data-dir", payd_.data_dir(), "--listen", "127.0.0.1:0",
               "--connector-plugin", not_a_plugin});
  EXPECT_EQ(result.exit_code, 2) << result.output;
  EXPECT_NE(result.output.find("cannot load " + not_a_plugin), std::string::npos)
      << result.output;
}

}  // namespace
}  // namespace pay::integration
