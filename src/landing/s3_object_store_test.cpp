#include "landing/s3_object_store.h"

#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <thread>

#include "core/error.h"
#include "core/sha256.h"
#include "http/http_client.h"
#include "landing/object_store_conformance.h"
#include "moto_server.h"
#include "test_support.h"

namespace macropipe::testing {
namespace {

void SkipWithoutMoto() { GTEST_SKIP() << MotoServer::MissingMessage(); }

// A store in a fresh bucket of the shared moto_server, under a key prefix so
// that keys are not at the bucket's root.
std::unique_ptr<ObjectStore> MakeS3Store(bool versioning, S3Addressing addressing) {
  MotoServer* server = MotoServer::Shared();
  if (server == nullptr) {
    SkipWithoutMoto();
    return nullptr;
  }
  S3Options options = server->Options(server->CreateBucket(versioning));
  options.addressing = addressing;
  if (addressing == S3Addressing::kVirtualHosted) {
    // bucket.localhost does not resolve, so connect to the server directly.
    options.endpoint = "http://localhost:" + std::to_string(server->port());
    options.connect_to = "127.0.0.1:" + std::to_string(server->port());
  }
  return std::make_unique<S3ObjectStore>(options, S3StoreOptions{.prefix = "landing"});
}

INSTANTIATE_TEST_SUITE_P(
    S3, ObjectStoreConformanceTest,
    ::testing::Values(ObjectStoreBackend{"s3_versioned_bucket",
                                         [](const std::filesystem::path&) {
                                           return MakeS3Store(true, S3Addressing::kPath);
                                         }},
                      ObjectStoreBackend{"s3_unversioned_bucket_virtual_hosted",
                                         [](const std::filesystem::path&) {
                                           return MakeS3Store(false, S3Addressing::kVirtualHosted);
                                         }}),
    [](const ::testing::TestParamInfo<ObjectStoreBackend>& info) { return info.param.name; });

// An S3 server that responds to each request with a handler the test supplies,
// recording what it was sent, for the failures moto_server cannot produce.
class ScriptedS3Server {
 public:
  struct Received {
    std::string method;
    std::string path;
    std::string query;  // Raw, as sent.
    std::string authorization;
  };
  using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

