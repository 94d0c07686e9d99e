#include "warehouse/postgres_warehouse.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>

#include "core/error.h"
#include "postgres_test_support.h"
#include "warehouse/warehouse_conformance.h"

namespace macropipe::testing {
namespace {

// A PostgreSQL warehouse in a database of its own, dropped with the warehouse.
class ScratchPostgresWarehouse : public Warehouse {
 public:
  ScratchPostgresWarehouse() : warehouse_(OpenPostgresWarehouse(database_.options())) {}

  LoadResult Load(const LoadRequest& request, ObservationStream& rows) override {
    return warehouse_->Load(request, rows);
  }
  bool IsLoaded(const std::string& key, const std::string& version, Date vintage) override {
    return warehouse_->IsLoaded(key, version, vintage);
  }
  QueryResult Query(const std::string& sql, const QueryLimits& limits) override {
    return warehouse_->Query(sql, limits);
  }
  std::vector<SeriesInfo> ListSeries() override { return warehouse_->ListSeries(); }
  std::vector<SeriesInfo> FindSeries(const std::string& id, const std::string& source) override {
    return warehouse_->FindSeries(id, source);
  }
  std::vector<StoredObservation> Observations(const SeriesInfo& series,
                                              std::optional<Date> as_of) override {
    return warehouse_->Observations(series, as_of);
  }
  int64_t StoreForecast(const ForecastRecord& record) override {
    return warehouse_->StoreForecast(record);
  }
  std::optional<ForecastRecord> ReadForecast(int64_t run_id) override {
    return warehouse_->ReadForecast(run_id);
  }
  int64_t StoreBacktest(const BacktestRecord& record) override {
    return warehouse_->StoreBacktest(record);
  }
  std::optional<BacktestRecord> ReadBacktest(int64_t run_id) override {
    return warehouse_->ReadBacktest(run_id);
  }
  std::string Location() const override { return warehouse_->Location(); }

 private:
  PostgresTestDatabase database_;  // Declared first, so it outlives the warehouse.
  std::unique_ptr<Warehouse> warehouse_;
};

void SkipWithoutServer() { GTEST_SKIP() << PostgresServerMissing(); }

INSTANTIATE_TEST_SUITE_P(Postgres, WarehouseConformanceTest,
                         ::testing::Values(WarehouseBackend{
                             "postgres",
                             [](const std::filesystem::path&) -> std::unique_ptr<Warehouse> {
                               if (!TestPostgresUri()) {
                                 SkipWithoutServer();
                                 return nullptr;
                               }
                               return std::make_unique<ScratchPostgresWarehouse>();
                             }}),
                         [](const ::testing::TestParamInfo<WarehouseBackend>& info) {
                           return info.param.name;
                         });

TEST(PostgresUriTest, RejectsPasswordsAndOtherSchemes) {
  const std::string rejected[] = {
      "postgresql://macropipe:hunter2@127.0.0.1/macropipe",
      "postgresql://macropipe@127.0.0.1/macropipe?password=hunter2",
      "mysql://macropipe@127.0.0.1/macropipe",
      "postgresql://macropipe@127.0.0.1/macropipe?no_such_option=1",
  };
  for (const std::string& uri : rejected) {
    SCOPED_TRACE(uri);
    try {
      ValidatePostgresUri(uri, "pipeline.toml line 2");
      ADD_FAILURE() << "accepted";
    } catch (const Error& error) {
      EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
      EXPECT_NE(std::string(error.what()).find("pipeline.toml line 2"), std::string::npos);
      EXPECT_EQ(std::string(error.what()).find("hunter2"), std::string::npos);
    }
  }
  EXPECT_NO_THROW(
      ValidatePostgresUri("postgresql://macropipe@db.internal:5433/macropipe?"
                          "sslmode=require",
                          "pipeline.toml line 2"));
}

TEST(PostgresUriTest, RedactsPasswordButKeepsUser) {
  const std::pair<std::string, std::string> cases[] = {
      {"postgresql://macropipe:secret@db:5432/warehouse",
       "postgresql://macropipe@db:5432/warehouse"},
      {"postgresql://macropipe@db/warehouse", "postgresql://macropipe@db/warehouse"},
      {"postgresql://db/warehouse?password=secret", "postgresql://db/warehouse?password=REDACTED"},
  };
  for (const auto& [uri, expected] : cases) {
    SCOPED_TRACE(uri);
    EXPECT_EQ(RedactPostgresUri(uri), expected);
  }
}

TEST(PostgresWarehouseTest, UnreachableServerIsUnavailable) {
  try {
    // Port 1 on loopback has no server.
    OpenPostgresWarehouse({"postgresql://macropipe@127.0.0.1:1/macropipe", "secret"});
    ADD_FAILURE() << "connected";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kUnavailable);
    std::string message = error.what();
    EXPECT_NE(message.find("postgresql://macropipe@127.0.0.1:1/macropipe"), std::string::npos);
    EXPECT_EQ(message.find("secret"), std::string::npos);
  }
}

// Rows of one series whose reading stops after the first row until Open():
// a load that holds its transaction open for as long as a test needs.
class GatedStream : public ObservationStream {
 public:
  explicit GatedStream(int rows) : rows_(rows), gate_(open_.get_future().share()) {}

