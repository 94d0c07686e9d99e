#include "core/date.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe {
namespace {

struct ParseCase {
  std::string text;
  std::optional<std::string> iso;  // nullopt: the text must be rejected.
};

TEST(DateTest, ParsesIsoDates) {
  const ParseCase cases[] = {
      {"2024-12-01", "2024-12-01"}, {"1959-01-01", "1959-01-01"}, {"1776-07-04", "1776-07-04"},
      {"9999-12-31", "9999-12-31"}, {"2024-02-29", "2024-02-29"}, {"2023-02-29", std::nullopt},
      {"2024-13-01", std::nullopt}, {"2024-1-01", std::nullopt},  {"24-01-01", std::nullopt},
      {"2024/01/01", std::nullopt}, {"", std::nullopt},           {"2024-01-01x", std::nullopt},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    std::optional<Date> date = Date::TryParseIso(c.text);
    ASSERT_EQ(date.has_value(), c.iso.has_value());
    if (date) {
      EXPECT_EQ(date->ToIso(), *c.iso);
    }
  }
}

TEST(DateTest, ParsesUsDates) {
  const ParseCase cases[] = {
      {"1/1/1959", "1959-01-01"},  {"12/1/2024", "2024-12-01"}, {"01/01/2025", "2025-01-01"},
      {"2/30/2024", std::nullopt}, {"1/1/59", std::nullopt},    {"1-1-1959", std::nullopt},
      {"a/1/1959", std::nullopt},  {"", std::nullopt},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    std::optional<Date> date = Date::TryParseUs(c.text);
    ASSERT_EQ(date.has_value(), c.iso.has_value());
    if (date) {
      EXPECT_EQ(date->ToIso(), *c.iso);
    }
  }
}

TEST(DateTest, ParsesYearMonth) {
  const ParseCase cases[] = {
      {"2025-02", "2025-02-01"}, {"1960-12", "1960-12-01"}, {"2025-00", std::nullopt},
      {"2025-2", std::nullopt},  {"current", std::nullopt},
  };
  for (const ParseCase& c : cases) {
    SCOPED_TRACE(c.text);
    std::optional<Date> date = Date::TryParseYearMonth(c.text);
    ASSERT_EQ(date.has_value(), c.iso.has_value());
    if (date) {
      EXPECT_EQ(date->ToIso(), *c.iso);
    }
  }
}

TEST(DateTest, HandlesDatesBefore1970) {
  Date date(1959, 3, 1);
  EXPECT_LT(date.days().time_since_epoch().count(), 0);
  EXPECT_EQ(date.ToIso(), "1959-03-01");
  EXPECT_EQ(date.ToCompact(), "19590301");
  EXPECT_EQ(date.AddDays(-1).ToIso(), "1959-02-28");
  EXPECT_LT(date, Date(1970, 1, 1));
}

TEST(DateTest, ShiftsMonths) {
  EXPECT_EQ(Date(2024, 1, 31).AddMonths(1).ToIso(), "2024-02-29");
  EXPECT_EQ(Date(2024, 12, 15).AddMonths(1).ToIso(), "2025-01-15");
  EXPECT_EQ(Date(2024, 3, 15).AddMonths(-3).ToIso(), "2023-12-15");
  EXPECT_EQ(Date(2024, 3, 15).MonthStart().ToIso(), "2024-03-01");
}

TEST(DateTest, ParseIsoNamesTheValue) {
  try {
    Date::ParseIso("2024-31-01", "--as-of date");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    EXPECT_NE(std::string(error.what()).find("'2024-31-01'"), std::string::npos);
    EXPECT_NE(std::string(error.what()).find("--as-of date"), std::string::npos);
  }
}

}  // namespace
}  // namespace macropipe
