#include "core/csv.h"

#include <gtest/gtest.h>

#include <sstream>

#include "core/error.h"

namespace macropipe {
namespace {

std::vector<std::vector<std::string>> ReadAll(const std::string& text) {
  std::istringstream in(text);
  CsvReader reader(in, "test.csv");
  std::vector<std::string_view> fields;
  std::vector<std::vector<std::string>> records;
  while (reader.Next(fields)) records.emplace_back(fields.begin(), fields.end());
  return records;
}

struct CsvCase {
  std::string name;
  std::string text;
  std::vector<std::vector<std::string>> records;
};

TEST(CsvReaderTest, ReadsRecords) {
  const CsvCase cases[] = {
      {"lf", "a,b\n1,2\n", {{"a", "b"}, {"1", "2"}}},
      {"crlf", "a,b\r\n1,2\r\n", {{"a", "b"}, {"1", "2"}}},
      {"no final newline", "a,b\n1,2", {{"a", "b"}, {"1", "2"}}},
      {"empty fields", "a,,c\n,,\n", {{"a", "", "c"}, {"", "", ""}}},
      {"quoted comma", "\"S&P, 500\",x\n", {{"S&P, 500", "x"}}},
      {"escaped quote", "\"say \"\"hi\"\"\",2\n", {{"say \"hi\"", "2"}}},
      {"quoted newline", "\"two\nlines\",3\r\n", {{"two\nlines", "3"}}},
      {"spaces kept", "S&P 500,x y\n", {{"S&P 500", "x y"}}},
  };
  for (const CsvCase& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(ReadAll(c.text), c.records);
  }
}

TEST(CsvReaderTest, CountsLines) {
  std::istringstream in("h\n\"a\nb\"\nc\n");
  CsvReader reader(in, "file.csv");
  std::vector<std::string_view> fields;
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(reader.line(), 1u);
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(reader.line(), 2u);
  ASSERT_TRUE(reader.Next(fields));
  EXPECT_EQ(reader.line(), 4u);
  EXPECT_EQ(reader.Where(), "file.csv line 4");
}

TEST(CsvReaderTest, RejectsUnterminatedQuote) {
  std::istringstream in("a,\"b\n");
  CsvReader reader(in, "bad.csv");
  std::vector<std::string_view> fields;
  try {
    reader.Next(fields);
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("bad.csv line 1"), std::string::npos);
  }
}

}  // namespace
}  // namespace macropipe