  bool Next(ObservationRow& row) override {
    if (next_ == 1) {
      reached_.set_value();
      gate_.wait();
    }
    if (next_ >= rows_) return false;
    row = {Date(2000, 1, 1).AddMonths(next_++), 1.0, std::nullopt, std::nullopt};
    return true;
  }
  const std::vector<RejectedRow>& rejected() const override { return rejected_; }

  // Becomes ready when the load is inside its transaction, reading rows.
  std::future<void> Reached() { return reached_.get_future(); }
  void Open() { open_.set_value(); }

 private:
  int rows_;
  int next_ = 0;
  std::promise<void> reached_;
  std::promise<void> open_;
  std::shared_future<void> gate_;
  std::vector<RejectedRow> rejected_;
};

LoadRequest RequestFor(const std::string& id, const std::string& key) {
  LoadRequest request;
  request.series.source = "test";
  request.series.id = id;
  request.object_key = key;
  request.object_version = "v1";
  request.object_sha256 = "0";
  request.vintage_date = Date(2025, 1, 1);
  request.fetched_at = "2025-01-01T00:00:00Z";
  return request;
}

// How long a test waits for a load that should not be blocked before it calls
// the load blocked; far above the milliseconds such a load takes.
constexpr std::chrono::seconds kBlockedAfter{30};

TEST(PostgresWarehouseTest, LoadsOfOtherSeriesDoNotWait) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  PostgresTestDatabase database;
  auto first = OpenPostgresWarehouse(database.options());
  auto second = OpenPostgresWarehouse(database.options());

  GatedStream held(12);
  std::future<void> reached = held.Reached();
  auto slow = std::async(std::launch::async,
                         [&] { return first->Load(RequestFor("A", "test/a.csv"), held); });
  reached.wait();
  auto other = std::async(std::launch::async, [&] {
    GatedStream open(12);
    open.Open();
    return second->Load(RequestFor("B", "test/b.csv"), open);
  });
  bool finished = other.wait_for(kBlockedAfter) == std::future_status::ready;
  held.Open();
  EXPECT_TRUE(finished) << "the load of series B waited for the open load of series A";
  EXPECT_EQ(other.get().counts.inserted, 12);
  EXPECT_EQ(slow.get().counts.inserted, 12);
}

TEST(PostgresWarehouseTest, SameObjectLoadedOnceWhenRacing) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  PostgresTestDatabase database;
  auto first = OpenPostgresWarehouse(database.options());
  auto second = OpenPostgresWarehouse(database.options());

  GatedStream held(12);
  std::future<void> reached = held.Reached();
  auto winner = std::async(std::launch::async,
                           [&] { return first->Load(RequestFor("A", "test/a.csv"), held); });
  reached.wait();
  GatedStream again(12);
  again.Open();
  // This load waits for the lock on series A's row, then finds the batch.
  auto loser = std::async(std::launch::async,
                          [&] { return second->Load(RequestFor("A", "test/a.csv"), again); });
  held.Open();
  LoadResult won = winner.get();
  LoadResult lost = loser.get();
  EXPECT_FALSE(won.already_loaded);
  EXPECT_TRUE(lost.already_loaded);
  EXPECT_EQ(lost.batch_id, won.batch_id);
  QueryResult counts = first->Query(
      "SELECT (SELECT count(*) FROM observations), (SELECT count(*) FROM load_batches)", 1);
  ASSERT_EQ(counts.rows.size(), 1u);
  EXPECT_EQ(std::get<int64_t>(counts.rows[0][0]), 12);
  EXPECT_EQ(std::get<int64_t>(counts.rows[0][1]), 1);
}

