#include "warehouse/warehouse_migration.h"

#include <gtest/gtest.h>

#include "core/error.h"
#include "postgres_test_support.h"
#include "test_support.h"
#include "warehouse/postgres_warehouse.h"
#include "warehouse/warehouse_conformance.h"

namespace macropipe::testing {
namespace {

// Loads `rows` of series `id` as the snapshot of `vintage`.
void LoadVintage(Warehouse& warehouse, const std::string& id, const std::string& vintage,
                 const std::vector<std::pair<std::string, std::optional<double>>>& rows) {
  LoadRequest request;
  request.series = {"test", id, "Title of " + id, "Index", "Monthly", "SA", 5, "", ""};
  request.object_key = "test/" + id + "/" + vintage + ".csv";
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date::ParseIso(vintage);
  request.fetched_at = vintage + "T12:00:00Z";
  std::vector<ObservationRow> observations;
  for (const auto& [date, value] : rows) {
    observations.push_back({Date::ParseIso(date), value, std::nullopt, std::nullopt});
  }
  VectorStream stream(observations);
  stream.mutable_rejected().push_back({7, "13/2024,x", "invalid date '13/2024'"});
  warehouse.Load(request, stream);
}

// A warehouse with revisions, kept values, a late older vintage, dates before
// 1970 and rejected rows.
void FillWarehouse(Warehouse& warehouse) {
  LoadVintage(warehouse, "CPI", "2025-01-01", {{"1959-01-01", 28.0}, {"2024-12-01", 315.1}});
  LoadVintage(warehouse, "CPI", "2025-02-01",
              {{"1959-01-01", 28.0}, {"2024-12-01", 315.3}, {"2025-01-01", 316.0}});
  LoadVintage(warehouse, "CPI", "2025-03-01",
              {{"2024-12-01", std::nullopt}, {"2025-01-01", 316.2}});
  LoadVintage(warehouse, "GDP", "2025-03-01", {{"2024-10-01", 29.7}});
  LoadVintage(warehouse, "GDP", "2025-01-01", {{"2024-10-01", 29.5}});

  ForecastRecord forecast;
  forecast.run = {0,
                  "2025-03-02T08:00:00Z",
                  "test",
                  "CPI",
                  "tft",
                  "2025-03-01",
                  "2025-01-01",
                  "1959-01-01",
                  "2025-01-01",
                  R"({"seed":1})",
                  "/models/tft.pt",
                  false};
  forecast.horizons = {{1, "2025-02-01", 0.001, 0.002, 0.003}, {2, "2025-03-01", -0.1, 0.0, 0.1}};
  forecast.accumulated = {{2, 1.0 / 3.0}};
  forecast.importances = {{"encoder", "CPI", 0.6}, {"encoder", "GDP", 0.4}};
  forecast.attention = {{1, -1, 0.5}, {1, 0, 0.5}};
  warehouse.StoreForecast(forecast);

  BacktestRecord backtest;
  backtest.run = {0,          "2025-03-02T00:00:00Z", "fred-md",    "CPI",
                  "",         "1959-01-01",           "2025-01-01", "rw,ar4",
                  "2016-end", "macropipe backtest",   2.5};
  BacktestScoreRecord score;
  score.window = "2016-end";
  score.window_first = "2016-01-01";
  score.window_last = "2025-01-01";
  score.model = "ar4";
  score.horizon = "h1";
  score.targets = 109;
  score.rmse_ratio = 2.0 / 3.0;  // The other scores stay NULL.
  backtest.scores = {score};
  score.horizon = "acc3";
  backtest.scores.push_back(score);
  warehouse.StoreBacktest(backtest);
}

std::string CellText(const Cell& cell) {
  if (std::holds_alternative<int64_t>(cell)) return "i:" + std::to_string(std::get<int64_t>(cell));
  if (std::holds_alternative<double>(cell)) return "d:" + std::to_string(std::get<double>(cell));
  if (std::holds_alternative<std::string>(cell)) return "s:" + std::get<std::string>(cell);
  return "NULL";
}

std::vector<std::string> Answer(Warehouse& warehouse, const std::string& sql) {
  QueryResult result = warehouse.Query(sql, 1000);
  std::vector<std::string> lines;
  for (const auto& row : result.rows) {
    std::string line;
    for (const Cell& cell : row) line += CellText(cell) + " | ";
    lines.push_back(line);
  }
  return lines;
}

TEST(WarehouseMigrationTest, RoundTripGivesSameAnswers) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  ScratchDir dir;
  std::string sqlite_path = (dir / "warehouse.db").string();
  {
    auto sqlite = OpenSqliteWarehouse(sqlite_path);
    FillWarehouse(*sqlite);
  }
  PostgresTestDatabase database;
  MigrationCounts counts = MigrateSqliteToPostgres(sqlite_path, database.options());
  EXPECT_EQ(counts.series, 2);
  EXPECT_EQ(counts.load_batches, 5);
  EXPECT_EQ(counts.rejected_rows, 5);
  EXPECT_EQ(counts.forecast_runs, 1);
  EXPECT_EQ(counts.forecast_rows, 7);
  EXPECT_EQ(counts.backtest_runs, 1);
  EXPECT_EQ(counts.backtest_scores, 2);

