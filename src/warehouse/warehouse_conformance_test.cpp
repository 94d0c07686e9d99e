#include "warehouse/warehouse_conformance.h"

#include <random>

#include "core/error.h"

namespace macropipe::testing {

bool VectorStream::Next(ObservationRow& row) {
  if (fail_after_ >= 0 && next_ == static_cast<size_t>(fail_after_)) {
    throw Error(ErrorCode::kUnavailable, "stream failed on purpose");
  }
  if (next_ >= rows_.size()) return false;
  row = rows_[next_++];
  return true;
}

void WarehouseConformanceTest::SetUp() {
  std::random_device random;
  scratch_ = std::filesystem::temp_directory_path() /
             ("macropipe-warehouse-" + std::to_string(random()) + std::to_string(random()));
  std::filesystem::create_directories(scratch_);
  warehouse_ = GetParam().make(scratch_);
}

void WarehouseConformanceTest::TearDown() {
  warehouse_.reset();
  std::error_code ignored;
  std::filesystem::remove_all(scratch_, ignored);
}

LoadResult WarehouseConformanceTest::LoadSnapshot(
    const std::string& id, const std::string& vintage,
    const std::vector<std::pair<std::string, std::optional<double>>>& rows,
    const std::string& key) {
  LoadRequest request;
  request.series.source = "test";
  request.series.id = id;
  request.series.frequency = "Monthly";
  request.object_key =
      key.empty() ? "test/series/" + id + "-" + std::to_string(next_object_++) : key;
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date::ParseIso(vintage);
  request.fetched_at = vintage + "T00:00:00Z";
  std::vector<ObservationRow> observations;
  for (const auto& [date, value] : rows) {
    observations.push_back({Date::ParseIso(date), value, std::nullopt, std::nullopt});
  }
  VectorStream stream(observations);
  return warehouse().Load(request, stream);
}

std::vector<std::string> WarehouseConformanceTest::ValuesAsOf(const std::string& id,
                                                              const std::string& as_of) {
  std::vector<SeriesInfo> found = warehouse().FindSeries(id, "test");
  EXPECT_EQ(found.size(), 1u);
  if (found.empty()) return {};
  std::optional<Date> date;
  if (!as_of.empty()) date = Date::ParseIso(as_of);
  std::vector<std::string> values;
  for (const StoredObservation& o : warehouse().Observations(found[0], date)) {
    values.push_back(o.period.ToIso() + "=" + (o.value ? std::to_string(*o.value) : "NULL"));
  }
  return values;
}

std::string WarehouseConformanceTest::QueryScalar(const std::string& sql) {
  QueryResult result = warehouse().Query(sql, 10);
  if (result.rows.empty() || result.rows[0].empty()) return "";
  const Cell& cell = result.rows[0][0];
  if (std::holds_alternative<int64_t>(cell)) return std::to_string(std::get<int64_t>(cell));
  if (std::holds_alternative<double>(cell)) return std::to_string(std::get<double>(cell));
  if (std::holds_alternative<std::string>(cell)) return std::get<std::string>(cell);
  return "NULL";
}

namespace {

std::string V(const std::string& date, double value) { return date + "=" + std::to_string(value); }

TEST_P(WarehouseConformanceTest, InsertsNewPeriods) {
  LoadResult result = LoadSnapshot("A", "2025-01-01", {{"2024-11-01", 1.5}, {"2024-12-01", 2.5}});
  EXPECT_FALSE(result.already_loaded);
  EXPECT_EQ(result.counts.inserted, 2);
  EXPECT_EQ(result.counts.revised, 0);
  EXPECT_EQ(ValuesAsOf("A"),
            (std::vector<std::string>{V("2024-11-01", 1.5), V("2024-12-01", 2.5)}));
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM observations"), "2");
}

TEST_P(WarehouseConformanceTest, ReloadingAnObjectChangesNothing) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.5}}, "test/a.csv");
  LoadResult again = LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 9.0}}, "test/a.csv");
  EXPECT_TRUE(again.already_loaded);
  EXPECT_EQ(again.counts.total(), 0);
  EXPECT_EQ(ValuesAsOf("A"), std::vector<std::string>{V("2024-12-01", 2.5)});
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM load_batches"), "1");
}

