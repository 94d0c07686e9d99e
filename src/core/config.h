// The TOML configuration of a pipeline: where data lives, which sources to
// fetch, and how the DAG that runs them is scheduled ([dag], [pools], [tasks],
// [load] and task keys in each [[sources]] table).
//
//   Config config = Config::LoadFile("pipeline.toml");
//   for (const SourceConfig& source : config.sources) { ... }
//
// Every key is checked: an unknown key or a value of the wrong type is an
// Error(kInvalidInput) naming the key, the file and the line. Each source type
// reads its own options through `OptionReader`, which also reports keys that
// nobody read. Config objects are immutable after loading and safe to share.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace toml {
inline namespace v3 {
class table;
}
}  // namespace toml

namespace macropipe {

// Typed access to one TOML table that remembers which keys were read, so that
// `RejectUnknownKeys` can name every key that no reader asked for.
class OptionReader {
 public:
  // `table` must outlive the reader. `where` names the table in messages, for
  // example "pipeline.toml [[sources]] \"fred-md\"".
  OptionReader(const toml::table& table, std::string file, std::string where);

  std::optional<std::string> String(const std::string& key);
  std::optional<int64_t> Integer(const std::string& key);
  std::optional<double> Number(const std::string& key);
  std::optional<bool> Boolean(const std::string& key);
  std::optional<std::vector<std::string>> StringList(const std::string& key);
  // Returns a reader for a sub-table, or nullopt when the key is absent.
  std::optional<OptionReader> Table(const std::string& key);
  // Returns a reader for each table of an array of tables ([[parent.key]]),
  // whose messages name the table's own line; nullopt when the key is absent.
  std::optional<std::vector<OptionReader>> TableList(const std::string& key);

  std::string RequireString(const std::string& key);
  // Marks `key` as read without reading it, for keys checked by other means.
  void MarkRead(const std::string& key) { Node(key); }

  // Throws for the first key in the table that was never read.
  void RejectUnknownKeys() const;

  // Formats "FILE line N, key K" for the given key, for messages.
  std::string Where(const std::string& key) const;

 private:
  const void* Node(const std::string& key);
  [[noreturn]] void ThrowWrongType(const std::string& key, const char* expected) const;

  const toml::table& table_;
  std::string file_;
  std::string where_;
  std::vector<std::string> read_keys_;
};

// Settings of DAG tasks: the pool, retries and timeout. Fields are unset
// unless the config gives them; times are in seconds. The keys are pool,
// retries, retry_delay_seconds, retry_exponential_backoff,
// max_retry_delay_seconds, retry_jitter and timeout_seconds.
struct TaskSettings {
  std::optional<std::string> pool;
  std::optional<int64_t> retries;
  std::optional<double> retry_delay_seconds;
  std::optional<bool> retry_exponential_backoff;
  std::optional<double> max_retry_delay_seconds;
  std::optional<double> retry_jitter;  // Fraction in [0, 1].
  std::optional<double> timeout_seconds;
  std::string where;  // "FILE line N, [table]", naming the settings in messages.

  // Returns these settings with each unset field taken from `defaults`.
  TaskSettings Over(const TaskSettings& defaults) const;
};

// Reads the task keys from `reader`, which names the table in messages. Throws
// Error(kInvalidInput) naming file, line and key for a value out of range. In
// a [[sources]] table (`source_table`), retry_delay_seconds,
// max_retry_delay_seconds and timeout_seconds belong to the connector's
// requests, so only pool, retries, retry_exponential_backoff and retry_jitter
// are read.
TaskSettings ReadTaskSettings(OptionReader& reader, std::string where, bool source_table = false);

// The [dag] table: the DAG's id and schedule.
struct DagConfig {
  std::string id = "macropipe";
  // "@once", "@hourly", "@daily", "@weekly", "@monthly", "@yearly" or five cron fields.
  std::string schedule = "@once";
  std::string time_zone = "UTC";          // IANA name the schedule is read in.
  std::optional<std::string> start_date;  // YYYY-MM-DD: the first logical date.
  bool catchup = true;                    // Run intervals missed while no scheduler ran.
  int64_t worker_threads = 16;            // Task bodies running at once in the process.
  std::string where;                      // "FILE line N" of [dag], for messages.
};

struct SourceConfig {
  std::string name;  // Unique within the config; names the landing folder.
  std::string type;  // Connector type, for example "fred-md".
  // The source's own table, for the connector to read its options from.
  std::shared_ptr<const toml::table> table;
  std::string file;   // The config file the source came from, for messages.
  int64_t line = 0;   // Line of the source's [[sources]] header in that file.
  TaskSettings task;  // Task keys given in the source's table.
};

// Where the landing zone lives: the `landing` key, either a URL string or a
// table with `url` and the S3 options.
//
//   landing = "s3://macro-data/landing"
//   [landing]
//   url = "s3://macro-data/landing"
//   endpoint = "http://127.0.0.1:9000"   # Default: AWS_ENDPOINT_URL_S3, AWS_ENDPOINT_URL, AWS.
//   region = "eu-west-1"                 # Default: AWS_REGION, AWS_DEFAULT_REGION, us-east-1.
//   addressing = "path"                  # Or "virtual"; default: path with an endpoint.
struct LandingConfig {
  std::string url;  // Empty: the data directory's landing folder. Else s3:// or file://.
  std::string endpoint;
  std::string region;
  std::string addressing;  // "", "path" or "virtual".
  std::string where;       // "FILE line N, key 'landing' ...", for messages.

  bool IsS3() const { return url.starts_with("s3://"); }
};

struct Config {
  std::string path;      // The file the config came from, or "<built-in>".
  std::string data_dir;  // Empty: use the command line's --data-dir or its default.
  // A postgresql:// URI of a shared warehouse; empty for the SQLite warehouse
  // in the data directory. `warehouse_origin` names file and line for messages.
  std::string warehouse;
  std::string warehouse_origin;
  // A postgresql:// URI of the scheduler's shared state database; empty for
  // the data directory's state.db. `state_origin` names file and line.
  std::string state;
  std::string state_origin;
  LandingConfig landing;
  std::vector<SourceConfig> sources;
  // The [forecast] table, which the forecast job reads; null when absent.
  std::shared_ptr<const toml::table> forecast;
  DagConfig dag;
  std::map<std::string, int64_t> pools;  // [pools]: name = slots.
  std::string pools_where;               // "FILE line N" of [pools], for messages.
  TaskSettings task_defaults;            // [tasks]: for every task.
  TaskSettings load_task;                // [load]: for the load task.

  // Parses a TOML file. Throws Error(kInvalidInput or kNotFound) with file and line.
  static Config LoadFile(const std::string& path);
  // Parses TOML text; `origin` names it in messages.
  static Config Parse(std::string_view text, const std::string& origin);
  // The built-in config: the current FRED-MD vintage from its public URL,
  // and a forecast with the default [forecast] settings.
  static Config Default();
};

// Creates an OptionReader over the [forecast] table, or over an empty table
// when the config has none.
OptionReader ForecastOptions(const Config& config);

// Creates an OptionReader over a source's table, with the keys that every
// source has (type, name and the task keys) marked as read.
OptionReader SourceOptions(const SourceConfig& source);

}  // namespace macropipe
