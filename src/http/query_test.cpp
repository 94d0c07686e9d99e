#include "http/query.h"

#include <gtest/gtest.h>

namespace macropipe {
namespace {

TEST(QueryTest, ParsesAndDecodes) {
  QueryParameters expected = {
      {"series_id", "GDP"}, {"name", "S&P 500"}, {"flag", ""}, {"x", "a b"}};
  EXPECT_EQ(ParseQuery("series_id=GDP&name=S%26P%20500&flag&&x=a+b"), expected);
  EXPECT_EQ(QueryOf("https://h/p?a=1&b=2#frag"), "a=1&b=2");
  EXPECT_EQ(QueryOf("https://h/p"), "");
  EXPECT_EQ(PercentDecode("100%", false), "100%");
  EXPECT_EQ(PercentDecode("%zz+", false), "%zz+");
}

TEST(QueryTest, CredentialParametersRecognized) {
  struct Case {
    const char* name;
    bool credential;
  };
  const Case cases[] = {{"api_key", true},  {"apikey", true},     {"token", true},
                        {"password", true}, {"series_id", false}, {"file_type", false}};
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(IsCredentialParameter(c.name), c.credential);
  }
}

TEST(QueryTest, RedactCredentialsHidesRawAndDecodedValues) {
  std::string url = "https://h/query?function=X&apikey=ab%2Bcd&symbol=IBM";
  std::string text = "key ab%2Bcd or ab+cd used for IBM";
  EXPECT_EQ(RedactCredentials(text, url), "key REDACTED or REDACTED used for IBM");
}

}  // namespace
}  // namespace macropipe
