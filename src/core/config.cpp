#include "core/config.h"

#include <toml++/toml.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <set>

#include "core/date.h"
#include "core/error.h"
#include "core/files.h"

namespace macropipe {
namespace {

// The public location of the newest FRED-MD vintage.
// NOTE: the St. Louis Fed has moved these files before; if the URL stops
// working, set `url` in a config file to the current address or a local copy.
constexpr char kFredMdCurrentUrl[] =
    "https://www.stlouisfed.org/-/media/project/frbstl/stlouisfed/research/fred-md/monthly/"
    "current.csv";

std::string LineOf(const toml::node& node) { return std::to_string(node.source().begin.line); }

// Reads the `landing` key, a URL or a table of S3 options, and checks it.
LandingConfig ReadLandingConfig(const toml::table& root, OptionReader& reader) {
  LandingConfig landing;
  const toml::node* node = root.get("landing");
  if (node == nullptr) return landing;
  if (node->is_table()) {
    OptionReader table = *reader.Table("landing");
    landing.url = table.RequireString("url");
    landing.where = table.Where("url");
    landing.endpoint = table.String("endpoint").value_or("");
    landing.region = table.String("region").value_or("");
    landing.addressing = table.String("addressing").value_or("");
    table.RejectUnknownKeys();
  } else {
    landing.url = reader.String("landing").value_or("");
    landing.where = reader.Where("landing");
  }

  auto reject = [&](const std::string& what) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid landing '" + landing.url + "' at " + landing.where + ": " + what);
  };
  if (landing.IsS3()) {
    std::string_view rest = std::string_view(landing.url).substr(5);
    if (rest.empty() || rest.front() == '/') reject("name the bucket, as in s3://bucket/prefix");
  } else if (!landing.url.starts_with("file://")) {
    reject("use s3://bucket/prefix or file:///absolute/path");
  } else if (!landing.endpoint.empty() || !landing.region.empty() || !landing.addressing.empty()) {
    reject("endpoint, region and addressing apply only to an s3:// landing");
  }
  if (!landing.addressing.empty() && landing.addressing != "path" &&
      landing.addressing != "virtual") {
    reject("addressing must be \"path\" or \"virtual\", not \"" + landing.addressing + "\"");
  }
  return landing;
}

// The task keys a [[sources]] table may hold. retry_delay_seconds,
// max_retry_delay_seconds and timeout_seconds there are the connector's
// per-request settings, so a source's tasks take those from [tasks].
constexpr const char* kSourceTaskKeys[] = {"pool", "retries", "retry_exponential_backoff",
                                           "retry_jitter"};

// A name of a pool or a DAG: letters, digits, '-', '_' and '.', as Airflow allows.
bool IsPlainName(const std::string& name) {
  return !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
  });
}

std::optional<double> ReadSeconds(OptionReader& reader, const std::string& key, bool positive) {
  std::optional<double> value = reader.Number(key);
  if (value && !(positive ? *value > 0 : *value >= 0)) {
    throw Error(ErrorCode::kInvalidInput,
                "invalid " + reader.Where(key) + ": " + std::to_string(*value) + " is not " +
                    (positive ? "greater than 0" : "0 or more") + " seconds");
  }
  return value;
}

// Returns a reader for the top-level table `key`, named "[key]" in messages,
// or nullopt when the config has no such table.
std::optional<OptionReader> TopTable(OptionReader& root, const toml::table& document,
                                     const std::string& key, const std::string& origin) {
  if (!root.Table(key)) return std::nullopt;  // Checks that it is a table and marks it read.
  return OptionReader(*document.get(key)->as_table(), origin, "[" + key + "]");
}

// Reads a table of the root that holds only task keys, such as [tasks].
TaskSettings ReadTaskTable(OptionReader& root, const toml::table& document, const std::string& key,
                           const std::string& origin) {
  std::optional<OptionReader> table = TopTable(root, document, key, origin);
  if (!table) return {};
  TaskSettings settings = ReadTaskSettings(*table, origin + " [" + key + "]");
  table->RejectUnknownKeys();
  return settings;
}