  explicit ScriptedS3Server(Handler handler) : handler_(std::move(handler)) {
    server_.set_payload_max_length(64ull << 20);
    auto serve = [this](const httplib::Request& request, httplib::Response& response) {
      {
        std::lock_guard lock(mutex_);
        std::string query;
        for (const auto& [name, value] : request.params) query += name + "=" + value + "&";
        received_.push_back(
            {request.method, request.path, query, request.get_header_value("Authorization")});
      }
      handler_(request, response);
    };
    server_.Get(".*", serve);
    server_.Put(".*", serve);
    server_.Post(".*", serve);
    server_.Delete(".*", serve);
    server_.set_pre_routing_handler([this, serve](const auto& request, auto& response) {
      if (request.method != "HEAD") return httplib::Server::HandlerResponse::Unhandled;
      serve(request, response);
      return httplib::Server::HandlerResponse::Handled;
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~ScriptedS3Server() {
    server_.stop();
    thread_.join();
  }

  S3Options Options() const {
    S3Options options;
    options.endpoint = "http://127.0.0.1:" + std::to_string(port_);
    options.bucket = "scripted-bucket";
    options.credentials = {"AKIDSCRIPTED", "scripted/secret+key", ""};
    options.retry.initial_delay = std::chrono::milliseconds(1);
    options.retry.max_attempts = 3;
    return options;
  }
  std::vector<Received> received() const {
    std::lock_guard lock(mutex_);
    return received_;
  }

 private:
  Handler handler_;
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
  mutable std::mutex mutex_;
  std::vector<Received> received_;
};

std::string ErrorXml(const std::string& code, const std::string& message) {
  return "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>" + code + "</Code><Message>" +
         message + "</Message></Error>";
}

TEST(S3ClientTest, RetriesSlowDownAndServerErrors) {
  std::atomic<int> calls = 0;
  ScriptedS3Server server([&](const httplib::Request&, httplib::Response& response) {
    int call = calls++;
    if (call == 0) {
      response.status = 503;
      response.set_content(ErrorXml("SlowDown", "Please reduce your request rate."),
                           "application/xml");
    } else if (call == 1) {
      response.status = 500;
      response.set_content(ErrorXml("InternalError", "We encountered an internal error."),
                           "application/xml");
    } else {
      response.status = 200;
    }
  });
  S3Client client(server.Options());
  HttpResponse response = client.Send({.method = "PUT", .key = "k/x.csv", .body = "bytes"});
  EXPECT_EQ(response.status, 200);
  ASSERT_EQ(server.received().size(), 3u);
  EXPECT_EQ(server.received()[2].path, "/scripted-bucket/k/x.csv");
}

TEST(S3ClientTest, RetriesConnectionFailures) {
  int port;
  {
    ScriptedS3Server closed([](const httplib::Request&, httplib::Response&) {});
    port = std::stoi(closed.Options().endpoint.substr(17));
  }
  S3Options options;
  options.endpoint = "http://127.0.0.1:" + std::to_string(port);
  options.bucket = "gone";
  options.retry = {.max_attempts = 2, .initial_delay = std::chrono::milliseconds(1)};
  S3Client client(options);
  try {
    client.Send({.method = "GET", .key = "a.csv"});
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    EXPECT_NE(std::string(error.what()).find("s3://gone/a.csv at " + options.endpoint),
              std::string::npos)
        << error.what();
  }
}

TEST(S3ClientTest, ReportsFinalErrorsClearly) {
  struct Case {
    int status;
    std::string code;
    ErrorCode expected;
    std::string advice;
    size_t attempts;
  };
  const Case cases[] = {
      {403, "RequestTimeTooSkewed", ErrorCode::kFailedPrecondition, "synchronise the clock", 1},
      {403, "AccessDenied", ErrorCode::kPermissionDenied, "access to the bucket", 1},
      {403, "SignatureDoesNotMatch", ErrorCode::kUnauthenticated, "AWS_SECRET_ACCESS_KEY", 1},
      {404, "NoSuchBucket", ErrorCode::kNotFound, "create the bucket", 1},
      {503, "SlowDown", ErrorCode::kUnavailable, "after 3 attempts", 3},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.code);
    ScriptedS3Server server([&](const httplib::Request&, httplib::Response& response) {
      response.status = c.status;
      response.set_content(ErrorXml(c.code, "the server's words"), "application/xml");
    });
    S3Options options = server.Options();
    S3Client client(options);
    try {
      client.Send({.method = "PUT", .key = "src/S&P 500.csv", .body = "x"});
      FAIL() << "expected an error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_EQ(error.code(), c.expected) << message;
      EXPECT_NE(message.find(c.code), std::string::npos) << message;
      EXPECT_NE(message.find(c.advice), std::string::npos) << message;
      EXPECT_NE(message.find("s3://scripted-bucket/src/S&P 500.csv at " + options.endpoint),
                std::string::npos)
          << message;
      EXPECT_EQ(message.find(options.credentials.secret_access_key), std::string::npos);
      EXPECT_EQ(message.find(options.credentials.access_key_id), std::string::npos);
    }
    EXPECT_EQ(server.received().size(), c.attempts);
  }
}

TEST(S3ClientTest, AddressesPathAndVirtualHosted) {
  std::string host;
  ScriptedS3Server server([&](const httplib::Request& request, httplib::Response& response) {
    host = request.get_header_value("Host");
    response.status = 200;
  });
  S3Options options = server.Options();
  int port = std::stoi(options.endpoint.substr(17));
  S3Client path_client(options);
  path_client.Send({.method = "GET", .key = "a b/c+d.csv"});
  EXPECT_EQ(server.received().back().path, "/scripted-bucket/a b/c+d.csv");
  EXPECT_EQ(host, "127.0.0.1:" + std::to_string(port));

  options.addressing = S3Addressing::kVirtualHosted;
  options.endpoint = "http://s3.example.test:" + std::to_string(port);
  options.connect_to = "127.0.0.1:" + std::to_string(port);
  S3Client virtual_client(options);
  virtual_client.Send({.method = "GET", .key = "a b/c+d.csv"});
  EXPECT_EQ(server.received().back().path, "/a b/c+d.csv");
  EXPECT_EQ(host, "scripted-bucket.s3.example.test:" + std::to_string(port));
  EXPECT_NE(server.received().back().authorization.find("Credential=AKIDSCRIPTED/"),
            std::string::npos);
}

// A CompleteMultipartUpload that returns 200 and an error document fails the
// put, and the upload is aborted.
TEST(S3ObjectStoreTest, CompleteWithErrorBodyAbortsUpload) {
  ScriptedS3Server server([](const httplib::Request& request, httplib::Response& response) {
    response.status = 200;
    if (request.has_param("versioning")) {
      response.set_content(
          "<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>",
          "application/xml");
    } else if (request.method == "HEAD") {
      response.status = 404;
    } else if (request.method == "POST" && request.has_param("uploads")) {
      response.set_content(
          "<InitiateMultipartUploadResult><UploadId>upload-1</UploadId>"
          "</InitiateMultipartUploadResult>",
          "application/xml");
    } else if (request.method == "PUT") {
      response.set_header("ETag", "\"etag-" + request.get_param_value("partNumber") + "\"");
    } else if (request.method == "POST") {
      response.set_content(ErrorXml("InternalError", "We encountered an internal error."),
                           "application/xml");
    } else if (request.method == "DELETE") {
      response.status = 204;
    }
  });
  S3ObjectStore store(server.Options(), {.multipart_threshold = 1 << 20, .part_size = 5ull << 20});
  std::string large((6 << 20) + 3, 'x');
  try {
    store.Put("big/blob.bin", large);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("InternalError"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("big/blob.bin"), std::string::npos) << error.what();
  }
  std::vector<ScriptedS3Server::Received> received = server.received();
  int parts = 0;
  for (const auto& request : received) parts += request.query.find("partNumber=") == 0;
  EXPECT_EQ(parts, 2);
  ASSERT_FALSE(received.empty());
  EXPECT_EQ(received.back().method, "DELETE");
  EXPECT_NE(received.back().query.find("uploadId=upload-1"), std::string::npos);
}

TEST(S3ObjectStoreTest, MultipartUploadRoundTrips) {
  MotoServer* server = MotoServer::Shared();
  if (server == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
  for (bool versioning : {true, false}) {
    SCOPED_TRACE(versioning);
    S3ObjectStore store(
        server->Options(server->CreateBucket(versioning)),
        {.multipart_threshold = 1 << 20, .part_size = 5ull << 20, .read_chunk = 2 << 20});
    // Two parts, the second of 17 bytes, read back in three ranges.
    std::string large((5 << 20) + 17, '\0');
    for (size_t i = 0; i < large.size(); ++i) large[i] = static_cast<char>((i * 2654435761u) >> 13);
    PutResult put = store.Put("big/blob.bin", large);
    EXPECT_TRUE(put.created);
    EXPECT_EQ(store.Head("big/blob.bin")->sha256, Sha256Hex(large));
    std::unique_ptr<std::istream> in = store.Open("big/blob.bin");
    std::string read((std::istreambuf_iterator<char>(*in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(read == large);
  }
}

TEST(S3ObjectStoreTest, MissingBucketIsClearError) {
  MotoServer* server = MotoServer::Shared();
  if (server == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
  try {
    S3ObjectStore store(server->Options("no-such-bucket-here"));
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("s3://no-such-bucket-here/"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find(server->Endpoint()), std::string::npos);
  }
}

TEST(S3ObjectStoreTest, PresignedUrlReadsObject) {
  MotoServer* server = MotoServer::Shared();
  if (server == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
  S3ObjectStore store(server->Options(server->CreateBucket(true)), {.prefix = "p"});
  store.Put("src/caf\xC3\xA9 100%+x.csv", "presigned bytes");
  std::string url =
      store.client().PresignGet("p/src/caf\xC3\xA9 100%+x.csv", std::chrono::seconds(300));
  HttpClient client;
  HttpResponse response = client.Get(url);
  EXPECT_EQ(response.status, 200);
  EXPECT_EQ(response.body, "presigned bytes");
}

// Another S3 client, Debian's awscli, reads back what macropipe wrote.
TEST(S3ObjectStoreTest, AwsCliReadsObjectsBack) {
  MotoServer* server = MotoServer::Shared();
  if (server == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
  const char* aws = "/usr/bin/aws";
  if (!std::filesystem::exists(aws)) {
    GTEST_SKIP() << "awscli is not installed at /usr/bin/aws (apt-get install awscli)";
  }
  std::string bucket = server->CreateBucket(true);
  S3ObjectStore store(server->Options(bucket), {.prefix = "landing"});
  const std::string key = "src/S&P 500 caf\xC3\xA9+100%.csv";
  store.Put(key, "date,value\n2025-01-01,1.5\n");

  ScratchDir scratch;
  std::filesystem::path copy = scratch / "copy.csv";
  S3Options options = server->Options(bucket);
  std::string environment = "AWS_ACCESS_KEY_ID=" + options.credentials.access_key_id +
                            " AWS_SECRET_ACCESS_KEY=" + options.credentials.secret_access_key +
                            " AWS_DEFAULT_REGION=us-east-1 AWS_CONFIG_FILE=/dev/null"
                            " AWS_SHARED_CREDENTIALS_FILE=/dev/null ";
  std::string command = environment + aws + " --endpoint-url " + server->Endpoint() +
                        " s3 cp 's3://" + bucket + "/landing/" + key + "' '" + copy.string() +
                        "' >/dev/null 2>&1";
  ASSERT_EQ(std::system(command.c_str()), 0) << command;
  std::ifstream in(copy);
  std::string read((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(read, "date,value\n2025-01-01,1.5\n");
}

}  // namespace
}  // namespace macropipe::testing
