#include "sources/fredmd.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe {
namespace {

constexpr char kHeader[] = "sasdate,RPI,S&P 500\nTransform:,5,5\n";

TEST(FredMdParseTest, ReadsTheRealLayout) {
  FredMdFile file = ParseFredMd(
      "sasdate,RPI,S&P 500,CPIAUCSL\r\nTransform:,5,5,6\r\n1/1/1959,2437.296,55.62,28.97\r\n"
      "2/1/1959,,54.77,-0.5e1\r\n,,,\r\n",
      "2025-02.csv");
  EXPECT_EQ(file.names, (std::vector<std::string>{"RPI", "S&P 500", "CPIAUCSL"}));
  EXPECT_EQ(file.transform_codes, (std::vector<std::optional<int>>{5, 5, 6}));
  ASSERT_EQ(file.dates.size(), 2u);
  EXPECT_EQ(file.dates[1].ToIso(), "1959-02-01");
  EXPECT_EQ(file.values[0][1], "");
  EXPECT_EQ(file.values[2][1], "-0.5e1");
  EXPECT_EQ(file.CountValues(), 5u);
  EXPECT_EQ(FredMdSeriesCsv(file, 0), "date,value\n1959-01-01,2437.296\n1959-02-01,\n");
}

TEST(FredMdParseTest, AcceptsFormatVariants) {
  struct Case {
    std::string name;
    std::string text;
    size_t rows;
  };
  const Case cases[] = {
      {"lf endings", std::string(kHeader) + "1/1/2020,1,2\n", 1},
      {"crlf endings", "sasdate,RPI,S&P 500\r\nTransform:,5,5\r\n1/1/2020,1,2\r\n", 1},
      {"no final newline", std::string(kHeader) + "1/1/2020,1,2", 1},
      {"trailing commas row", std::string(kHeader) + "1/1/2020,1,2\n,,\n", 1},
      {"blank line", std::string(kHeader) + "1/1/2020,1,2\n\n2/1/2020,3,4\n", 2},
      {"padded dates", std::string(kHeader) + "01/01/2020,1,2\n", 1},
      {"empty transform code", "sasdate,A,B\nTransform:,,5\n1/1/2020,1,2\n", 1},
      {"only missing values", std::string(kHeader) + "1/1/2020,,\n", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ParseFredMd(c.text, "x.csv").dates.size(), c.rows);
  }
}

TEST(FredMdParseTest, RejectsMalformedInput) {
  struct Case {
    std::string name;
    std::string text;
    std::vector<std::string> expected;  // Fragments of the message.
  };
  const Case cases[] = {
      {"ragged row", std::string(kHeader) + "1/1/2020,1\n", {"x.csv line 3", "2 fields", "3"}},
      {"bad date", std::string(kHeader) + "13/1/2020,1,2\n", {"x.csv line 3", "'13/1/2020'"}},
      {"iso date", std::string(kHeader) + "2020-01-01,1,2\n", {"line 3", "'2020-01-01'"}},
      {"mid-month date", std::string(kHeader) + "1/15/2020,1,2\n", {"line 3", "first day"}},
      {"dates out of order",
       std::string(kHeader) + "2/1/2020,1,2\n1/1/2020,1,2\n",
       {"line 4", "not after"}},
      {"non-numeric value",
       std::string(kHeader) + "1/1/2020,1,abc\n",
       {"line 3", "'abc'", "'S&P 500'"}},
      {"infinite value", std::string(kHeader) + "1/1/2020,inf,2\n", {"line 3", "'inf'", "'RPI'"}},
      {"no header", "date,RPI\nTransform:,5\n", {"x.csv line 1", "sasdate"}},
      {"empty file", "", {"x.csv", "sasdate"}},
      {"duplicate column", "sasdate,A,A\nTransform:,5,5\n", {"'A' appears twice"}},
      {"missing transform row", "sasdate,A\n1/1/2020,1\n", {"Transform:"}},
      {"bad transform code", "sasdate,A\nTransform:,9\n", {"line 2", "'9'", "'A'"}},
      {"late transform row",
       std::string(kHeader) + "1/1/2020,1,2\nTransform:,5,5\n",
       {"line 4", "Transform:"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    try {
      ParseFredMd(c.text, "x.csv");
      ADD_FAILURE() << "expected an error";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      for (const std::string& fragment : c.expected) {
        EXPECT_NE(std::string(error.what()).find(fragment), std::string::npos) << error.what();
      }
    }
  }
}

TEST(FredMdParseTest, ReadsVintageFromFileName) {
  EXPECT_EQ(FredMdVintageFromFileName("2025-02.csv")->ToIso(), "2025-02-01");
  EXPECT_FALSE(FredMdVintageFromFileName("current.csv").has_value());
  EXPECT_FALSE(FredMdVintageFromFileName("2025-13.csv").has_value());
  EXPECT_FALSE(FredMdVintageFromFileName("2025-02.txt").has_value());
}

TEST(FredMdAppendixTest, ReadsDescriptionsAndGroups) {
  // The published appendix is Windows-1252: byte 0x92 is a right single quote.
  std::string text =
      "id,tcode,fred,description,gsi,gsi:description,group\r\n"
      "113,6,CPIAUCSL,CPI : All Items,M_110157323,CPI-U: all,7\r\n"
      "75,5,S&P 500,S&P\x92s Common Stock Price Index: Composite,M_110155044,S&P 500,8\r\n";
  std::map<std::string, FredMdAppendixEntry> appendix = ParseFredMdAppendix(text, "appendix.csv");
  ASSERT_EQ(appendix.size(), 2u);
  EXPECT_EQ(appendix["CPIAUCSL"].description, "CPI : All Items");
  EXPECT_EQ(appendix["CPIAUCSL"].group, 7);
  EXPECT_EQ(appendix["S&P 500"].description,
            "S&P\xE2\x80\x99s Common Stock Price Index: Composite");
  EXPECT_EQ(FredMdGroupName(7), "prices");
  EXPECT_EQ(FredMdGroupName(9), "");
}

TEST(FredMdAppendixTest, KeepsUtf8Text) {
  std::string text =
      "id,tcode,fred,description,gsi,gsi:description,group\n"
      "1,5,X,Caf\xC3\xA9 index,M_1,x,1\n";
  EXPECT_EQ(ParseFredMdAppendix(text, "a.csv")["X"].description, "Caf\xC3\xA9 index");
}

TEST(FredMdAppendixTest, RejectsOtherFiles) {
  EXPECT_THROW(ParseFredMdAppendix("sasdate,RPI\n", "a.csv"), Error);
  EXPECT_THROW(
      ParseFredMdAppendix("id,tcode,fred,description,gsi,gsi:description,group\n1,2\n", "a.csv"),
      Error);
}

}  // namespace
}  // namespace macropipe