DagConfig ReadDagTable(OptionReader& root, const toml::table& document, const std::string& origin) {
  DagConfig dag;
  std::optional<OptionReader> table = TopTable(root, document, "dag", origin);
  if (!table) return dag;
  dag.where = origin + " line " + LineOf(*document.get("dag"));
  dag.id = table->String("id").value_or(dag.id);
  if (!IsPlainName(dag.id)) {
    throw Error(ErrorCode::kInvalidInput, "invalid DAG id '" + dag.id + "' at " +
                                              table->Where("id") +
                                              ": use letters, digits, '-', '_' or '.'");
  }
  dag.schedule = table->String("schedule").value_or(dag.schedule);
  dag.time_zone = table->String("time_zone").value_or(dag.time_zone);
  dag.start_date = table->String("start_date");
  if (dag.start_date && !Date::TryParseIso(*dag.start_date)) {
    throw Error(ErrorCode::kInvalidInput, "invalid start_date '" + *dag.start_date + "' at " +
                                              table->Where("start_date") + ": write YYYY-MM-DD");
  }
  dag.catchup = table->Boolean("catchup").value_or(dag.catchup);
  dag.worker_threads = table->Integer("worker_threads").value_or(dag.worker_threads);
  if (dag.worker_threads < 1 || dag.worker_threads > 1024) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + table->Where("worker_threads") + ": " +
                                              std::to_string(dag.worker_threads) +
                                              " is not between 1 and 1024");
  }
  table->RejectUnknownKeys();
  return dag;
}

std::map<std::string, int64_t> ReadPoolsTable(OptionReader& root, const toml::table& document,
                                              const std::string& origin) {
  std::map<std::string, int64_t> pools;
  std::optional<OptionReader> table = TopTable(root, document, "pools", origin);
  if (!table) return pools;
  for (const auto& [key, node] : *document.get("pools")->as_table()) {
    std::string name(key.str());
    std::optional<int64_t> slots = table->Integer(name);
    if (!IsPlainName(name) || *slots < 1) {
      throw Error(ErrorCode::kInvalidInput,
                  "invalid pool at " + table->Where(name) +
                      ": name it with letters, digits, '-', '_' or '.' and give it 1 or more "
                      "slots, as in ingest = 10");
    }
    pools[name] = *slots;
  }
  return pools;
}

}  // namespace

TaskSettings ReadTaskSettings(OptionReader& reader, std::string where, bool source_table) {
  TaskSettings settings;
  settings.where = std::move(where);
  settings.pool = reader.String("pool");
  settings.retries = reader.Integer("retries");
  if (settings.retries && (*settings.retries < 0 || *settings.retries > 100)) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + reader.Where("retries") + ": " +
                                              std::to_string(*settings.retries) +
                                              " is not between 0 and 100");
  }
  if (!source_table) {
    settings.retry_delay_seconds = ReadSeconds(reader, "retry_delay_seconds", false);
    settings.max_retry_delay_seconds = ReadSeconds(reader, "max_retry_delay_seconds", false);
    settings.timeout_seconds = ReadSeconds(reader, "timeout_seconds", true);
  }
  settings.retry_exponential_backoff = reader.Boolean("retry_exponential_backoff");
  settings.retry_jitter = reader.Number("retry_jitter");
  if (settings.retry_jitter && !(*settings.retry_jitter >= 0 && *settings.retry_jitter <= 1)) {
    throw Error(ErrorCode::kInvalidInput, "invalid " + reader.Where("retry_jitter") + ": " +
                                              std::to_string(*settings.retry_jitter) +
                                              " is not between 0 and 1");
  }
  return settings;
}

TaskSettings TaskSettings::Over(const TaskSettings& defaults) const {
  TaskSettings merged = *this;
  auto fill = [](auto& field, const auto& fallback) {
    if (!field) field = fallback;
  };
  fill(merged.pool, defaults.pool);
  fill(merged.retries, defaults.retries);
  fill(merged.retry_delay_seconds, defaults.retry_delay_seconds);
  fill(merged.retry_exponential_backoff, defaults.retry_exponential_backoff);
  fill(merged.max_retry_delay_seconds, defaults.max_retry_delay_seconds);
  fill(merged.retry_jitter, defaults.retry_jitter);
  fill(merged.timeout_seconds, defaults.timeout_seconds);
  if (merged.where.empty()) merged.where = defaults.where;
  return merged;
}