TEST_P(WarehouseConformanceTest, RevisionClosesOldRowAndOpensNew) {
  LoadSnapshot("A", "2025-01-01", {{"2024-11-01", 1.0}, {"2024-12-01", 2.0}});
  LoadResult result = LoadSnapshot("A", "2025-02-01",
                                   {{"2024-11-01", 1.0}, {"2024-12-01", 2.2}, {"2025-01-01", 3.0}});
  EXPECT_EQ(result.counts.inserted, 1);
  EXPECT_EQ(result.counts.revised, 1);
  EXPECT_EQ(result.counts.unchanged, 1);
  EXPECT_EQ(ValuesAsOf("A", "2025-01-15"),
            (std::vector<std::string>{V("2024-11-01", 1.0), V("2024-12-01", 2.0)}));
  EXPECT_EQ(
      ValuesAsOf("A", "2025-02-01"),
      (std::vector<std::string>{V("2024-11-01", 1.0), V("2024-12-01", 2.2), V("2025-01-01", 3.0)}));
  EXPECT_TRUE(ValuesAsOf("A", "2024-12-31").empty());
  EXPECT_EQ(QueryScalar("SELECT realtime_end FROM observation_history WHERE date = '2024-12-01' "
                        "AND realtime_start = '2025-01-01'"),
            "2025-01-31");
}

TEST_P(WarehouseConformanceTest, UnchangedValuesWriteNothing) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  LoadResult result = LoadSnapshot("A", "2025-02-01", {{"2024-12-01", 2.0}});
  EXPECT_EQ(result.counts.unchanged, 1);
  EXPECT_EQ(result.counts.inserted + result.counts.revised, 0);
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM observations"), "1");
  EXPECT_EQ(QueryScalar("SELECT realtime_start FROM observations"), "2025-01-01");
}

TEST_P(WarehouseConformanceTest, EmptyValueKeepsStoredValue) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  LoadResult result =
      LoadSnapshot("A", "2025-02-01", {{"2024-12-01", std::nullopt}, {"2025-01-01", std::nullopt}});
  EXPECT_EQ(result.counts.kept, 1);
  EXPECT_EQ(result.counts.inserted, 0);
  EXPECT_EQ(ValuesAsOf("A"), std::vector<std::string>{V("2024-12-01", 2.0)});
}

TEST_P(WarehouseConformanceTest, OlderVintageLoadedLateFitsIntoHistory) {
  LoadSnapshot("A", "2025-03-01", {{"2024-12-01", 2.4}, {"2025-01-01", 3.0}});
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  LoadSnapshot("A", "2025-02-01", {{"2024-12-01", 2.4}, {"2025-01-01", 2.9}});
  EXPECT_EQ(ValuesAsOf("A", "2025-01-10"), std::vector<std::string>{V("2024-12-01", 2.0)});
  EXPECT_EQ(ValuesAsOf("A", "2025-02-10"),
            (std::vector<std::string>{V("2024-12-01", 2.4), V("2025-01-01", 2.9)}));
  EXPECT_EQ(ValuesAsOf("A", "2025-03-10"),
            (std::vector<std::string>{V("2024-12-01", 2.4), V("2025-01-01", 3.0)}));
}

TEST_P(WarehouseConformanceTest, SameVintageCorrectedInPlace) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}}, "test/a.csv#1");
  LoadResult result = LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.1}}, "test/a.csv#2");
  EXPECT_EQ(result.counts.revised, 1);
  EXPECT_EQ(ValuesAsOf("A", "2025-01-01"), std::vector<std::string>{V("2024-12-01", 2.1)});
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM observations"), "1");
}

