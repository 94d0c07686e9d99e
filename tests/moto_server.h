// A moto_server (the moto library's S3 API server) for the tests, started on
// a free loopback port the first time a test asks for it and stopped when the
// test program exits.
//
//   MotoServer* server = MotoServer::Shared();
//   if (server == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
//   S3Options options = server->Options(server->CreateBucket(/*versioning=*/true));
//
// moto's request log goes to the file named by the environment variable
// MACROPIPE_MOTO_LOG, when it is set. Thread-compatible: tests call it from
// their main thread.
#pragma once

#include <sys/types.h>

#include <string>

#include "landing/s3_client.h"

namespace macropipe::testing {

class MotoServer {
 public:
  // Returns the running server, starting it on first use; nullptr when
  // moto_server is not on PATH or does not start.
  static MotoServer* Shared();
  // Why Shared returned nullptr, and how to get moto_server.
  static std::string MissingMessage();

  ~MotoServer();
  MotoServer(const MotoServer&) = delete;
  MotoServer& operator=(const MotoServer&) = delete;

  std::string Endpoint() const;  // "http://127.0.0.1:PORT".
  int port() const { return port_; }

  // S3Options for `bucket` on this server with moto's test credentials.
  S3Options Options(const std::string& bucket) const;
  // Creates a bucket with a fresh name, with or without versioning; returns its name.
  std::string CreateBucket(bool versioning);

 private:
  MotoServer(pid_t pid, int port) : pid_(pid), port_(port) {}
  static MotoServer* Start(std::string& failure);

  pid_t pid_ = -1;
  int port_ = 0;
};

}  // namespace macropipe::testing