OptionReader::OptionReader(const toml::table& table, std::string file, std::string where)
    : table_(table), file_(std::move(file)), where_(std::move(where)) {}

std::string OptionReader::Where(const std::string& key) const {
  const toml::node* node = table_.get(key);
  std::string line = node != nullptr ? " line " + LineOf(*node) : "";
  return file_ + line + ", key '" + key + "' in " + where_;
}

const void* OptionReader::Node(const std::string& key) {
  if (std::find(read_keys_.begin(), read_keys_.end(), key) == read_keys_.end()) {
    read_keys_.push_back(key);
  }
  return table_.get(key);
}

void OptionReader::ThrowWrongType(const std::string& key, const char* expected) const {
  throw Error(ErrorCode::kInvalidInput, "wrong type for " + Where(key) + ": expected " + expected);
}

std::optional<std::string> OptionReader::String(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  if (!node->is_string()) ThrowWrongType(key, "a string");
  return node->value<std::string>();
}

std::optional<int64_t> OptionReader::Integer(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  if (!node->is_integer()) ThrowWrongType(key, "an integer");
  return node->value<int64_t>();
}

std::optional<double> OptionReader::Number(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  if (!node->is_number()) ThrowWrongType(key, "a number");
  return node->value<double>();
}

std::optional<bool> OptionReader::Boolean(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  if (!node->is_boolean()) ThrowWrongType(key, "true or false");
  return node->value<bool>();
}

std::optional<std::vector<std::string>> OptionReader::StringList(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  const toml::array* array = node->as_array();
  if (array == nullptr) ThrowWrongType(key, "an array of strings");
  std::vector<std::string> values;
  for (const toml::node& element : *array) {
    if (!element.is_string()) ThrowWrongType(key, "an array of strings");
    values.push_back(*element.value<std::string>());
  }
  return values;
}

std::optional<OptionReader> OptionReader::Table(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  const toml::table* table = node->as_table();
  if (table == nullptr) ThrowWrongType(key, "a table");
  return OptionReader(*table, file_, where_ + "." + key);
}

std::optional<std::vector<OptionReader>> OptionReader::TableList(const std::string& key) {
  auto node = static_cast<const toml::node*>(Node(key));
  if (node == nullptr) return std::nullopt;
  const toml::array* array = node->as_array();
  if (array == nullptr || (!array->empty() && !array->is_array_of_tables())) {
    ThrowWrongType(key, "an array of tables, each under a [[...]] header");
  }
  std::vector<OptionReader> readers;
  for (const toml::node& element : *array) {
    readers.emplace_back(*element.as_table(), file_,
                         "'" + key + "' table at line " + LineOf(element) + " of " + where_);
  }
  return readers;
}

std::string OptionReader::RequireString(const std::string& key) {
  auto value = String(key);
  if (!value) {
    throw Error(ErrorCode::kInvalidInput,
                "missing key '" + key + "' in " + where_ + " of " + file_ + ": add it");
  }
  return *value;
}

void OptionReader::RejectUnknownKeys() const {
  for (const auto& [key, node] : table_) {
    std::string name(key.str());
    if (std::find(read_keys_.begin(), read_keys_.end(), name) == read_keys_.end()) {
      throw Error(ErrorCode::kInvalidInput, "unknown key '" + name + "' in " + where_ + " at " +
                                                file_ + " line " + LineOf(node) +
                                                ": check its spelling against the documentation");
    }
  }
}

Config Config::LoadFile(const std::string& path) {
  if (std::filesystem::is_directory(path)) {
    throw Error(ErrorCode::kInvalidInput,
                "config " + path + " is a folder; pass the TOML file with --config");
  }
  std::string text = ReadFile(path);
  return Parse(text, path);
}

