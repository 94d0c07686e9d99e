#include "core/url.h"

#include <gtest/gtest.h>

namespace macropipe {
namespace {

TEST(RedactUrlTest, RemovesCredentials) {
  const std::pair<std::string, std::string> cases[] = {
      {"https://api.stlouisfed.org/fred/series?series_id=GDP&api_key=abc123&file_type=json",
       "https://api.stlouisfed.org/fred/series?series_id=GDP&api_key=REDACTED&file_type=json"},
      {"https://www.alphavantage.co/query?function=X&apikey=SECRET",
       "https://www.alphavantage.co/query?function=X&apikey=REDACTED"},
      {"https://api.census.gov/data?get=x&key=K#frag",
       "https://api.census.gov/data?get=x&key=REDACTED#frag"},
      {"https://user:pass@example.org/a?b=1", "https://example.org/a?b=1"},
      {"https://h/p?X-Amz-Signature=abc&X-Amz-Credential=AK/2024",
       "https://h/p?X-Amz-Signature=REDACTED&X-Amz-Credential=REDACTED"},
      {"https://h/p?access_token=t", "https://h/p?access_token=REDACTED"},
      {"file:///data/2025-02.csv", "file:///data/2025-02.csv"},
      {"https://h/p?monkey=1", "https://h/p?monkey=REDACTED"},
      {"https://h/p?series_id=keyword", "https://h/p?series_id=keyword"},
      {"https://h/p?api_ke%79=S", "https://h/p?api_ke%79=REDACTED"},
      {"https://h/p?api_key[]=S&x=1", "https://h/p?api_key[]=REDACTED&x=1"},
      {"https://h/p?x=1;api_key=S", "https://h/p?x=1;api_key=REDACTED"},
      {"https://h/p#api_key=S", "https://h/p#api_key=REDACTED"},
      {"https://h/p?a=1#token=S", "https://h/p?a=1#token=REDACTED"},
      {"https://h/p?auth=S&pwd=T", "https://h/p?auth=REDACTED&pwd=REDACTED"},
      {"https://h/p?client_secret=S", "https://h/p?client_secret=REDACTED"},
  };
  for (const auto& [url, expected] : cases) {
    SCOPED_TRACE(url);
    EXPECT_EQ(RedactUrl(url), expected);
  }
}

TEST(EncodeKeyComponentTest, KeepsSafeCharacters) {
  EXPECT_EQ(EncodeKeyComponent("CPIAUCSL"), "CPIAUCSL");
  EXPECT_EQ(EncodeKeyComponent("S&P 500"), "S%26P%20500");
  EXPECT_EQ(EncodeKeyComponent("a/b"), "a%2Fb");
  EXPECT_EQ(EncodeKeyComponent("VOO.close_1-x"), "VOO.close_1-x");
}

TEST(FileUrlTest, ConvertsToPath) {
  EXPECT_EQ(FileUrlToPath("file:///tmp/a%20b.csv"), "/tmp/a b.csv");
  EXPECT_EQ(FileUrlToPath("file://localhost/tmp/x.csv"), "/tmp/x.csv");
  EXPECT_EQ(FileUrlToPath("https://example.org/x.csv"), "");
  EXPECT_EQ(FileUrlToPath("file:///tmp/x.csv?api_key=S"), "/tmp/x.csv");
  EXPECT_EQ(UrlFileName("https://h/fred-md/monthly/2025-02.csv?x=1"), "2025-02.csv");
}

}  // namespace
}  // namespace macropipe