TEST_P(WarehouseConformanceTest, StoresRealtimeRowsAsGiven) {
  LoadRequest request;
  request.series = {"test",       "GDP",       "Gross Domestic Product",
                    "Billions",   "Quarterly", "SAAR",
                    std::nullopt, "",          ""};
  request.object_key = "test/gdp.csv";
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date::ParseIso("2025-01-20");
  auto d = [](const char* text) { return Date::ParseIso(text); };
  VectorStream stream({{d("2024-07-01"), 100.0, d("2024-10-30"), d("2024-11-26")},
                       {d("2024-07-01"), 101.0, d("2024-11-27"), d("2024-12-18")},
                       {d("2024-07-01"), 102.0, d("2024-12-19"), Date::Max()},
                       {d("1947-01-01"), std::nullopt, d("2024-10-30"), Date::Max()}});
  LoadResult result = warehouse().Load(request, stream);
  EXPECT_EQ(result.counts.inserted, 4);
  EXPECT_EQ(ValuesAsOf("GDP", "2024-11-26"),
            (std::vector<std::string>{"1947-01-01=NULL", V("2024-07-01", 100.0)}));
  EXPECT_EQ(ValuesAsOf("GDP", "2024-11-27")[1], V("2024-07-01", 101.0));
  EXPECT_EQ(ValuesAsOf("GDP")[1], V("2024-07-01", 102.0));
  EXPECT_EQ(QueryScalar("SELECT value FROM first_releases WHERE date = '2024-07-01'"),
            std::to_string(100.0));
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM revisions WHERE series_id = 'GDP'"), "2");
}

TEST_P(WarehouseConformanceTest, ViewsAnswerVintageQuestions) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  LoadSnapshot("A", "2025-02-01", {{"2024-12-01", 2.5}});
  LoadSnapshot("A", "2025-03-01", {{"2024-12-01", 2.25}});
  EXPECT_EQ(QueryScalar("SELECT value FROM latest_observations WHERE series_id = 'A'"),
            std::to_string(2.25));
  EXPECT_EQ(QueryScalar("SELECT value FROM first_releases WHERE series_id = 'A'"),
            std::to_string(2.0));
  QueryResult revisions = warehouse().Query(
      "SELECT realtime_start, previous_value, value, revision FROM revisions "
      "WHERE series_id = 'A' ORDER BY realtime_start",
      10);
  ASSERT_EQ(revisions.rows.size(), 2u);
  EXPECT_EQ(std::get<std::string>(revisions.rows[0][0]), "2025-02-01");
  EXPECT_DOUBLE_EQ(std::get<double>(revisions.rows[0][1]), 2.0);
  EXPECT_DOUBLE_EQ(std::get<double>(revisions.rows[0][3]), 0.5);
  EXPECT_DOUBLE_EQ(std::get<double>(revisions.rows[1][3]), -0.25);
}

TEST_P(WarehouseConformanceTest, StoresDatesBefore1970) {
  LoadSnapshot("A", "1965-06-01", {{"1959-01-01", 28.0}, {"1965-05-01", 31.0}});
  EXPECT_EQ(ValuesAsOf("A", "1965-06-01"),
            (std::vector<std::string>{V("1959-01-01", 28.0), V("1965-05-01", 31.0)}));
  EXPECT_EQ(QueryScalar("SELECT min(date) FROM observations"), "1959-01-01");
}

