// The interface of the warehouse: a catalogue of series and their observations
// with real-time periods, in the manner of ALFRED.
//
// Each observation row states what value a period had from `realtime_start`
// through `realtime_end` (inclusive); the current value has the open end
// 9999-12-31. A load applies one landing object in one transaction:
//   - a new period is inserted;
//   - a changed value closes the row in force at the vintage and opens a new one;
//   - an unchanged value writes nothing;
//   - a period the vintage leaves empty keeps the value it had;
//   - rows that carry their own real-time period (ALFRED) are stored as given.
// Loading the same object version for the same vintage twice changes nothing.
//
//   auto warehouse = OpenSqliteWarehouse("data/warehouse.db");
//   LoadResult result = warehouse->Load(request, rows);
//
// Implementations are thread-safe: concurrent loads are serialized or isolated
// by the database.
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "core/date.h"
#include "core/series.h"
#include "warehouse/backtest_record.h"
#include "warehouse/forecast_record.h"

namespace macropipe {

// One incoming observation. `realtime_start` and `realtime_end` are set only
// for sources that publish real-time periods; other rows take the load's vintage.
struct ObservationRow {
  Date period;
  std::optional<double> value;
  std::optional<Date> realtime_start;
  std::optional<Date> realtime_end;
};

struct RejectedRow {
  int64_t line = 0;  // Line in the landing object, 1-based.
  std::string text;  // The row as it appeared.
  std::string reason;
};

// A stream of rows for one load. Rows arrive in any order.
class ObservationStream {
 public:
  virtual ~ObservationStream() = default;
  // Reads the next usable row; returns false at the end.
  virtual bool Next(ObservationRow& row) = 0;
  // Rows the stream could not use, available after Next returned false.
  virtual const std::vector<RejectedRow>& rejected() const = 0;
};

struct LoadRequest {
  SeriesInfo series;       // Source and id are required; the rest updates the catalogue.
  std::string object_key;  // The landing object this load applies.
  std::string object_version;
  std::string object_sha256;
  Date vintage_date;  // Real-time start for rows without their own.
  std::string fetched_at;
};

struct LoadCounts {
  int64_t inserted = 0;   // New periods, or new real-time rows.
  int64_t revised = 0;    // Changed values.
  int64_t unchanged = 0;  // Values equal to the stored ones.
  int64_t kept = 0;       // Empty in the vintage, so the stored value stays.
  int64_t rejected = 0;

  LoadCounts& operator+=(const LoadCounts& other);
  int64_t total() const { return inserted + revised + unchanged + kept + rejected; }
};

struct LoadResult {
  int64_t batch_id = 0;
  LoadCounts counts;
  bool already_loaded = false;  // The object version was loaded before; nothing changed.
};

// A single cell of a query result.
using Cell = std::variant<std::monostate, int64_t, double, std::string>;

struct QueryResult {
  std::vector<std::string> columns;
  std::vector<std::vector<Cell>> rows;
  bool truncated = false;  // More rows existed than the row limit allowed.
};

// Bounds on one read-only query.
struct QueryLimits {
  int64_t max_rows = 10000;
  int64_t offset = 0;  // Rows skipped before the first one returned.
  // The longest the query may run; zero means no limit. A query that runs
  // longer stops with Error(kUnavailable) naming the limit.
  std::chrono::milliseconds time_limit{0};
};

struct StoredObservation {
  Date period;
  std::optional<double> value;
  Date realtime_start;
  Date realtime_end;
};

class Warehouse {
 public:
  virtual ~Warehouse() = default;

  // Applies one landing object. Throws Error and leaves the warehouse as it was
  // if anything fails.
  virtual LoadResult Load(const LoadRequest& request, ObservationStream& rows) = 0;

  // True when this object version has been loaded as of `vintage_date`.
  virtual bool IsLoaded(const std::string& object_key, const std::string& object_version,
                        Date vintage_date) = 0;

  // Runs `sql` on a read-only connection: statements that write fail, and so
  // do ATTACH and pragmas that set a value.
  virtual QueryResult Query(const std::string& sql, const QueryLimits& limits) = 0;
  QueryResult Query(const std::string& sql, int64_t max_rows) {
    return Query(sql, QueryLimits{.max_rows = max_rows});
  }

  virtual std::vector<SeriesInfo> ListSeries() = 0;

  // Finds series by id; `source` narrows the search when not empty.
  virtual std::vector<SeriesInfo> FindSeries(const std::string& id, const std::string& source) = 0;

  // The observations of a series as known on `as_of`, or the latest when unset.
  virtual std::vector<StoredObservation> Observations(const SeriesInfo& series,
                                                      std::optional<Date> as_of) = 0;

  // Stores a forecast run and all its rows in one transaction and returns the
  // new run id; ignores record.run.run_id. Throws Error and stores nothing if
  // anything fails, and Error(kFailedPrecondition) on a read-only warehouse.
  virtual int64_t StoreForecast(const ForecastRecord& record) = 0;

  // The run stored as `run_id` with its rows in key order, or nullopt.
  virtual std::optional<ForecastRecord> ReadForecast(int64_t run_id) = 0;

  // Stores a backtest run and all its scores in one transaction and returns
  // the new run id; ignores record.run.run_id. Throws Error and stores nothing
  // if anything fails, and Error(kFailedPrecondition) on a read-only warehouse.
  virtual int64_t StoreBacktest(const BacktestRecord& record) = 0;

  // The backtest stored as `run_id` with its scores in stored order, or nullopt.
  virtual std::optional<BacktestRecord> ReadBacktest(int64_t run_id) = 0;

  // Where the warehouse lives, for messages.
  virtual std::string Location() const = 0;
};

// Opens (creating when missing) an SQLite warehouse at `path`. A read-only
// warehouse must exist; it answers queries and refuses loads, and it works on
// read-only storage.
std::unique_ptr<Warehouse> OpenSqliteWarehouse(const std::string& path, bool read_only = false);

}  // namespace macropipe
