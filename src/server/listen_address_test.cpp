#include "server/listen_address.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe::server {
namespace {

TEST(ListenAddressTest, ParsesHostAndPort) {
  struct Case {
    std::string text;
    std::string host;
    int port;
  };
  for (const Case& c : std::vector<Case>{{"127.0.0.1:8080", "127.0.0.1", 8080},
                                         {"[::1]:9000", "::1", 9000},
                                         {"0.0.0.0:0", "0.0.0.0", 0},
                                         {"localhost:80", "localhost", 80}}) {
    SCOPED_TRACE(c.text);
    ListenAddress address = ParseListenAddress(c.text);
    EXPECT_EQ(address.host, c.host);
    EXPECT_EQ(address.port, c.port);
  }
}

TEST(ListenAddressTest, RejectsMalformedText) {
  for (const char* text :
       {"8080", "127.0.0.1:", "127.0.0.1:70000", ":8080", "::1:8080", "127.0.0.1:80x"}) {
    SCOPED_TRACE(text);
    try {
      ParseListenAddress(text);
      ADD_FAILURE() << "accepted " << text;
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(error.what()).find(text), std::string::npos) << error.what();
    }
  }
}

TEST(ListenAddressTest, DetectsLoopbackAddresses) {
  struct Case {
    std::string host;
    bool loopback;
  };
  for (const Case& c : std::vector<Case>{{"127.0.0.1", true},
                                         {"127.1.2.3", true},
                                         {"::1", true},
                                         {"localhost", true},
                                         {"0.0.0.0", false},
                                         {"::", false},
                                         {"192.168.1.10", false},
                                         {"example.org", false}}) {
    SCOPED_TRACE(c.host);
    EXPECT_EQ(IsLoopback(c.host), c.loopback);
  }
}

}  // namespace
}  // namespace macropipe::server