TEST_P(WarehouseConformanceTest, FailedLoadLeavesNothing) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  LoadRequest request;
  request.series.source = "test";
  request.series.id = "B";
  request.object_key = "test/b.csv";
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date::ParseIso("2025-02-01");
  std::vector<ObservationRow> rows;
  for (int month = 1; month <= 12; ++month) {
    rows.push_back(
        {Date(2024, static_cast<unsigned>(month), 1), 1.0 * month, std::nullopt, std::nullopt});
  }
  VectorStream failing(rows, 6);
  EXPECT_THROW(warehouse().Load(request, failing), Error);
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM observations"), "1");
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM load_batches"), "1");
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM series WHERE series_id = 'B'"), "0");
  EXPECT_FALSE(warehouse().IsLoaded("test/b.csv", "v1", Date(2025, 2, 1)));

  // The same object loads whole on the next try.
  VectorStream working(rows);
  LoadResult result = warehouse().Load(request, working);
  EXPECT_EQ(result.counts.inserted, 12);
}

TEST_P(WarehouseConformanceTest, RecordsRejectedRows) {
  LoadRequest request;
  request.series.source = "test";
  request.series.id = "A";
  request.object_key = "test/a.csv";
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date::ParseIso("2025-02-01");
  VectorStream stream({{Date(2024, 1, 1), 1.0, std::nullopt, std::nullopt}});
  stream.mutable_rejected().push_back({3, "2024-13-01,1", "invalid date"});
  LoadResult result = warehouse().Load(request, stream);
  EXPECT_EQ(result.counts.rejected, 1);
  EXPECT_EQ(QueryScalar("SELECT reason FROM rejected_rows"), "invalid date");
  EXPECT_EQ(QueryScalar("SELECT rejected FROM load_batches"), "1");
}

TEST_P(WarehouseConformanceTest, QueriesCannotWrite) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  const std::string statements[] = {
      "INSERT INTO series (source, series_id) VALUES ('x', 'y')",
      "DELETE FROM observations",
      "UPDATE observations SET value = 0",
      "DROP TABLE observations",
      "CREATE TABLE t (x)",
      "ATTACH DATABASE '/tmp/macropipe-attack.db' AS other",
      "PRAGMA user_version = 7",
      "PRAGMA journal_mode = DELETE",
  };
  for (const std::string& sql : statements) {
    SCOPED_TRACE(sql);
    EXPECT_THROW(warehouse().Query(sql, 10), Error);
  }
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM observations"), "1");
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM series"), "1");
  EXPECT_FALSE(std::filesystem::exists("/tmp/macropipe-attack.db"));
}

TEST_P(WarehouseConformanceTest, QueryRowLimitTruncates) {
  std::vector<std::pair<std::string, std::optional<double>>> rows;
  for (int month = 1; month <= 12; ++month) {
    char date[32];
    std::snprintf(date, sizeof date, "2024-%02d-01", month);
    rows.emplace_back(date, month);
  }
  LoadSnapshot("A", "2025-01-01", rows);
  QueryResult result = warehouse().Query("SELECT * FROM observations", 5);
  EXPECT_EQ(result.rows.size(), 5u);
  EXPECT_TRUE(result.truncated);
  QueryResult all = warehouse().Query("SELECT * FROM observations", 12);
  EXPECT_FALSE(all.truncated);
}

TEST_P(WarehouseConformanceTest, OlderVintageKeepsNewerMetadata) {
  LoadRequest request;
  request.series.source = "test";
  request.series.id = "A";
  request.series.transform_code = 5;
  request.series.title = "New title";
  request.object_key = "test/new.csv";
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date(2025, 2, 1);
  VectorStream newer({});
  warehouse().Load(request, newer);

  request.series.transform_code = 2;
  request.series.title = "Old title";
  request.object_key = "test/old.csv";
  request.vintage_date = Date(2025, 1, 1);
  VectorStream older({});
  warehouse().Load(request, older);
  std::vector<SeriesInfo> found = warehouse().FindSeries("A", "test");
  ASSERT_EQ(found.size(), 1u);
  EXPECT_EQ(found[0].transform_code, 5);
  EXPECT_EQ(found[0].title, "New title");
}

