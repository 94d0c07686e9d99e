// Measures load throughput into the PostgreSQL warehouse (the COPY path)
// beside the SQLite warehouse and beside a bare COPY of the same rows into a
// table shaped like `observations`, the server's own limit.
//
//   postgres_load_benchmark SERIES PERIODS WORK_DIR
//
// The rows are SERIES monthly series of PERIODS observations each, generated
// before the clock starts. Each series is one load (one transaction) in every
// variant. Two vintages are loaded: the first inserts every row, the second
// revises every tenth row and leaves the rest unchanged. The PostgreSQL server
// is the one named by MACROPIPE_TEST_POSTGRES_URI (bench/postgres.sh starts one).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <string>
#include <vector>

#include "core/error.h"
#include "warehouse/postgres_warehouse.h"
#include "warehouse/warehouse.h"

namespace macropipe {
namespace {

struct Series {
  std::string id;
  std::vector<ObservationRow> rows;
};

class RowStream : public ObservationStream {
 public:
  explicit RowStream(const std::vector<ObservationRow>& rows) : rows_(rows) {}
  bool Next(ObservationRow& row) override {
    if (next_ >= rows_.size()) return false;
    row = rows_[next_++];
    return true;
  }
  const std::vector<RejectedRow>& rejected() const override { return rejected_; }

 private:
  const std::vector<ObservationRow>& rows_;
  size_t next_ = 0;
  std::vector<RejectedRow> rejected_;
};

// `revision` 0 is the first vintage; 1 changes every tenth value.
std::vector<Series> MakeSeries(int count, int periods, int revision) {
  std::vector<Series> series(static_cast<size_t>(count));
  for (int s = 0; s < count; ++s) {
    char id[16];
    std::snprintf(id, sizeof id, "S%05d", s);
    series[static_cast<size_t>(s)].id = id;
    for (int p = 0; p < periods; ++p) {
      double value = 100.0 + s * 0.5 + p * 0.25 + ((revision > 0 && p % 10 == 0) ? 0.125 : 0.0);
      series[static_cast<size_t>(s)].rows.push_back(
          {Date(1900, 1, 1).AddMonths(p), value, std::nullopt, std::nullopt});
    }
  }
  return series;
}

double Seconds(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

void Report(const std::string& what, int64_t rows, double seconds) {
  std::printf("%-40s %10lld rows %8.2f s %12.0f rows/s\n", what.c_str(),
              static_cast<long long>(rows), seconds, rows / seconds);
}

int64_t CountRows(const std::vector<Series>& series) {
  int64_t rows = 0;
  for (const Series& s : series) rows += static_cast<int64_t>(s.rows.size());
  return rows;
}

double LoadAll(Warehouse& warehouse, const std::vector<Series>& series, Date vintage) {
  auto start = std::chrono::steady_clock::now();
  for (const Series& s : series) {
    LoadRequest request;
    request.series.source = "bench";
    request.series.id = s.id;
    request.object_key = "bench/" + s.id + "/" + vintage.ToIso() + ".csv";
    request.object_version = "v1";
    request.object_sha256 = "0";
    request.vintage_date = vintage;
    request.fetched_at = vintage.ToIso() + "T00:00:00Z";
    RowStream rows(s.rows);
    warehouse.Load(request, rows);
  }
  return Seconds(start);
}

// COPY of the first vintage's rows, one COPY (one transaction) per series,
// into a table with the key and partitions of `observations`.
double BareCopy(PostgresConnection& db, const std::vector<Series>& series) {
  db.Execute(
      "CREATE TABLE bare_observations (LIKE observations INCLUDING ALL) "
      "PARTITION BY HASH (series_key)");
  db.Execute(
      "DO $$ BEGIN FOR r IN 0..15 LOOP EXECUTE format('CREATE TABLE bare_observations_%s "
      "PARTITION OF bare_observations FOR VALUES WITH (MODULUS 16, REMAINDER %s)', r, r); "
      "END LOOP; END $$");
  Date vintage(2025, 1, 1);
  auto start = std::chrono::steady_clock::now();
  int64_t series_key = 0;
  for (const Series& s : series) {
    ++series_key;
    PostgresCopy copy(db,
                      "COPY bare_observations (series_key, date, realtime_start, realtime_end, "
                      "value, batch_id) FROM STDIN");
    for (const ObservationRow& row : s.rows) {
      copy.Add(series_key);
      copy.Add(row.period);
      copy.Add(vintage);
      copy.Add(Date::Max());
      copy.Add(row.value);
      copy.Add(series_key);
      copy.EndRow();
    }
    copy.Finish();
  }
  return Seconds(start);
}

int Run(int series_count, int periods, const std::filesystem::path& work) {
  const char* uri = std::getenv("MACROPIPE_TEST_POSTGRES_URI");
  if (uri == nullptr || *uri == '\0') {
    std::cerr << "set MACROPIPE_TEST_POSTGRES_URI (bench/postgres.sh starts a server)\n";
    return 2;
  }
  std::vector<Series> first = MakeSeries(series_count, periods, 0);
  std::vector<Series> second = MakeSeries(series_count, periods, 1);
  int64_t rows = CountRows(first);
  Date vintage1(2025, 1, 1);
  Date vintage2(2025, 2, 1);

  std::filesystem::create_directories(work);
  std::filesystem::remove(work / "bench.db");
  auto sqlite = OpenSqliteWarehouse((work / "bench.db").string());
  Report("SQLite warehouse, first vintage", rows, LoadAll(*sqlite, first, vintage1));
  Report("SQLite warehouse, revising vintage", rows, LoadAll(*sqlite, second, vintage2));

  PostgresConnection admin({uri, ""});
  admin.Execute("DROP DATABASE IF EXISTS macropipe_bench WITH (FORCE)");
  admin.Execute("CREATE DATABASE macropipe_bench");
  std::string bench_uri(uri);
  bench_uri = bench_uri.substr(0, bench_uri.rfind('/')) + "/macropipe_bench";
  auto postgres = OpenPostgresWarehouse({bench_uri, ""});
  double load1 = LoadAll(*postgres, first, vintage1);
  Report("PostgreSQL warehouse, first vintage", rows, load1);
  double load2 = LoadAll(*postgres, second, vintage2);
  Report("PostgreSQL warehouse, revising vintage", rows, load2);

  PostgresConnection bench({bench_uri, ""});
  double bare = BareCopy(bench, first);
  Report("bare COPY, same rows", rows, bare);
  std::printf("first-vintage load over bare COPY: %.2fx\n", load1 / bare);
  std::printf("revising-vintage load over bare COPY: %.2fx\n", load2 / bare);
  return 0;
}

}  // namespace
}  // namespace macropipe

int main(int argc, char** argv) {
  if (argc != 4) {
    std::cerr << "usage: postgres_load_benchmark SERIES PERIODS WORK_DIR\n";
    return 2;
  }
  try {
    return macropipe::Run(std::atoi(argv[1]), std::atoi(argv[2]), argv[3]);
  } catch (const macropipe::Error& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
}