TEST(PostgresWarehouseTest, QueriesRunInReadOnlyTransaction) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  PostgresTestDatabase database;
  auto warehouse = OpenPostgresWarehouse(database.options());
  const std::string statements[] = {
      "SET TRANSACTION READ WRITE; DELETE FROM series",
      "COMMIT; DELETE FROM series",
      "SELECT nextval(pg_get_serial_sequence('series', 'series_key'))",
      "CREATE TEMPORARY TABLE t (x integer)",
      "SELECT set_config('default_transaction_read_only', 'off', false); DELETE FROM series",
      "WITH gone AS (DELETE FROM load_batches RETURNING 1) SELECT count(*) FROM gone",
  };
  for (const std::string& sql : statements) {
    SCOPED_TRACE(sql);
    EXPECT_THROW(warehouse->Query(sql, 10), Error);
  }
  QueryResult typed = warehouse->Query(
      "SELECT 1::smallint, 2::bigint, 1.5::real, 2.5::numeric, true, DATE '1959-01-01', NULL", 1);
  ASSERT_EQ(typed.rows.size(), 1u);
  const std::vector<Cell>& row = typed.rows[0];
  EXPECT_EQ(std::get<int64_t>(row[0]), 1);
  EXPECT_EQ(std::get<int64_t>(row[1]), 2);
  EXPECT_DOUBLE_EQ(std::get<double>(row[2]), 1.5);
  EXPECT_DOUBLE_EQ(std::get<double>(row[3]), 2.5);
  EXPECT_EQ(std::get<int64_t>(row[4]), 1);
  EXPECT_EQ(std::get<std::string>(row[5]), "1959-01-01");
  EXPECT_TRUE(std::holds_alternative<std::monostate>(row[6]));
}

TEST(PostgresConnectionTest, FailedPipelineRollsBack) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  PostgresTestDatabase database;
  PostgresConnection db(database.options());
  db.Execute("CREATE TABLE t (x integer)");
  try {
    PostgresTransaction transaction(db);
    transaction.CommitAfter({{"INSERT INTO t VALUES ($1)", {"1"}},
                             {"SELECT 1 / $1::integer", {"0"}},
                             {"INSERT INTO t VALUES (2)", {}}});
    ADD_FAILURE() << "a pipeline with a division by zero did not throw";
  } catch (const Error& error) {
    EXPECT_NE(std::string(error.what()).find("division by zero"), std::string::npos)
        << error.what();
    EXPECT_NE(std::string(error.what()).find("SELECT 1 / $1::integer"), std::string::npos)
        << error.what();
  }
  // The connection has left pipeline mode and the transaction was rolled back.
  EXPECT_EQ(db.Execute("SELECT count(*) FROM t").Int(0, 0), 0);

  std::vector<PostgresResult> results =
      db.ExecutePipeline({{"SELECT $1::integer + 1", {"41"}}, {"SELECT 'b'", {}}});
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].Int(0, 0), 42);
  EXPECT_EQ(results[1].Text(0, 0), "b");
}

TEST(PostgresWarehouseTest, ReadOnlyWarehouseRefusesLoads) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  PostgresTestDatabase database;
  OpenPostgresWarehouse(database.options());
  auto reader = OpenPostgresWarehouse(database.options(), /*read_only=*/true);
  VectorStream rows({{Date(2024, 1, 1), 1.0, std::nullopt, std::nullopt}});
  EXPECT_THROW(reader->Load(RequestFor("A", "test/a.csv"), rows), Error);
  EXPECT_TRUE(reader->ListSeries().empty());
  try {
    reader->StoreBacktest(BacktestRecord{});
    ADD_FAILURE() << "a read-only warehouse stored a backtest";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
  }
}

// A warehouse created before the backtest tables existed gets them when it is
// next opened for writing.
TEST(PostgresWarehouseTest, OpenAddsMissingBacktestTables) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  PostgresTestDatabase database;
  OpenPostgresWarehouse(database.options());
  {
    PostgresConnection db(database.options());
    db.Execute("DROP TABLE backtest_scores; DROP TABLE backtest_runs");
  }
  auto warehouse = OpenPostgresWarehouse(database.options());
  BacktestRecord record;
  record.run.models = "rw";
  BacktestScoreRecord score;
  score.window = "2016-end";
  score.model = "rw";
  score.horizon = "h1";
  score.rmse_ratio = 1.0;
  record.scores = {score};
  int64_t run_id = warehouse->StoreBacktest(record);
  std::optional<BacktestRecord> stored = warehouse->ReadBacktest(run_id);
  ASSERT_TRUE(stored.has_value());
  ASSERT_EQ(stored->scores.size(), 1u);
  EXPECT_EQ(stored->scores[0].rmse_ratio, 1.0);
}

}  // namespace
}  // namespace macropipe::testing