TEST_P(WarehouseConformanceTest, SameObjectLoadsForEachVintage) {
  LoadSnapshot("A", "2025-02-01", {{"2024-12-01", 2.0}}, "test/a.csv");
  LoadResult earlier = LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}}, "test/a.csv");
  EXPECT_FALSE(earlier.already_loaded);
  EXPECT_EQ(earlier.counts.unchanged, 1);
  EXPECT_EQ(ValuesAsOf("A", "2025-01-15"), std::vector<std::string>{V("2024-12-01", 2.0)});
  EXPECT_TRUE(warehouse().IsLoaded("test/a.csv", "v1", Date(2025, 1, 1)));
  EXPECT_TRUE(warehouse().IsLoaded("test/a.csv", "v1", Date(2025, 2, 1)));
  EXPECT_FALSE(warehouse().IsLoaded("test/a.csv", "v1", Date(2025, 3, 1)));
}

TEST_P(WarehouseConformanceTest, SeriesCatalogueIsPerSource) {
  LoadSnapshot("A", "2025-01-01", {{"2024-12-01", 2.0}});
  EXPECT_EQ(warehouse().ListSeries().size(), 1u);
  EXPECT_EQ(warehouse().FindSeries("A", "").size(), 1u);
  EXPECT_TRUE(warehouse().FindSeries("A", "other").empty());
  EXPECT_EQ(warehouse().FindSeries("A", "test")[0].frequency, "Monthly");
}

// A forecast run with values that are not exact in binary, to prove every
// value comes back to the last bit.
ForecastRecord SampleForecast() {
  ForecastRecord record;
  record.run = {0,
                "2026-12-04T20:00:00Z",
                "fred-md",
                "CPIAUCSL",
                "tft",
                "2026-11-20",
                "2026-10-01",
                "1960-01-01",
                "2026-10-01",
                R"({"seed":1,"hidden_size":8})",
                "/data/forecasts/tft-model.pt",
                true};
  for (int h = 1; h <= 3; ++h) {
    record.horizons.push_back(
        {h, "2026-1" + std::to_string(h - 1) + "-01", 0.1 / h, 0.2 / h, 0.3 / h});
  }
  record.accumulated = {{3, 0.0061234567890123}, {6, -1.0 / 3.0}};
  record.importances = {
      {"encoder", "CPIAUCSL", 0.7}, {"encoder", "S&P 500", 0.3}, {"decoder", "month_sin", 1.0}};
  record.attention = {{1, -1, 0.25}, {1, 0, 0.75}, {2, -1, 1.0 / 7.0}};
  return record;
}

