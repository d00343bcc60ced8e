// Copyright 2026 The libpay Authors. Licensed under the Apache License, Version 2.0.
//
// The payd process itself: its command line, `payd init`, signals, and the standard gRPC health
// and reflection services.

#include <grpcpp/generic/generic_stub.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>
#include <string>
#include <vector>

#include "payd_test_base.h"

namespace pay::integration {
namespace {

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream contents;
  contents << in.rdbuf();
  return contents.str();
}

// A temporary directory removed at scope exit.
class TempDir {
 public:
  TempDir() {
    const char* tmpdir = std::getenv("TMPDIR");
    std::string pattern = std::string(tmpdir != nullptr && *tmpdir != '\0' ? tmpdir : "/tmp") +
                          "/payd-it-empty-XXXXXX";
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::string Flatten(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  std::string out;
  if (!buffer.Dump(&slices).ok()) return out;
  for (const grpc::Slice& slice : slices) {
    out.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  }
  return out;
}

grpc::ByteBuffer Wrap(const std::string& bytes) {
  grpc::Slice slice(bytes);
  return grpc::ByteBuffer(&slice, 1);
}

// Encodes grpc.health.v1.HealthCheckRequest{service}.
std::string HealthCheckRequest(const std::string& service) {
  if (service.empty()) return "";
  // Field 1, wire type 2; service names here are shorter than 128 bytes (one-byte length).
  return std::string("\x0a", 1) + static_cast<char>(service.size()) + service;
}

// Decodes HealthCheckResponse.status (field 1, varint); -1 when absent or malformed. Absent means
// UNKNOWN (0) in proto3, which the caller treats as not SERVING either way.
int HealthStatus(const std::string& response) {
  size_t at = 0;
  while (at < response.size()) {
    const unsigned char tag = static_cast<unsigned char>(response[at++]);
    if (tag == 0x08) {
      int value = 0;
      int shift = 0;
      while (at < response.size()) {
        const unsigned char byte = static_cast<unsigned char>(response[at++]);
        value |= (byte & 0x7f) << shift;
        if ((byte & 0x80) == 0) return value;
        shift += 7;
        if (shift > 28) return -1;
      }
      return -1;
    }
    return -1;  // no other field is expected in the response
  }
  return 0;
}

class DaemonTest : public PaydTest {
 protected:
  grpc::Status HealthCheck(const std::string& service, std::string* response_bytes) {
    grpc::GenericStub stub(payd_.channel());
    auto context = MakeContext(payd_.admin_key());
    const grpc::ByteBuffer request = Wrap(HealthCheckRequest(service));
    grpc::ByteBuffer response;
    std::promise<grpc::Status> done;
    stub.UnaryCall(context.get(), "/grpc.health.v1.Health/Check", grpc::StubOptions(), &request,
                   &response, [&done](grpc::Status status) { done.set_value(std::move(status)); });
    const grpc::Status status = done.get_future().get();
    *response_bytes = Flatten(response);
    return status;
  }
};

constexpr int kServing = 1;

TEST_F(DaemonTest, HealthCheckIsServing) {
  std::string response;
  ASSERT_TRUE(IsOk(HealthCheck("", &response)));
  EXPECT_EQ(HealthStatus(response), kServing);
  // The standard health service answers NOT_FOUND for a service it does not know.
  EXPECT_TRUE(HasCode(HealthCheck("no.such.Service", &response), grpc::StatusCode::NOT_FOUND));
}

TEST_F(DaemonTest, ReflectionListsThePayServices) {
  auto context = MakeContext(payd_.admin_key());
  const grpc::internal::RpcMethod method(
      "/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo",
      grpc::internal::RpcMethod::BIDI_STREAMING);
  std::unique_ptr<grpc::ClientReaderWriter<grpc::ByteBuffer, grpc::ByteBuffer>> stream(
      grpc::internal::ClientReaderWriterFactory<grpc::ByteBuffer, grpc::ByteBuffer>::Create(
          payd_.channel().get(), method, context.get()));
  // ServerReflectionRequest{list_services: ""}: field 7, wire type 2, length 0.
  ASSERT_TRUE(stream->Write(Wrap(std::string("\x3a\x00", 2))));
  ASSERT_TRUE(stream->WritesDone());
  grpc::ByteBuffer response;
  ASSERT_TRUE(stream->Read(&response));
  const std::string bytes = Flatten(response);
  grpc::ByteBuffer extra;
  while (stream->Read(&extra)) {
  }
  ASSERT_TRUE(IsOk(stream->Finish()));
  for (const char* service : {"pay.v1.FeeService", "pay.v1.PaymentService", "pay.v1.AdminService",
                              "grpc.health.v1.Health"}) {
    EXPECT_NE(bytes.find(service), std::string::npos) << service << " is not listed";
  }
}

TEST_F(DaemonTest, SigtermAndSigintStopCleanly) {
  EXPECT_EQ(payd_.Stop(SIGTERM), 0);
  ASSERT_TRUE(payd_.Start());
  Connect();
  v1::Fee fee;
  ASSERT_NO_FATAL_FAILURE(IssueFee(passports_.agency_key, 1250, &fee));
  EXPECT_EQ(payd_.Stop(SIGINT), 0);
}

TEST_F(DaemonTest, AdminKeyFromInitIsAnAdminKey) {
  const std::string contents = ReadFile(payd_.data_dir() + "/admin.key");
  EXPECT_EQ(contents, payd_.admin_key() + "\n") << "the key alone on one line";
  EXPECT_TRUE(HasIdShape(payd_.admin_key(), "payk_", 64)) << payd_.admin_key();
  struct stat info {};
  ASSERT_EQ(stat((payd_.data_dir() + "/admin.key").c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  v1::ListAgenciesResponse agencies;
  auto context = MakeContext(payd_.admin_key());
  ASSERT_TRUE(IsOk(admin_->ListAgencies(context.get(), {}, &agencies)));
  ASSERT_EQ(agencies.agencies_size(), 1);
  EXPECT_EQ(agencies.agencies(0).agency_id(), "passports");
  EXPECT_TRUE(agencies.agencies(0).has_create_time());
}

TEST(PaydCommandLineTest, InitTwiceChangesNothing) {
  PaydProcess payd;
  ASSERT_TRUE(payd.Init());
  const std::string key_path = payd.data_dir() + "/admin.key";
  const std::string first = ReadFile(key_path);
  ASSERT_FALSE(first.empty());

  const CommandResult again = RunPayd({"init", "--data-dir", payd.data_dir()});
  EXPECT_EQ(again.exit_code, 0) << again.output;
  EXPECT_EQ(ReadFile(key_path), first);
  struct stat info {};
  ASSERT_EQ(stat(key_path.c_str(), &info), 0);
  EXPECT_EQ(info.st_mode & 0777, 0600u);

  // The store still opens and the key still works.
  ASSERT_TRUE(payd.Start());
  auto admin = v1::AdminService::NewStub(payd.channel());
  v1::ListAgenciesResponse agencies;
  auto context = MakeContext(payd.admin_key());
  EXPECT_TRUE(IsOk(admin->ListAgencies(context.get(), {}, &agencies)));
}

TEST(PaydCommandLineTest, HelpExitsZero) {
  const CommandResult help = RunPayd({"--help"});
  EXPECT_EQ(help.exit_code, 0) << help.output;
  EXPECT_NE(help.output.find("serve"), std::string::npos) << help.output;
  EXPECT_NE(help.output.find("init"), std::string::npos) << help.output;

  const CommandResult serve_help = RunPayd({"serve", "--help"});
  EXPECT_EQ(serve_help.exit_code, 0) << serve_help.output;
  EXPECT_NE(serve_help.output.find("--data-dir"), std::string::npos) << serve_help.output;
  EXPECT_NE(serve_help.output.find("--listen"), std::string::npos) << serve_help.output;

  const CommandResult init_help = RunPayd({"init", "--help"});
  EXPECT_EQ(init_help.exit_code, 0) << init_help.output;
  EXPECT_NE(init_help.output.find("--data-dir"), std::string::npos) << init_help.output;
}

TEST(PaydCommandLineTest, ServeOnUninitialisedDirectoryFails) {
  TempDir empty;
  ASSERT_FALSE(empty.path().empty());
  for (const std::string& dir : {empty.path(), empty.path() + "/does-not-exist"}) {
    SCOPED_TRACE(dir);
    const CommandResult serve =
        RunPayd({"serve", "--data-dir", dir, "--listen", "127.0.0.1:0"}, std::chrono::seconds(20));
    EXPECT_GT(serve.exit_code, 0) << "must exit by itself, non-zero:\n" << serve.output;
    EXPECT_LT(serve.exit_code, 128) << "must exit, not crash:\n" << serve.output;
    EXPECT_NE(serve.output.find("payd init"), std::string::npos) << serve.output;
  }
}

}  // namespace
}  // namespace pay::integration
