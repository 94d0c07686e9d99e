// Prepares and runs the loader benchmark: many replicated FRED-MD vintages
// loaded into the warehouse, beside a bare SQLite insert loop into the same
// schema (the storage's own limit).
//
//   loader_benchmark prepare DATA_DIR FRED_MD_CSV COPIES
//       lands COPIES renamed copies of every series of the file as normalized
//       CSVs with a manifest, ready for `macropipe load --data-dir DATA_DIR`;
//   loader_benchmark bare DB_PATH FRED_MD_CSV COPIES
//       inserts the same rows with prepared statements, one transaction per
//       series, and prints rows per second.
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>

#include "core/date.h"
#include "core/error.h"
#include "landing/landing_zone.h"
#include "landing/local_object_store.h"
#include "sources/fredmd.h"
#include "warehouse/schema.h"
#include "warehouse/sqlite_db.h"

namespace macropipe {
namespace {

FredMdFile ReadVintage(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kNotFound, "file not found: " + path);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return ParseFredMd(buffer.str(), path);
}

std::string CopyName(const std::string& series, int copy) {
  char suffix[16];
  std::snprintf(suffix, sizeof suffix, "_%04d", copy);
  return series + suffix;
}

int Prepare(const std::string& data_dir, const std::string& csv, int copies) {
  FredMdFile file = ReadVintage(csv);
  LocalObjectStore store(std::filesystem::path(data_dir) / "landing");
  LandingZone zone(store);
  size_t values = 0;
  for (int copy = 0; copy < copies; ++copy) {
    LandingBatch batch = zone.Begin("bench", "2025-03-01T00:00:00Z");
    for (size_t column = 0; column < file.names.size(); ++column) {
      LandingEntry entry;
      entry.series = CopyName(file.names[column], copy);
      entry.kind = ObjectKind::kSeries;
      entry.request_url = "file://" + csv;
      entry.vintage_date = Date(2025, 2, 1);
      batch.Land(entry, FredMdSeriesCsv(file, column));
    }
    batch.Commit();
    values += file.CountValues();
  }
  std::cout << "prepared " << copies * file.names.size() << " series objects holding " << values
            << " observations in " << data_dir << "\n";
  return 0;
}

int Bare(const std::string& db_path, const std::string& csv, int copies) {
  FredMdFile file = ReadVintage(csv);
  std::filesystem::remove(db_path);
  SqliteDatabase db(db_path, false);
  db.Execute(
      "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536; "
      "PRAGMA temp_store=MEMORY;");
  db.Execute(kSqliteSchema);

  // Parse the values once, outside the timed loop: the loop measures storage only.
  std::vector<std::vector<std::optional<double>>> numbers(file.names.size());
  std::vector<std::string> dates;
  for (const Date& date : file.dates) dates.push_back(date.ToIso());
  for (size_t column = 0; column < file.names.size(); ++column) {
    for (const std::string& text : file.values[column]) {
      numbers[column].push_back(text.empty() ? std::nullopt : std::optional(std::stod(text)));
    }
  }

  auto start = std::chrono::steady_clock::now();
  SqliteStatement series(db.get(),
                         "INSERT INTO series (source, series_id) VALUES ('bench', ?1) "
                         "RETURNING series_key");
  SqliteStatement batch(db.get(),
                        "INSERT INTO load_batches (series_key, object_key, object_version, "
                        "object_sha256, vintage_date, fetched_at, loaded_at) VALUES "
                        "(?1, ?2, 'v1', '', '2025-02-01', '', '') RETURNING batch_id");
  // Rows go to SQLite in statements of kChunk rows, as the loader sends them.
  // The last rows of each series, fewer than a chunk, go one row at a time.
  constexpr int kChunk = 64;
  auto insert_sql = [](int count) {
    std::string sql =
        "INSERT INTO observations (series_key, date, realtime_start, realtime_end, value, "
        "batch_id) VALUES ";
    for (int i = 0; i < count; ++i) {
      sql += i == 0 ? "" : ",";
      sql += "(?, ?, '2025-02-01', '9999-12-31', ?, ?)";
    }
    return sql;
  };
  SqliteStatement insert_chunk(db.get(), insert_sql(kChunk));
  SqliteStatement insert_one(db.get(), insert_sql(1));
  int64_t rows = 0;
  for (int copy = 0; copy < copies; ++copy) {
    for (size_t column = 0; column < file.names.size(); ++column) {
      db.Execute("BEGIN");
      std::string name = CopyName(file.names[column], copy);
      series.Bind(1, name);
      series.Step();
      int64_t series_key = series.Int(0);
      series.Reset();
      batch.Bind(1, series_key);
      batch.Bind(2, name);
      batch.Step();
      int64_t batch_id = batch.Int(0);
      batch.Reset();
      int pending = 0;
      for (size_t row = 0; row < dates.size(); ++row) {
        if (!numbers[column][row]) continue;
        int first = pending * 4;
        insert_chunk.Bind(first + 1, series_key);
        insert_chunk.BindStatic(first + 2, dates[row]);
        insert_chunk.Bind(first + 3, *numbers[column][row]);
        insert_chunk.Bind(first + 4, batch_id);
        ++rows;
        if (++pending == kChunk) {
          insert_chunk.Run();
          pending = 0;
        }
      }
      // The last rows of the series, fewer than a chunk, one at a time.
      for (size_t row = dates.size(); pending > 0 && row-- > 0;) {
        if (!numbers[column][row]) continue;
        insert_one.Bind(1, series_key);
        insert_one.BindStatic(2, dates[row]);
        insert_one.Bind(3, *numbers[column][row]);
        insert_one.Bind(4, batch_id);
        insert_one.Run();
        --pending;
      }
      db.Execute("COMMIT");
    }
  }
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("bare insert loop: %lld rows in %.2f s, %.0f rows/s\n", static_cast<long long>(rows),
              seconds, rows / seconds);
  return 0;
}

int Main(int argc, char** argv) {
  if (argc != 5) {
    std::cerr << "usage: loader_benchmark prepare DATA_DIR FRED_MD_CSV COPIES\n"
                 "       loader_benchmark bare DB_PATH FRED_MD_CSV COPIES\n";
    return 2;
  }
  std::string mode = argv[1];
  int copies = std::stoi(argv[4]);
  try {
    if (mode == "prepare") return Prepare(argv[2], argv[3], copies);
    if (mode == "bare") return Bare(argv[2], argv[3], copies);
  } catch (const Error& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  std::cerr << "unknown mode '" << mode << "': use prepare or bare\n";
  return 2;
}

}  // namespace
}  // namespace macropipe

int main(int argc, char** argv) { return macropipe::Main(argc, argv); }