TEST_P(WarehouseConformanceTest, ForecastRoundTrip) {
  ForecastRecord record = SampleForecast();
  int64_t run_id = warehouse().StoreForecast(record);
  std::optional<ForecastRecord> stored = warehouse().ReadForecast(run_id);
  ASSERT_TRUE(stored.has_value());

  const ForecastRunInfo& run = stored->run;
  EXPECT_EQ(run.run_id, run_id);
  EXPECT_EQ(run.created_at, record.run.created_at);
  EXPECT_EQ(run.source, record.run.source);
  EXPECT_EQ(run.target_id, record.run.target_id);
  EXPECT_EQ(run.model, record.run.model);
  EXPECT_EQ(run.data_vintage, record.run.data_vintage);
  EXPECT_EQ(run.origin_month, record.run.origin_month);
  EXPECT_EQ(run.training_first, record.run.training_first);
  EXPECT_EQ(run.training_last, record.run.training_last);
  EXPECT_EQ(run.settings, record.run.settings);
  EXPECT_EQ(run.model_file, record.run.model_file);
  EXPECT_TRUE(run.model_loaded);

  ASSERT_EQ(stored->horizons.size(), record.horizons.size());
  for (size_t i = 0; i < record.horizons.size(); ++i) {
    SCOPED_TRACE("horizon " + std::to_string(record.horizons[i].horizon));
    EXPECT_EQ(stored->horizons[i].horizon, record.horizons[i].horizon);
    EXPECT_EQ(stored->horizons[i].target_month, record.horizons[i].target_month);
    EXPECT_EQ(stored->horizons[i].p10, record.horizons[i].p10);
    EXPECT_EQ(stored->horizons[i].p50, record.horizons[i].p50);
    EXPECT_EQ(stored->horizons[i].p90, record.horizons[i].p90);
  }
  ASSERT_EQ(stored->accumulated.size(), 2u);
  EXPECT_EQ(stored->accumulated[0].months, 3);
  EXPECT_EQ(stored->accumulated[0].value, record.accumulated[0].value);
  EXPECT_EQ(stored->accumulated[1].value, record.accumulated[1].value);

  // Importances come back by stage (encoder first), then by weight.
  ASSERT_EQ(stored->importances.size(), 3u);
  EXPECT_EQ(stored->importances[0].input, "CPIAUCSL");
  EXPECT_EQ(stored->importances[1].input, "S&P 500");
  EXPECT_EQ(stored->importances[1].weight, 0.3);
  EXPECT_EQ(stored->importances[2].stage, "decoder");

  ASSERT_EQ(stored->attention.size(), 3u);
  EXPECT_EQ(stored->attention[0].relative_month, -1);
  EXPECT_EQ(stored->attention[2].horizon, 2);
  EXPECT_EQ(stored->attention[2].weight, 1.0 / 7.0);
}

TEST_P(WarehouseConformanceTest, ForecastRunIdsIncrease) {
  int64_t first = warehouse().StoreForecast(SampleForecast());
  int64_t second = warehouse().StoreForecast(SampleForecast());
  EXPECT_EQ(second, first + 1);
  EXPECT_FALSE(warehouse().ReadForecast(second + 1).has_value());
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM forecast_quantiles"), "6");
}

TEST_P(WarehouseConformanceTest, FailedForecastStoreLeavesNothing) {
  warehouse().StoreForecast(SampleForecast());
  ForecastRecord duplicate = SampleForecast();
  duplicate.attention.push_back(duplicate.attention.front());  // Same key twice.
  EXPECT_THROW(warehouse().StoreForecast(duplicate), Error);
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM forecast_runs"), "1");
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM forecast_attention"), "3");
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM forecast_importances"), "3");
}

// Two windows of two models at two horizons, with values that are not exact
// in binary and scores the backtest could not compute.
BacktestRecord SampleBacktest() {
  BacktestRecord record;
  record.run = {0,
                "2026-12-05T02:00:00Z",
                "fred-md",
                "CPIAUCSL",
                "2026-11-01",
                "1960-01-01",
                "2026-10-01",
                "rw,ao12",
                "1990-2000,2001-2015",
                "macropipe backtest --models rw,ao12",
                12.25};
  const char* windows[][3] = {{"1990-2000", "1990-01-01", "2000-12-01"},
                              {"2001-2015", "2001-01-01", "2015-12-01"}};
  for (const auto& window : windows) {
    for (const char* model : {"rw", "ao12"}) {
      for (const char* horizon : {"h1", "acc12"}) {
        BacktestScoreRecord score;
        score.window = window[0];
        score.window_first = window[1];
        score.window_last = window[2];
        score.estimation_months = 360;
        score.model = model;
        score.refit_months = 1;
        score.horizon = horizon;
        score.targets = 132;
        score.rmse = 0.1 / 3.0;
        score.mae = 0.02;
        score.rmse_ratio = std::string(model) == "rw" ? 1.0 : 2.0 / 3.0;
        score.mae_ratio = 0.7;
        if (std::string(model) == "rw") {
          score.dm_statistic = -1.0 / 7.0;
          score.dm_p_value = 0.45;
        }
        record.scores.push_back(score);
      }
    }
  }
  record.scores.back().p50_loss = 0.001;
  record.scores.back().p90_loss = 0.0004;
  record.scores.back().coverage80 = 0.8;
  return record;
}