  auto sqlite = OpenSqliteWarehouse(sqlite_path, /*read_only=*/true);
  auto postgres = OpenPostgresWarehouse(database.options());
  const std::string queries[] = {
      "SELECT * FROM series ORDER BY series_key",
      "SELECT batch_id, series_key, object_key, object_version, object_sha256, vintage_date, "
      "fetched_at, loaded_at, inserted, revised, unchanged, kept, rejected FROM load_batches "
      "ORDER BY batch_id",
      "SELECT * FROM observation_history ORDER BY series_id, date, realtime_start",
      "SELECT * FROM latest_observations ORDER BY series_id, date",
      "SELECT * FROM first_releases ORDER BY series_id, date",
      "SELECT * FROM revisions ORDER BY series_id, date, realtime_start",
      "SELECT * FROM rejected_rows ORDER BY batch_id, line",
      "SELECT series_id, date, value FROM observation_history WHERE realtime_start <= "
      "'2025-02-15' AND realtime_end >= '2025-02-15' ORDER BY series_id, date",
      "SELECT * FROM forecast_runs ORDER BY run_id",
      "SELECT * FROM forecast_quantiles ORDER BY run_id, horizon",
      "SELECT * FROM forecast_accumulated ORDER BY run_id, months",
      "SELECT * FROM forecast_importances ORDER BY run_id, stage, input",
      "SELECT * FROM forecast_attention ORDER BY run_id, horizon, relative_month",
      "SELECT * FROM backtest_runs ORDER BY run_id",
      "SELECT * FROM backtest_scores ORDER BY run_id, position",
  };
  for (const std::string& sql : queries) {
    SCOPED_TRACE(sql);
    std::vector<std::string> expected = Answer(*sqlite, sql);
    EXPECT_FALSE(expected.empty());
    EXPECT_EQ(Answer(*postgres, sql), expected);
  }

  // New loads continue the copied keys.
  LoadVintage(*postgres, "CPI", "2025-04-01", {{"2025-01-01", 316.5}});
  EXPECT_EQ(Answer(*postgres, "SELECT max(batch_id) FROM load_batches"),
            std::vector<std::string>{"i:6 | "});
  std::optional<ForecastRecord> forecast = postgres->ReadForecast(1);
  ASSERT_TRUE(forecast.has_value());
  EXPECT_EQ(forecast->accumulated.at(0).value, 1.0 / 3.0);
  EXPECT_EQ(postgres->StoreForecast(*forecast), 2);
  std::optional<BacktestRecord> backtest = postgres->ReadBacktest(1);
  ASSERT_TRUE(backtest.has_value());
  EXPECT_EQ(backtest->scores.at(1).rmse_ratio, 2.0 / 3.0);
  EXPECT_FALSE(backtest->scores.at(1).mae.has_value());
  EXPECT_EQ(postgres->StoreBacktest(*backtest), 2);
}

TEST(WarehouseMigrationTest, RefusesTargetWithData) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  ScratchDir dir;
  std::string sqlite_path = (dir / "warehouse.db").string();
  FillWarehouse(*OpenSqliteWarehouse(sqlite_path));
  PostgresTestDatabase database;
  MigrateSqliteToPostgres(sqlite_path, database.options());
  try {
    MigrateSqliteToPostgres(sqlite_path, database.options());
    ADD_FAILURE() << "migrated twice";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
  }
}

}  // namespace
}  // namespace macropipe::testing
