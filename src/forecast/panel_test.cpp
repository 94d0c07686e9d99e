#include "forecast/panel.h"

#include <gtest/gtest.h>

#include <cmath>

#include "cli/pipeline.h"
#include "core/error.h"
#include "etl/loader.h"
#include "sources/source.h"
#include "test_support.h"

namespace macropipe::forecast {
namespace {

const std::string kFixtures = std::string(MACROPIPE_SOURCE_DIR) + "/tests/fixtures/forecast/";

// Lands each FRED-MD fixture as the vintage beside it, under `source`, and
// loads everything with the real loader.
void IngestAndLoad(Workspace& workspace, const std::string& source,
                   const std::vector<std::pair<std::string, std::string>>& files) {
  for (const auto& [file, vintage] : files) {
    Config config = Config::Parse("[[sources]]\nname = \"" + source +
                                      "\"\ntype = \"fred-md\"\nurl = \"file://" + kFixtures + file +
                                      "\"\nvintage = \"" + vintage + "\"\n",
                                  "panel_test");
    HttpClient http;
    FetchContext context{workspace.landing(), http, UtcTimestampNow(), nullptr, {}};
    MakeSource(config.sources[0])->Fetch(context);
  }
  Loader(workspace.landing(), workspace.warehouse()).LoadPending();
}

PanelOptions WithTarget(const std::string& target_id) {
  PanelOptions options;
  options.target_id = target_id;
  return options;
}

PanelOptions WithSource(const std::string& source) {
  PanelOptions options;
  options.source = source;
  return options;
}

class PanelTest : public ::testing::Test {
 protected:
  void SetUp() override {
    IngestAndLoad(workspace_, "fred-md",
                  {{"fredmd-2000-06.csv", "2000-06"}, {"fredmd-2000-07.csv", "2000-07"}});
  }

  double Value(const Panel& panel, const std::string& name, const std::string& month) {
    size_t column = 0;
    while (column < panel.names.size() && panel.names[column] != name) ++column;
    EXPECT_LT(column, panel.names.size()) << name;
    for (size_t row = 0; row < panel.months.size(); ++row) {
      if (panel.months[row].ToIso() == month) return panel.columns.at(column)[row];
    }
    ADD_FAILURE() << month << " is not in the panel";
    return 0;
  }

  testing::ScratchDir scratch_;
  Workspace workspace_{scratch_.path()};
};

TEST_F(PanelTest, LatestGridRunsThroughTargetsLastMonth) {
  Panel panel = BuildPanel(workspace_.warehouse(), {});
  ASSERT_EQ(panel.months.size(), 5u);
  EXPECT_EQ(panel.months.front().ToIso(), "2000-02-01");
  EXPECT_EQ(panel.months.back().ToIso(), "2000-06-01");
  EXPECT_EQ(panel.names.at(panel.target_column), "CPIAUCSL");
  EXPECT_EQ(panel.names.size(), 8u);
  for (const std::vector<double>& column : panel.columns) EXPECT_EQ(column.size(), 5u);
}

TEST_F(PanelTest, TransformsEachSeriesByItsCode) {
  Panel panel = BuildPanel(workspace_.warehouse(), {});
  struct Case {
    std::string series;
    std::string month;
    double expected;
  };
  const Case cases[] = {
      {"CPIAUCSL", "2000-02-01", std::log(101.0 / 100.0)},  // Target: first difference of log.
      {"CPIAUCSL", "2000-06-01", std::log(105.0 / 104.5)},  // Revised May value.
      {"WPSFD49207", "2000-03-01", std::log(52.0 / 51.0)},  // Code 6 price: difference of log.
      {"INDPRO", "2000-04-01", std::log(13.0 / 12.0)},      // Code 5.
      {"UNRATE", "2000-03-01", 4.3 - 4.1},                  // Code 2.
      {"HOUST", "2000-02-01", std::log(1100.0)},            // Code 4.
      {"FEDFUNDS", "2000-05-01", 5.4},                      // Code 1.
      {"TCODE3", "2000-02-01", std::nan("")},               // Code 3 needs two months before.
      {"TCODE3", "2000-03-01", (4.0 - 2.0) - (2.0 - 1.0)},  // Code 3.
      {"TCODE3", "2000-06-01", (16.0 - 11.0) - (11.0 - 7.0)},
      {"ACOGNO", "2000-03-01", std::nan("")},  // Starts late: no month before.
      {"ACOGNO", "2000-04-01", std::log(21.0 / 20.0)},
      {"UNRATE", "2000-06-01", std::nan("")},  // Ragged edge.
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.series + " " + c.month);
    double actual = Value(panel, c.series, c.month);
    if (std::isnan(c.expected)) {
      EXPECT_TRUE(std::isnan(actual)) << actual;
    } else {
      EXPECT_NEAR(actual, c.expected, 1e-12);
    }
  }
}

TEST_F(PanelTest, VintageSeesOnlyValuesKnownThen) {
  PanelOptions options;
  options.as_of = Date::ParseIso("2000-06-15");
  Panel panel = BuildPanel(workspace_.warehouse(), options);
  ASSERT_EQ(panel.months.size(), 4u);
  EXPECT_EQ(panel.months.back().ToIso(), "2000-05-01");
  EXPECT_NEAR(Value(panel, "CPIAUCSL", "2000-05-01"), std::log(104.0 / 103.0), 1e-12);
  EXPECT_TRUE(std::isnan(Value(panel, "UNRATE", "2000-05-01")));
}

TEST_F(PanelTest, OtherTargetIsDifferenceOfLog) {
  Panel panel = BuildPanel(workspace_.warehouse(), WithTarget("INDPRO"));
  EXPECT_EQ(panel.names.at(panel.target_column), "INDPRO");
  EXPECT_NEAR(panel.columns[panel.target_column][0], std::log(11.0 / 10.0), 1e-12);
}

std::string BuildError(Warehouse& warehouse, const PanelOptions& options) {
  try {
    BuildPanel(warehouse, options);
  } catch (const Error& error) {
    return error.what();
  }
  return "";
}

TEST_F(PanelTest, MissingTargetIsNamed) {
  std::string message = BuildError(workspace_.warehouse(), WithTarget("PCEPI"));
  EXPECT_NE(message.find("target PCEPI of source fred-md"), std::string::npos) << message;
}

TEST_F(PanelTest, MissingSourceIsNamed) {
  std::string message = BuildError(workspace_.warehouse(), WithSource("fred-qd"));
  EXPECT_NE(message.find("source 'fred-qd' has no series"), std::string::npos) << message;
}

TEST_F(PanelTest, LogOfZeroNamesSeriesAndMonth) {
  IngestAndLoad(workspace_, "bad-log", {{"fredmd-nonpositive.csv", "2000-04"}});
  std::string message = BuildError(workspace_.warehouse(), WithSource("bad-log"));
  EXPECT_NE(message.find("series INDPRO"), std::string::npos) << message;
  EXPECT_NE(message.find("2000-02-01"), std::string::npos) << message;
}

TEST_F(PanelTest, TargetGapNamesMonth) {
  IngestAndLoad(workspace_, "gap", {{"fredmd-target-gap.csv", "2000-04"}});
  std::string message = BuildError(workspace_.warehouse(), WithSource("gap"));
  EXPECT_NE(message.find("CPIAUCSL"), std::string::npos) << message;
  EXPECT_NE(message.find("no value for 2000-02-01"), std::string::npos) << message;
}

}  // namespace
}  // namespace macropipe::forecast