TEST_P(WarehouseConformanceTest, BacktestRoundTrip) {
  BacktestRecord record = SampleBacktest();
  int64_t run_id = warehouse().StoreBacktest(record);
  std::optional<BacktestRecord> stored = warehouse().ReadBacktest(run_id);
  ASSERT_TRUE(stored.has_value());

  const BacktestRunInfo& run = stored->run;
  EXPECT_EQ(run.run_id, run_id);
  EXPECT_EQ(run.created_at, record.run.created_at);
  EXPECT_EQ(run.source, record.run.source);
  EXPECT_EQ(run.target_id, record.run.target_id);
  EXPECT_EQ(run.data_vintage, record.run.data_vintage);
  EXPECT_EQ(run.panel_first, record.run.panel_first);
  EXPECT_EQ(run.panel_last, record.run.panel_last);
  EXPECT_EQ(run.models, record.run.models);
  EXPECT_EQ(run.windows, record.run.windows);
  EXPECT_EQ(run.command, record.run.command);
  EXPECT_EQ(run.seconds, record.run.seconds);

  // Scores come back in stored order, every value to the last bit, and the
  // scores that were not computed as nullopt.
  ASSERT_EQ(stored->scores.size(), record.scores.size());
  for (size_t i = 0; i < record.scores.size(); ++i) {
    const BacktestScoreRecord& expected = record.scores[i];
    const BacktestScoreRecord& actual = stored->scores[i];
    SCOPED_TRACE(expected.window + " " + expected.model + " " + expected.horizon);
    EXPECT_EQ(actual.window, expected.window);
    EXPECT_EQ(actual.window_first, expected.window_first);
    EXPECT_EQ(actual.window_last, expected.window_last);
    EXPECT_EQ(actual.estimation_months, expected.estimation_months);
    EXPECT_EQ(actual.model, expected.model);
    EXPECT_EQ(actual.refit_months, expected.refit_months);
    EXPECT_EQ(actual.horizon, expected.horizon);
    EXPECT_EQ(actual.targets, expected.targets);
    EXPECT_EQ(actual.rmse, expected.rmse);
    EXPECT_EQ(actual.mae, expected.mae);
    EXPECT_EQ(actual.rmse_ratio, expected.rmse_ratio);
    EXPECT_EQ(actual.mae_ratio, expected.mae_ratio);
    EXPECT_EQ(actual.dm_statistic, expected.dm_statistic);
    EXPECT_EQ(actual.dm_p_value, expected.dm_p_value);
    EXPECT_EQ(actual.p50_loss, expected.p50_loss);
    EXPECT_EQ(actual.p90_loss, expected.p90_loss);
    EXPECT_EQ(actual.coverage80, expected.coverage80);
  }
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM backtest_scores WHERE dm_statistic IS NULL"), "4");
}

TEST_P(WarehouseConformanceTest, BacktestRunIdsIncrease) {
  int64_t first = warehouse().StoreBacktest(SampleBacktest());
  int64_t second = warehouse().StoreBacktest(SampleBacktest());
  EXPECT_EQ(second, first + 1);
  EXPECT_FALSE(warehouse().ReadBacktest(second + 1).has_value());
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM backtest_scores"), "16");
}

TEST_P(WarehouseConformanceTest, FailedBacktestStoreLeavesNothing) {
  warehouse().StoreBacktest(SampleBacktest());
  BacktestRecord duplicate = SampleBacktest();
  duplicate.scores.push_back(duplicate.scores.front());  // Same window, model and horizon twice.
  EXPECT_THROW(warehouse().StoreBacktest(duplicate), Error);
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM backtest_runs"), "1");
  EXPECT_EQ(QueryScalar("SELECT count(*) FROM backtest_scores"), "8");
}

}  // namespace
}  // namespace macropipe::testing