Config Config::Parse(std::string_view text, const std::string& origin) {
  // Sources keep pointers into the parsed document, which keeps its source
  // positions (copies of tables lose them), so share the document itself.
  auto document = std::make_shared<toml::table>();
  try {
    *document = toml::parse(text, origin);
  } catch (const toml::parse_error& error) {
    throw Error(ErrorCode::kInvalidInput, "invalid TOML in " + origin + " line " +
                                              std::to_string(error.source().begin.line) + ": " +
                                              std::string(error.description()));
  }

  const toml::table& root = *document;
  Config config;
  config.path = origin;
  OptionReader reader(root, origin, "the top level");
  config.data_dir = reader.String("data_dir").value_or("");
  config.warehouse = reader.String("warehouse").value_or("");
  if (!config.warehouse.empty()) config.warehouse_origin = reader.Where("warehouse");
  config.state = reader.String("state").value_or("");
  if (!config.state.empty()) {
    config.state_origin = reader.Where("state");
    if (!config.state.starts_with("postgresql://") && !config.state.starts_with("postgres://")) {
      // Only the scheme is named: the rest of an unknown URI may hold a secret.
      std::string scheme = config.state.substr(0, config.state.find(':'));
      throw Error(ErrorCode::kInvalidInput,
                  "invalid " + config.state_origin + ": unknown scheme '" + scheme +
                      "'; write a postgresql:// URI, or leave state out to keep the scheduler's "
                      "state in the data directory's state.db");
    }
  }
  config.landing = ReadLandingConfig(root, reader);
  config.dag = ReadDagTable(reader, root, origin);
  config.pools = ReadPoolsTable(reader, root, origin);
  if (const toml::node* pools = root.get("pools")) {
    config.pools_where = origin + " line " + LineOf(*pools);
  }
  config.task_defaults = ReadTaskTable(reader, root, "tasks", origin);
  config.load_task = ReadTaskTable(reader, root, "load", origin);

  reader.MarkRead("sources");
  const toml::node* sources = root.get("sources");
  if (sources != nullptr) {
    const toml::array* array = sources->as_array();
    if (array == nullptr || !array->is_array_of_tables()) {
      throw Error(ErrorCode::kInvalidInput, "wrong type for key 'sources' at " + origin + " line " +
                                                LineOf(*sources) +
                                                ": write each source as a [[sources]] table");
    }
    std::set<std::string> names;
    for (const toml::node& element : *array) {
      const toml::table& table = *element.as_table();
      SourceConfig source;
      OptionReader source_reader(table, origin, "[[sources]] at line " + LineOf(element));
      source.type = source_reader.RequireString("type");
      source.name = source_reader.String("name").value_or(source.type);
      // The name becomes a folder of the landing zone: keep it a plain word.
      bool plain =
          !source.name.empty() && source.name.front() != '.' &&
          std::all_of(source.name.begin(), source.name.end(), [](char c) {
            return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.';
          });
      if (!plain || source.name.size() > 64) {
        throw Error(ErrorCode::kInvalidInput,
                    "invalid source name '" + source.name + "' at " +
                        source_reader.Where(source_reader.String("name") ? "name" : "type") +
                        ": use up to 64 letters, digits, '-', '_' or '.', not starting with '.'");
      }
      if (!names.insert(source.name).second) {
        throw Error(ErrorCode::kInvalidInput, "duplicate source name '" + source.name + "' at " +
                                                  origin + " line " + LineOf(element) +
                                                  ": give each [[sources]] table its own name");
      }
      source.table = std::shared_ptr<const toml::table>(document, &table);
      source.file = origin;
      source.line = element.source().begin.line;
      source.task = ReadTaskSettings(
          source_reader, origin + " line " + LineOf(element) + ", source '" + source.name + "'",
          true);
      config.sources.push_back(std::move(source));
    }
  }
  if (std::optional<OptionReader> forecast = reader.Table("forecast")) {
    config.forecast =
        std::shared_ptr<const toml::table>(document, root.get("forecast")->as_table());
  }
  reader.RejectUnknownKeys();
  return config;
}

Config Config::Default() {
  std::string text = std::string("[[sources]]\ntype = \"fred-md\"\nurl = \"") + kFredMdCurrentUrl +
                     "\"\n\n[forecast]\n";
  return Parse(text, "<built-in config>");
}

OptionReader ForecastOptions(const Config& config) {
  static const toml::table kEmpty;
  return OptionReader(config.forecast ? *config.forecast : kEmpty, config.path, "[forecast]");
}

OptionReader SourceOptions(const SourceConfig& source) {
  OptionReader reader(
      *source.table, source.file,
      "source '" + source.name + "' ([[sources]] at line " + std::to_string(source.line) + ")");
  reader.String("type");
  reader.String("name");
  for (const char* key : kSourceTaskKeys) reader.MarkRead(key);
  return reader;
}

}  // namespace macropipe
