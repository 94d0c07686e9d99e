// End-to-end tests of the macropipe binary: run, ingest, load, sql and series
// on FRED-MD files, runs of API sources against the replay server, and every
// kind of bad input.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdio>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "core/files.h"
#include "landing/s3_object_store.h"
#include "moto_server.h"
#include "postgres_test_support.h"
#include "replay_server.h"
#include "secrets/scoped_environment_for_test.h"
#include "sources/fredmd.h"
#include "test_support.h"
#include "xml_check.h"

namespace macropipe::testing {
namespace {

std::string FixturePath(const std::string& name) {
  return std::string(MACROPIPE_SOURCE_DIR) + "/tests/fixtures/" + name;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

// Writes a config with one FRED-MD source reading `path`; returns the config
// path. `top` goes before the source's table, `extra` into it.
std::string WriteFredMdConfig(const ScratchDir& dir, const std::string& path,
                              const std::string& extra = "", const std::string& top = "") {
  std::string config = (dir / "pipeline.toml").string();
  WriteText(config,
            top + "[[sources]]\ntype = \"fred-md\"\nurl = \"file://" + path + "\"\n" + extra);
  return config;
}

std::string RunCommand(const ScratchDir& dir, const std::string& config, const std::string& command,
                       int expected_exit = 0) {
  CommandResult result = RunMacropipe("--log-level warn --data-dir " + (dir / "data").string() +
                                      " --config " + config + " " + command);
  EXPECT_EQ(result.exit_code, expected_exit) << result.out << result.err;
  return result.out + result.err;
}

std::string Sql(const ScratchDir& dir, const std::string& query) {
  CommandResult result =
      RunMacropipe("--data-dir " + (dir / "data").string() + " sql --format csv \"" + query + "\"");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  return result.out;
}

// Every stored file under `root` with its content, to prove a failed command
// left the landing zone and the warehouse as they were. The run history
// (state.db and logs/) is left out: it records the failed run.
std::map<std::string, std::string> Snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().filename() == ".lock") continue;
    std::string relative = entry.path().lexically_relative(root).string();
    if (relative.starts_with("state.db") || relative.starts_with("logs/")) continue;
    std::string name = entry.path().filename().string();
    if (name.find("-wal") != std::string::npos || name.find("-shm") != std::string::npos) continue;
    files[entry.path().string()] = ReadText(entry.path());
  }
  return files;
}

TEST(PipelineTest, LoadsRecordedFredMdVintage) {
  auto recorded = RecordedFile("data/fredmd/2025-02.csv");
  if (!recorded) GTEST_SKIP() << RecordedDataMissing("data/fredmd/2025-02.csv");
  ScratchDir dir;
  std::string config = WriteFredMdConfig(dir, recorded->string());

  std::string first = RunCommand(dir, config, "run");
  EXPECT_NE(first.find("127 objects landed, 0 unchanged, 126 series"), std::string::npos) << first;
  EXPECT_NE(first.find("98969 inserted, 0 revised, 0 unchanged"), std::string::npos) << first;
  EXPECT_EQ(Sql(dir,
                "SELECT value FROM latest_observations WHERE series_id = 'CPIAUCSL' "
                "AND date = '2024-12-01'"),
            "value\n317.603\n");
  EXPECT_EQ(Sql(dir, "SELECT count(*), count(DISTINCT series_id) FROM latest_observations"),
            "count(*),count(DISTINCT series_id)\n98969,126\n");
  EXPECT_EQ(Sql(dir, "SELECT transform_code FROM series WHERE series_id = 'CPIAUCSL'"),
            "transform_code\n6\n");

  auto before = Snapshot(dir / "data/landing");
  std::string second = RunCommand(dir, config, "run");
  EXPECT_NE(second.find("0 objects landed, 127 unchanged"), std::string::npos) << second;
  EXPECT_NE(second.find("0 inserted, 0 revised, 0 unchanged"), std::string::npos) << second;
  EXPECT_EQ(Snapshot(dir / "data/landing"), before) << "a rerun must land no new version";
  EXPECT_EQ(Sql(dir, "SELECT count(*) FROM load_batches"), "count(*)\n126\n");
}

// Writes an older vintage derived from the recorded one: the last month
// dropped and CPIAUCSL for 2024-12 at 317.0 instead of 317.603.
std::string WriteOlderVintage(const std::filesystem::path& recorded, const ScratchDir& dir) {
  std::string text = ReadText(recorded);
  std::vector<std::string> lines;
  std::stringstream in(text);
  std::string line;
  while (std::getline(in, line)) lines.push_back(line);
  while (!lines.empty() && lines.back().rfind("1/1/2025", 0) != 0) lines.pop_back();
  lines.pop_back();  // The 1/1/2025 row.
  std::string out;
  for (std::string& l : lines) {
    if (l.rfind("12/1/2024,", 0) == 0) {
      size_t at = l.find(",317.603,");
      EXPECT_NE(at, std::string::npos);
      l.replace(at, 9, ",317.0,");
    }
    out += l + "\n";
  }
  std::string path = (dir / "older/2025-01.csv").string();
  WriteText(path, out);
  return path;
}

// Returns "series|date|value" lines of a vintage file, sorted like the SQL below.
std::string ExpectedAsOf(const std::string& path) {
  FredMdFile file = ParseFredMd(ReadText(path), path);
  std::vector<std::string> rows;
  for (size_t column = 0; column < file.names.size(); ++column) {
    for (size_t row = 0; row < file.dates.size(); ++row) {
      if (file.values[column][row].empty()) continue;
      rows.push_back(file.names[column] + "|" + file.dates[row].ToIso() + "|" +
                     std::to_string(std::stod(file.values[column][row])));
    }
  }
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const std::string& row : rows) out += row + "\n";
  return out;
}

std::string ActualAsOf(const ScratchDir& dir, const std::string& date) {
  CommandResult result = RunMacropipe(
      "--data-dir " + (dir / "data").string() + " sql --format csv --max-rows 1000000 " +
      "\"SELECT series_id, date, value FROM observation_history WHERE realtime_start <= '" + date +
      "' AND realtime_end >= '" + date + "'\"");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  std::vector<std::string> rows;
  std::stringstream in(result.out);
  std::string line;
  std::getline(in, line);  // Header.
  while (std::getline(in, line)) {
    // Series names may hold spaces but not commas; the value is the last field.
    size_t last = line.rfind(',');
    size_t middle = line.rfind(',', last - 1);
    std::string name = line.substr(0, middle);
    if (name.size() >= 2 && name.front() == '"') name = name.substr(1, name.size() - 2);
    rows.push_back(name + "|" + line.substr(middle + 1, last - middle - 1) + "|" +
                   std::to_string(std::stod(line.substr(last + 1))));
  }
  std::sort(rows.begin(), rows.end());
  std::string out;
  for (const std::string& row : rows) out += row + "\n";
  return out;
}

TEST(PipelineTest, AsOfQueriesReturnEachVintageExactly) {
  auto recorded = RecordedFile("data/fredmd/2025-02.csv");
  if (!recorded) GTEST_SKIP() << RecordedDataMissing("data/fredmd/2025-02.csv");
  ScratchDir dir;
  std::string older = WriteOlderVintage(*recorded, dir);

  std::string out = RunCommand(dir, WriteFredMdConfig(dir, older), "run");
  EXPECT_NE(out.find("0 revised"), std::string::npos) << out;
  out = RunCommand(dir, WriteFredMdConfig(dir, recorded->string()), "run");
  EXPECT_NE(out.find(" 1 revised"), std::string::npos) << out;

  EXPECT_EQ(ActualAsOf(dir, "2025-01-15"), ExpectedAsOf(older));
  EXPECT_EQ(ActualAsOf(dir, "2025-02-01"), ExpectedAsOf(recorded->string()));
  EXPECT_EQ(Sql(dir,
                "SELECT realtime_start, previous_value, value FROM revisions "
                "WHERE series_id = 'CPIAUCSL'"),
            "realtime_start,previous_value,value\n2025-02-01,317,317.603\n");
  EXPECT_EQ(Sql(dir,
                "SELECT value FROM first_releases WHERE series_id = 'CPIAUCSL' AND "
                "date = '2024-12-01'"),
            "value\n317\n");

  CommandResult show = RunMacropipe("--data-dir " + (dir / "data").string() +
                                    " series show CPIAUCSL --as-of 2025-01-31 --format csv");
  EXPECT_EQ(show.exit_code, 0) << show.err;
  EXPECT_NE(show.out.find("2024-12-01,317,2025-01-01,2025-01-31"), std::string::npos) << show.out;
}

TEST(PipelineTest, ProjectFixturesCoverFormatAndLoadingRules) {
  ScratchDir dir;
  std::string out =
      RunCommand(dir, WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv")), "run");
  EXPECT_NE(out.find("5 objects landed"), std::string::npos) << out;
  EXPECT_NE(out.find("14 inserted, 0 revised, 0 unchanged, 0 kept"), std::string::npos) << out;

  out = RunCommand(dir, WriteFredMdConfig(dir, FixturePath("fredmd/1959-06.csv")), "run");
  EXPECT_NE(out.find("9 inserted, 1 revised, 9 unchanged, 0 kept, 0 rejected"), std::string::npos)
      << out;
  // HOUST left the newer vintage: its values stay current.
  EXPECT_EQ(Sql(dir, "SELECT count(*) FROM latest_observations WHERE series_id = 'HOUST'"),
            "count(*)\n4\n");
  EXPECT_EQ(Sql(dir,
                "SELECT value FROM latest_observations WHERE series_id = 'S&P 500' AND "
                "date = '1959-05-01'"),
            "value\n57.9\n");
  EXPECT_EQ(Sql(dir,
                "SELECT value FROM observation_history WHERE series_id = 'RPI' AND "
                "date = '1959-04-01' AND realtime_start <= '1959-05-20' AND "
                "realtime_end >= '1959-05-20'"),
            "value\n2453\n");

  CommandResult list =
      RunMacropipe("--data-dir " + (dir / "data").string() + " series list --format csv");
  EXPECT_NE(list.out.find("fred-md,PERMIT,,Monthly,4,1959-06-01"), std::string::npos) << list.out;
}

TEST(PipelineTest, AppendixGivesSeriesTitles) {
  ScratchDir dir;
  std::string config =
      WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"),
                        "appendix_url = \"file://" + FixturePath("fredmd/appendix.csv") + "\"\n");
  std::string out = RunCommand(dir, config, "run");
  EXPECT_NE(out.find("6 objects landed"), std::string::npos) << out;
  EXPECT_EQ(Sql(dir, "SELECT title, notes FROM series WHERE series_id = 'S&P 500'"),
            "title,notes\nS&P\xE2\x80\x99s Common Stock Price Index: Composite,"
            "FRED-MD group: stock market\n");
  EXPECT_EQ(Sql(dir, "SELECT title FROM series WHERE series_id = 'HOUST'"), "title\n\n");
}

TEST(PipelineTest, SeriesFilterAndVintageOverride) {
  ScratchDir dir;
  std::string config =
      WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"),
                        "series = [\"RPI\", \"S&P 500\"]\nvintage = \"1960-01\"\n");
  std::string out = RunCommand(dir, config, "run");
  EXPECT_NE(out.find("2 series"), std::string::npos) << out;
  EXPECT_EQ(Sql(dir, "SELECT DISTINCT realtime_start FROM observations"),
            "realtime_start\n1960-01-01\n");

  std::string bad =
      WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"), "series = [\"NOPE\"]\n");
  out = RunCommand(dir, bad, "run", 1);
  EXPECT_NE(out.find("'NOPE'"), std::string::npos) << out;
}

struct BadInputCase {
  std::string name;
  std::string file_text;  // Written to bad/2025-03.csv; empty: point at a missing file.
  std::string url;        // Overrides the file URL when set.
  std::vector<std::string> expected;
};

TEST(PipelineTest, BadInputFailsClearlyAndChangesNothing) {
  const std::string header = "sasdate,RPI,CPIAUCSL\nTransform:,5,6\n";
  const BadInputCase cases[] = {
      {"ragged row", header + "1/1/2020,1,2\n2/1/2020,1\n", "", {"line 4", "2 fields"}},
      {"bad date", header + "1/1/2020,1,2\n2/31/2020,1,2\n", "", {"line 4", "'2/31/2020'"}},
      {"non-numeric value", header + "1/1/2020,1,n/a\n", "", {"line 3", "'n/a'", "'CPIAUCSL'"}},
      {"missing file", "", "", {"file not found", "missing.csv"}},
      {"refused connection",
       "",
       "http://127.0.0.1:9/fred-md/current.csv?api_key=SECRET1",
       {"http://127.0.0.1:9/fred-md/current.csv?api_key=REDACTED"}},
      {"unknown host",
       "",
       "http://fred-md.invalid/current.csv",
       {"http://fred-md.invalid/current.csv", "file:///path/to/"}},
      {"byte order mark and bad value",
       "\xEF\xBB\xBF" + header + "1/1/2020,1,\x01x\n",
       "",
       {"line 3", "'\\x01x'"}},
      {"over-long column name",
       "sasdate," + std::string(150, 'X') + "\nTransform:,5\n",
       "",
       {"line 1", "150 characters"}},
  };
  ScratchDir dir;
  RunCommand(dir, WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv")), "run");
  auto before = Snapshot(dir / "data");
  for (const BadInputCase& c : cases) {
    SCOPED_TRACE(c.name);
    std::string url = c.url;
    if (url.empty()) {
      std::string path =
          (dir / "bad" / (c.file_text.empty() ? "missing.csv" : "2025-03.csv")).string();
      if (!c.file_text.empty()) WriteText(path, c.file_text);
      url = "file://" + path;
    }
    std::string config = (dir / "bad.toml").string();
    WriteText(config, "[[sources]]\ntype = \"fred-md\"\nurl = \"" + url + "\"\n");
    CommandResult result =
        RunMacropipe("--data-dir " + (dir / "data").string() + " --config " + config + " run");
    EXPECT_NE(result.exit_code, 0);
    for (const std::string& fragment : c.expected) {
      EXPECT_NE(result.err.find(fragment), std::string::npos) << result.err;
    }
    EXPECT_EQ(result.err.find("SECRET1"), std::string::npos) << result.err;
    EXPECT_EQ(Snapshot(dir / "data"), before);
  }
}

TEST(PipelineTest, ConfigErrorsNameKeyAndLine) {
  ScratchDir dir;
  std::string config = (dir / "pipeline.toml").string();
  WriteText(config,
            "[[sources]]\ntype = \"fred-md\"\nurl = \"file:///x.csv\"\nvintag = \"2025-01\"\n");
  CommandResult result =
      RunMacropipe("--data-dir " + (dir / "data").string() + " --config " + config + " run");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown key 'vintag'"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("pipeline.toml line 4"), std::string::npos) << result.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "data/landing")) << "nothing fetched or landed";
}

TEST(PipelineTest, UnwritableDataDirFailsClearly) {
  ScratchDir dir;
  WriteText(dir / "occupied", "a file, not a folder");
  std::string config = WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"));
  CommandResult result = RunMacropipe("--data-dir " + (dir / "occupied/data").string() +
                                      " --config " + config + " run");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find((dir / "occupied").string()), std::string::npos) << result.err;
  EXPECT_EQ(ReadText(dir / "occupied"), "a file, not a folder");
}

TEST(PipelineTest, SecondProcessOnSameDataDirStops) {
  ScratchDir dir;
  DataDirLock lock(dir / "data");
  std::string config = WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"));
  CommandResult result =
      RunMacropipe("--data-dir " + (dir / "data").string() + " --config " + config + " run");
  EXPECT_NE(result.exit_code, 0);
  EXPECT_NE(result.err.find("in use by another macropipe process"), std::string::npos)
      << result.err;
}

// run, ingest and load with the landing zone in an S3 bucket (moto_server):
// the same answers as with the local folder, and nothing landed locally.
TEST(PipelineTest, LandsInS3Bucket) {
  MotoServer* server = MotoServer::Shared();
  if (server == nullptr) GTEST_SKIP() << MotoServer::MissingMessage();
  std::string bucket = server->CreateBucket(true);
  S3Options s3 = server->Options(bucket);
  ScopedEnvironment environment;
  environment.Set("AWS_ACCESS_KEY_ID", s3.credentials.access_key_id);
  environment.Set("AWS_SECRET_ACCESS_KEY", s3.credentials.secret_access_key);
  environment.Unset("AWS_SESSION_TOKEN");

  ScratchDir dir;
  std::string landing = "[landing]\nurl = \"s3://" + bucket + "/team/landing\"\nendpoint = \"" +
                        server->Endpoint() + "\"\nregion = \"us-east-1\"\n";
  std::string config = WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"), "", landing);
  std::string out = RunCommand(dir, config, "ingest");
  EXPECT_NE(out.find("5 objects landed"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir / "data/landing"));
  S3ObjectStore store(s3, {.prefix = "team/landing"});
  EXPECT_FALSE(store.List("").empty());

  out = RunCommand(dir, config, "load");
  EXPECT_NE(out.find("4 objects loaded (0 already loaded)"), std::string::npos) << out;
  config = WriteFredMdConfig(dir, FixturePath("fredmd/1959-06.csv"), "", landing);
  out = RunCommand(dir, config, "run");
  EXPECT_NE(out.find("9 inserted, 1 revised, 9 unchanged, 0 kept, 0 rejected"), std::string::npos)
      << out;
  EXPECT_EQ(Sql(dir,
                "SELECT value FROM latest_observations WHERE series_id = 'S&P 500' AND "
                "date = '1959-05-01'"),
            "value\n57.9\n");
}

TEST(PipelineTest, S3LandingErrorsAreClear) {
  ScratchDir dir;
  struct Case {
    std::string landing;
    std::string expected;
  };
  const Case cases[] = {
      {"landing = \"s3://\"\n", "name the bucket"},
      {"landing = \"ftp://host/x\"\n", "use s3://bucket/prefix"},
      {"[landing]\nurl = \"s3://b/p\"\naddressing = \"sideways\"\n", "\"path\" or \"virtual\""},
      {"[landing]\nurl = \"s3://b/p\"\nregon = \"x\"\n", "regon"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.landing);
    std::string config = WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"), "", c.landing);
    std::string out = RunCommand(dir, config, "ingest", 2);
    EXPECT_NE(out.find(c.expected), std::string::npos) << out;
    EXPECT_NE(out.find("pipeline.toml line"), std::string::npos) << out;
  }

  ScopedEnvironment environment;
  environment.Unset("AWS_ACCESS_KEY_ID");
  environment.Unset("AWS_SECRET_ACCESS_KEY");
  std::string config =
      WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"), "",
                        "[landing]\nurl = \"s3://b/p\"\nendpoint = \"http://127.0.0.1:9\"\n");
  CommandResult result =
      RunMacropipe("--data-dir " + (dir / "data").string() + " --config " + config + " ingest");
  EXPECT_NE(result.exit_code, 0);
  std::string out = result.out + result.err;
  EXPECT_NE(out.find("no S3 credentials for landing s3://b/p"), std::string::npos) << out;
}

TEST(PipelineTest, IngestAndLoadRunSeparately) {
  ScratchDir dir;
  std::string config = WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv"));
  std::string out = RunCommand(dir, config, "ingest");
  EXPECT_NE(out.find("5 objects landed"), std::string::npos) << out;
  EXPECT_FALSE(std::filesystem::exists(dir / "data/warehouse.db"));
  out = RunCommand(dir, config, "load");
  EXPECT_NE(out.find("4 objects loaded (0 already loaded)"), std::string::npos) << out;
  out = RunCommand(dir, config, "load");
  EXPECT_NE(out.find("0 objects loaded (4 already loaded)"), std::string::npos) << out;
}

TEST(PipelineTest, PostgresWarehouseAfterMigrate) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  ScratchDir dir;
  std::string fixture = FixturePath("fredmd/1959-05.csv");
  RunCommand(dir, WriteFredMdConfig(dir, fixture), "run");
  const std::string query =
      "SELECT series_id, date, value FROM latest_observations ORDER BY series_id, date";
  std::string expected = Sql(dir, query);
  EXPECT_GT(std::count(expected.begin(), expected.end(), '\n'), 10) << expected;

  PostgresTestDatabase database;
  std::string config =
      WriteFredMdConfig(dir, fixture, "", "warehouse = \"" + database.uri() + "\"\n");
  std::string migrated = RunCommand(dir, config, "warehouse migrate");
  EXPECT_NE(migrated.find("0 forecast runs"), std::string::npos) << migrated;

  std::string data = "--data-dir " + (dir / "data").string() + " --config " + config;
  CommandResult answer = RunMacropipe(data + " sql --format csv \"" + query + "\"");
  EXPECT_EQ(answer.exit_code, 0) << answer.err;
  EXPECT_EQ(answer.out, expected);
  CommandResult write = RunMacropipe(data + " sql \"DELETE FROM observations\"");
  EXPECT_NE(write.exit_code, 0);
  EXPECT_NE(write.err.find("read-only transaction"), std::string::npos) << write.err;
}

TEST(PipelineTest, QueryErrorsAreClear) {
  ScratchDir dir;
  CommandResult missing =
      RunMacropipe("--data-dir " + (dir / "none").string() + " sql \"SELECT 1\"");
  EXPECT_NE(missing.exit_code, 0);
  EXPECT_NE(missing.err.find("no warehouse in"), std::string::npos) << missing.err;

  RunCommand(dir, WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv")), "run");
  std::string data = " --data-dir " + (dir / "data").string();
  CommandResult write = RunMacropipe(data + " sql \"DELETE FROM observations\"");
  EXPECT_NE(write.exit_code, 0);
  EXPECT_NE(write.err.find("readonly"), std::string::npos) << write.err;
  CommandResult format = RunMacropipe(data + " sql --format xml \"SELECT 1\"");
  EXPECT_EQ(format.exit_code, 2);
  EXPECT_NE(format.err.find("'xml'"), std::string::npos) << format.err;
  CommandResult unknown = RunMacropipe(data + " series show NOPE");
  EXPECT_NE(unknown.exit_code, 0);
  EXPECT_NE(unknown.err.find("'NOPE' not found"), std::string::npos) << unknown.err;
  CommandResult as_of = RunMacropipe(data + " series show RPI --as-of 1959-13-01");
  EXPECT_EQ(as_of.exit_code, 2);
  EXPECT_NE(as_of.err.find("'1959-13-01'"), std::string::npos) << as_of.err;
}

TEST(PipelineTest, OutputFormatsKeepEveryValue) {
  ScratchDir dir;
  RunCommand(dir, WriteFredMdConfig(dir, FixturePath("fredmd/1959-05.csv")), "run");
  std::string data = " --data-dir " + (dir / "data").string();
  CommandResult json = RunMacropipe(
      data + " sql --format json \"SELECT 2 AS b, 1 AS a, 3 AS a, NULL AS n, x'00ff41' AS blob\"");
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"b\": 2,\n    \"a\": 1,\n    \"a_2\": 3,\n    \"n\": null"),
            std::string::npos)
      << json.out;
  CommandResult csv =
      RunMacropipe(data + " sql --format csv --max-rows 3 \"SELECT * FROM observations\"");
  EXPECT_EQ(csv.exit_code, 0);
  EXPECT_NE(csv.err.find("output truncated at 3 rows"), std::string::npos) << csv.err;
  CommandResult quoted = RunMacropipe(data + " sql --format csv \"SELECT 'a,b' AS x\"");
  EXPECT_EQ(quoted.out, "x\n\"a,b\"\n");
}

TEST(PipelineTest, NothingToDoIsAnError) {
  ScratchDir dir;
  std::string empty = (dir / "empty.toml").string();
  WriteText(empty, "data_dir = \"x\"\n");
  CommandResult no_sources =
      RunMacropipe("--data-dir " + (dir / "data").string() + " --config " + empty + " run");
  EXPECT_EQ(no_sources.exit_code, 2);
  EXPECT_NE(no_sources.err.find("no [[sources]]"), std::string::npos) << no_sources.err;
  CommandResult folder = RunMacropipe("--config " + dir.path().string() + " run");
  EXPECT_EQ(folder.exit_code, 2);
  EXPECT_NE(folder.err.find("is a folder"), std::string::npos) << folder.err;
  CommandResult load = RunMacropipe("--data-dir " + (dir / "typo").string() + " load");
  EXPECT_NE(load.exit_code, 0);
  EXPECT_NE(load.err.find("nothing landed in"), std::string::npos) << load.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "typo"));
}

TEST(PipelineTest, FailedRunCreatesNoWarehouse) {
  ScratchDir dir;
  std::string bad = (dir / "bad/2025-03.csv").string();
  WriteText(bad, "sasdate,A\nTransform:,5\n1/1/2020,x\n");
  CommandResult result = RunMacropipe("--data-dir " + (dir / "data").string() + " --config " +
                                      WriteFredMdConfig(dir, bad) + " run");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out.find("load:"), std::string::npos) << result.out;
  EXPECT_FALSE(std::filesystem::exists(dir / "data/warehouse.db"));
}

TEST(PipelineTest, SameContentAsOlderVintageLandsAgain) {
  ScratchDir dir;
  std::string path = FixturePath("fredmd/1959-05.csv");
  RunCommand(dir, WriteFredMdConfig(dir, path, "vintage = \"1959-06\"\n"), "run");
  std::string out = RunCommand(dir, WriteFredMdConfig(dir, path, "vintage = \"1959-05\"\n"), "run");
  EXPECT_NE(out.find("14 unchanged"), std::string::npos) << out;
  EXPECT_EQ(Sql(dir,
                "SELECT count(*) FROM observation_history WHERE realtime_start <= "
                "'1959-05-15' AND realtime_end >= '1959-05-15'"),
            "count(*)\n14\n");
}

TEST(PipelineTest, UsageErrorsExitWithTwo) {
  for (const char* arguments : {"", "fetch", "sql", "sql \"SELECT 1\" extra", "--config",
                                "sql --max-rows 0 \"SELECT 1\""}) {
    SCOPED_TRACE(arguments);
    EXPECT_EQ(RunMacropipe(arguments).exit_code, 2);
  }
}

TEST(PipelineTest, EveryCommandHasHelp) {
  for (const char* command :
       {"", "run", "ingest", "load", "sql", "series", "series list", "series show", "forecast"}) {
    SCOPED_TRACE(command);
    CommandResult result = RunMacropipe(std::string(command) + " --help");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << result.out;
  }
}

// One recorded exchange for a replay.json index.
nlohmann::json Recording(const std::string& uri, const std::string& body, int status = 200,
                         const nlohmann::json& headers = nlohmann::json::object()) {
  nlohmann::json response = {{"status", status}, {"headers", headers}, {"body", body}};
  if (!response["headers"].contains("Content-Type")) {
    response["headers"]["Content-Type"] = "application/json; charset=UTF-8";
  }
  return {{"request", {{"uri", uri}}}, {"response", response}};
}

// Recordings of FRED's `series` and `series/observations` for `id`, from the
// project's CPIAUCNS fixtures: observations in two pages when `page_size` is 3,
// in one page otherwise.
std::vector<nlohmann::json> FredRecordings(const std::string& id, int page_size) {
  std::string query = "series_id=" + id + "&file_type=json&limit=" + std::to_string(page_size);
  std::vector<nlohmann::json> recordings = {
      Recording("/fred/series?series_id=" + id + "&file_type=json",
                ReadText(FixturePath("fred/series_cpiaucns.json")))};
  if (page_size == 3) {
    recordings.push_back(Recording("/fred/series/observations?" + query + "&offset=0",
                                   ReadText(FixturePath("fred/observations_page_0.json"))));
    recordings.push_back(Recording("/fred/series/observations?" + query + "&offset=3",
                                   ReadText(FixturePath("fred/observations_page_3.json"))));
  } else {
    recordings.push_back(Recording("/fred/series/observations?" + query + "&offset=0",
                                   ReadText(FixturePath("fred/observations_cpiaucns.json"))));
  }
  return recordings;
}

void WriteRecordings(const std::filesystem::path& dir, const std::vector<nlohmann::json>& list) {
  WriteText(dir / "replay.json", nlohmann::json({{"recordings", list}}).dump(1));
}

// The rows of every series in the warehouse's latest observations, as
// "date=value;..." by series id.
std::map<std::string, std::string> LatestRows(const ScratchDir& dir) {
  std::map<std::string, std::string> rows;
  std::stringstream in(Sql(dir,
                           "SELECT series_id, date, value FROM latest_observations "
                           "ORDER BY series_id, date"));
  std::string line;
  std::getline(in, line);  // Header.
  while (std::getline(in, line)) {
    size_t first = line.find(',');
    size_t second = line.find(',', first + 1);
    rows[line.substr(0, first)] +=
        line.substr(first + 1, second - first - 1) + "=" + line.substr(second + 1) + ";";
  }
  return rows;
}

// The error line that `macropipe run` prints for a failed series, or "".
std::string SeriesFailureLine(const std::string& err, const std::string& series) {
  std::string prefix = "error: series " + series + " failed: ";
  size_t at = err.find(prefix);
  if (at == std::string::npos) return "";
  return err.substr(at, err.find('\n', at) - at);
}

// Every file under `root` whose bytes contain `text`.
std::vector<std::string> FilesContaining(const std::filesystem::path& root,
                                         const std::string& text) {
  std::vector<std::string> found;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file()) continue;
    if (ReadText(entry.path()).find(text) != std::string::npos) {
      found.push_back(entry.path().string());
    }
  }
  return found;
}

struct FaultCase {
  std::string series;
  std::string fault;    // A fault for the series' requests, as JSON; empty for none.
  std::string failure;  // Part of the series' failure message; empty when it must load.
};

TEST(PipelineTest, FaultyRunEndsEverySeriesLoadedOrFailed) {
  const std::vector<FaultCase> cases = {
      {"F02", R"({"kind": "status", "status": 500, "count": 2})", ""},
      {"F03", R"({"kind": "slow", "delay_ms": 1500})", ""},
      {"F04", R"({"kind": "truncate"})", ""},
      {"F05", R"({"kind": "reset"})", ""},
      {"F06", R"({"kind": "empty"})", ""},
      {"F07", R"({"kind": "status", "status": 429, "headers": {"Retry-After": "1"}})", ""},
      {"F08", R"({"kind": "throttle"})", "the member 'seriess' is missing"},
      {"F09", R"({"kind": "html"})", "the body is not valid JSON"},
      {"F10", R"({"kind": "html", "status": 503, "count": 3})", "gave up after 3 attempts"},
      {"F11", R"({"kind": "status", "status": 500, "count": 3})", "gave up after 3 attempts"},
      {"F12", "", "HTTP 404"},
      {"F13", "", "The series does not exist."},
      {"F14", R"({"kind": "truncate", "path": "/fred/series/observations"})", ""},
      {"F15", R"({"kind": "throttle", "path": "/fred/series/observations"})",
       "the member 'count' is missing"},
  };
  ScratchDir dir;
  std::vector<std::string> ids;
  std::vector<nlohmann::json> recordings;
  for (int i = 1; i <= 45; ++i) {
    std::string id = (i < 10 ? "F0" : "F") + std::to_string(i);
    ids.push_back(id);
    if (id == "F12") continue;  // No recording: the server returns 404.
    if (id == "F13") {
      recordings.push_back(Recording(
          "/fred/series?series_id=F13&file_type=json",
          R"({"error_code":400,"error_message":"Bad Request.  The series does not exist."})", 400));
      continue;
    }
    for (nlohmann::json& recording : FredRecordings(id, 3)) recordings.push_back(recording);
  }
  recordings.push_back(
      Recording("/query?function=TIME_SERIES_MONTHLY&symbol=VOO",
                ReadText(FixturePath("alphavantage/time_series_monthly_voo.json"))));
  for (const char* symbol : {"XLP", "XLB"}) {
    recordings.push_back(
        Recording(std::string("/query?function=TIME_SERIES_MONTHLY&symbol=") + symbol,
                  ReadText(FixturePath("alphavantage/time_series_monthly_voo.json"))));
  }
  WriteRecordings(dir / "replay", recordings);

  std::vector<std::string> faults;
  for (const FaultCase& c : cases) {
    if (c.fault.empty()) continue;
    nlohmann::json fault = nlohmann::json::parse(c.fault);
    fault["parameter"] = "series_id=" + c.series;
    faults.push_back("--fault=" + fault.dump());
  }
  // An AlphaVantage throttle note with HTTP 200 is retried; an HTML page is not data.
  faults.push_back(R"(--fault={"kind": "throttle", "parameter": "symbol=VOO"})");
  faults.push_back(R"(--fault={"kind": "html", "parameter": "symbol=XLP"})");
  std::vector<std::string> arguments = {"--rate-limit", "50"};
  arguments.insert(arguments.end(), faults.begin(), faults.end());
  ReplayServer server(dir / "replay", arguments);

  const std::string fast =
      "requests_per_second = 50\nmax_attempts = 3\nretry_delay_seconds = 0.05\n"
      "max_retry_delay_seconds = 0.2\ntimeout_seconds = 0.5\n";
  std::string config = (dir / "pipeline.toml").string();
  WriteText(config, "[pools]\nav_daily = 1\n[[sources]]\ntype = \"fred\"\nbase_url = \"" +
                        server.Url("/fred") + "\"\nseries = " + nlohmann::json(ids).dump() +
                        "\npage_size = 3\nrequests_per_minute = 3000\n" + fast +
                        "[[sources]]\ntype = \"alphavantage\"\nbase_url = \"" +
                        server.Url("/query") + "\"\nsymbols = [\"VOO\", \"XLP\"]\n" + fast +
                        // A quota of one request a day: the second symbol waits for the
                        // next day. A pool of one slot runs the symbols' tasks in order.
                        "[[sources]]\nname = \"av-daily\"\ntype = \"alphavantage\"\nbase_url = \"" +
                        server.Url("/query") + "\"\nsymbols = [\"XLB\", \"VOO\"]\n" + fast +
                        "requests_per_day = 1\npool = \"av_daily\"\n");
  CommandResult run =
      RunMacropipe("--data-dir " + (dir / "data").string() + " --config " + config + " run",
                   {{"FRED_API_KEY", "0123456789abcdef0123456789abcdef"},
                    {"ALPHAVANTAGE_API_KEY", "DEMOKEY123"}});
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;

  const std::string expected_rows =
      "2024-08-01=314.796;2024-10-01=315.664;2024-11-01=315.493;2024-12-01=315.605;";
  std::map<std::string, std::string> rows = LatestRows(dir);
  std::map<std::string, std::string> failures;
  for (const FaultCase& c : cases) failures[c.series] = c.failure;
  for (const std::string& id : ids) {
    SCOPED_TRACE(id);
    std::string line = SeriesFailureLine(run.err, "fred/" + id);
    if (failures[id].empty()) {
      EXPECT_EQ(line, "");
      EXPECT_EQ(rows[id], expected_rows);
    } else {
      EXPECT_NE(line.find(failures[id]), std::string::npos) << line << "\n" << run.err;
      EXPECT_EQ(rows.count(id), 0u) << rows[id];
    }
  }
  EXPECT_EQ(SeriesFailureLine(run.err, "alphavantage/VOO"), "");
  EXPECT_NE(rows["VOO.close"], "");
  EXPECT_NE(SeriesFailureLine(run.err, "alphavantage/XLP").find("the body is not a JSON object"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(rows.count("XLP.close"), 0u);
  EXPECT_NE(rows["XLB.close"], "");
  std::string deferred = "warning: series av-daily/VOO deferred: ";
  size_t at = run.err.find(deferred);
  ASSERT_NE(at, std::string::npos) << run.err;
  EXPECT_NE(run.err.substr(at, run.err.find('\n', at) - at).find("quota of 1 requests per day"),
            std::string::npos)
      << run.err;
  EXPECT_EQ(rows.size(), 45u - 7u + 4u) << "38 FRED series and the close and volume of VOO, XLB";

  // No error body was landed, so none could reach the warehouse.
  for (const char* error_text :
       {"throttle note", "HTML error page", "injected fault", "whole length", "does not exist"}) {
    EXPECT_EQ(FilesContaining(dir / "data/landing", error_text), std::vector<std::string>{})
        << error_text;
  }
  nlohmann::json stats = server.Stats();
  EXPECT_EQ(stats["rate_violations"], 0) << stats.dump();
  int injected = 0;
  for (const auto& [kind, count] : stats["faults_injected"].items()) injected += count.get<int>();
  EXPECT_EQ(injected, 19) << stats.dump();
}

// The names of every table and view in the warehouse.
std::vector<std::string> WarehouseTables(const ScratchDir& dir) {
  std::stringstream in(Sql(dir, "SELECT name FROM sqlite_master WHERE type IN ('table', 'view')"));
  std::vector<std::string> names;
  std::string line;
  std::getline(in, line);  // Header.
  while (std::getline(in, line)) names.push_back(line);
  return names;
}

TEST(PipelineTest, NoKeyReachesAnyOutput) {
  const std::map<std::string, std::string> keys = {
      {"FRED_API_KEY", "fredkey0123456789abcdef01234567"},
      {"ALPHAVANTAGE_API_KEY", "AVKEY0123456789X"},
      {"CENSUS_API_KEY", "censuskey0123456789abcdef0123456789abcdef"},
  };
  const std::string& fred_key = keys.at("FRED_API_KEY");
  const std::string& census_key = keys.at("CENSUS_API_KEY");
  ScratchDir dir;
  std::vector<nlohmann::json> recordings = FredRecordings("CPIAUCNS", 100000);
  // A metadata body that echoes the key in its notes.
  std::string echoing = ReadText(FixturePath("fred/series_cpiaucns.json"));
  echoing.replace(echoing.find("Handbook of Methods"), 19,
                  "Requested with api_key=" + fred_key + "; Handbook of Methods");
  recordings[0]["response"]["body"] = echoing;
  // A 4xx whose body quotes the key.
  recordings.push_back(Recording(
      "/fred/series?series_id=ECHO&file_type=json",
      R"({"error_code":400,"error_message":"Bad Request. The series does not exist (key )" +
          fred_key + R"()."})",
      400));
  // Redirects whose Location carries the key, in the query and in the path.
  recordings.push_back(Recording(
      "/fred/series?series_id=MOVED&file_type=json", "", 302,
      {{"Location", "/fred/series?series_id=CPIAUCNS&file_type=json&api_key=" + fred_key}}));
  recordings.push_back(Recording(
      "/fred/series/observations?series_id=MOVED&file_type=json&limit=100000&offset=0", "", 301,
      {{"Location", "/moved/" + fred_key +
                        "/observations?series_id=CPIAUCNS&file_type=json&limit=100000&offset=0"}}));
  recordings.push_back(Recording("/moved/" + fred_key +
                                     "/observations?series_id=CPIAUCNS&file_type=json&"
                                     "limit=100000&offset=0",
                                 ReadText(FixturePath("fred/observations_cpiaucns.json"))));
  recordings.push_back(
      Recording("/query?function=TIME_SERIES_MONTHLY&symbol=VOO",
                ReadText(FixturePath("alphavantage/time_series_monthly_voo.json"))));
  recordings.push_back(Recording(
      "/query?function=TIME_SERIES_MONTHLY&symbol=BAD",
      R"({"Error Message": "Invalid API call for key )" + keys.at("ALPHAVANTAGE_API_KEY") +
          R"(. Please retry or visit the documentation for TIME_SERIES_MONTHLY."})"));
  const std::string census_query =
      "?get=cell_value,time_slot_id&category_code&data_type_code&seasonally_adj=yes&for=us&"
      "time=from+1992";
  recordings.push_back(Recording("/eits/advm3" + census_query,
                                 ReadText(FixturePath("census/advm3_unordered.json"))));
  recordings.push_back(Recording("/eits/nope" + census_query,
                                 "error: unknown dataset 'nope' for key " + census_key + "\n", 400,
                                 {{"Content-Type", "text/plain"}}));
  WriteRecordings(dir / "replay", recordings);
  ReplayServer server(dir / "replay");

  const std::string fast =
      "requests_per_second = 50\nmax_attempts = 2\nretry_delay_seconds = 0.05\n";
  std::string config = (dir / "pipeline.toml").string();
  WriteText(config,
            "[[sources]]\ntype = \"fred\"\nbase_url = \"" + server.Url("/fred") +
                "\"\nseries = [\"CPIAUCNS\", \"ECHO\", \"MOVED\"]\nrequests_per_minute = 3000\n" +
                fast + "[[sources]]\ntype = \"alphavantage\"\nbase_url = \"" +
                server.Url("/query") + "\"\nsymbols = [\"VOO\", \"BAD\"]\n" + fast +
                "[[sources]]\ntype = \"census\"\nbase_url = \"" + server.Url("/eits") + "\"\n" +
                fast +
                "[[sources.series]]\nid = \"sup_val\"\ndataset = \"advm3\"\n"
                "category_code = \"MTM\"\ndata_type_code = \"VS\"\nseasonally_adj = \"yes\"\n"
                "[[sources.series]]\nid = \"missing\"\ndataset = \"nope\"\n"
                "category_code = \"MTM\"\ndata_type_code = \"VS\"\nseasonally_adj = \"yes\"\n");
  std::string data = " --data-dir " + (dir / "data").string();
  CommandResult run =
      RunMacropipe("--log-level trace" + data + " --config " + config + " run", keys);
  EXPECT_EQ(run.exit_code, 1) << run.out << run.err;

  // Each failure path ran: the key-echoing bodies, the redirects and the 4xx.
  EXPECT_NE(SeriesFailureLine(run.err, "fred/ECHO").find("REDACTED"), std::string::npos) << run.err;
  EXPECT_NE(SeriesFailureLine(run.err, "alphavantage/BAD").find("REDACTED"), std::string::npos)
      << run.err;
  EXPECT_NE(SeriesFailureLine(run.err, "census/missing").find("REDACTED"), std::string::npos)
      << run.err;
  std::map<std::string, std::string> rows = LatestRows(dir);
  for (const char* loaded : {"CPIAUCNS", "MOVED", "VOO.close", "sup_val"}) {
    EXPECT_NE(rows[loaded], "") << loaded;
  }
  EXPECT_NE(Sql(dir, "SELECT notes FROM series WHERE series_id = 'CPIAUCNS'").find("REDACTED"),
            std::string::npos);

  std::string outputs = run.out + run.err;
  for (const std::string& table : WarehouseTables(dir)) {
    CommandResult dump =
        RunMacropipe(data + " sql --format csv --max-rows 1000000 \"SELECT * FROM " + table + "\"");
    EXPECT_EQ(dump.exit_code, 0) << table << dump.err;
    outputs += dump.out + dump.err;
  }
  CommandResult list = RunMacropipe(data + " series list --format csv");
  outputs += list.out + list.err;
  for (const auto& [name, key] : keys) {
    SCOPED_TRACE(name);
    EXPECT_EQ(outputs.find(key), std::string::npos) << outputs;
    // Raw bytes of the landing objects, manifests, state files and the database.
    EXPECT_EQ(FilesContaining(dir / "data", key), std::vector<std::string>{});
  }
}

TEST(PipelineTest, ExampleConfigRunsAgainstReplayServer) {
  ScratchDir dir;
  ReplayServer server(FixturePath("replay/example"), {"--rate-limit", "50"});
  CommandResult run = RunMacropipe("--data-dir " + (dir / "data").string() + " --config " +
                                       MACROPIPE_SOURCE_DIR + "/examples/pipeline.toml run",
                                   {{"MACROPIPE_HTTP_ORIGIN", server.Url("")},
                                    {"FRED_API_KEY", "0123456789abcdef0123456789abcdef"},
                                    {"ALPHAVANTAGE_API_KEY", "DEMOKEY123"},
                                    {"CENSUS_API_KEY", "censuskey0123456789"}});
  EXPECT_EQ(run.exit_code, 0) << run.out << run.err;

  // Every source of the example landed and loaded every series it has
  // recordings for. EDGAR has recordings for two of its ten requests; the
  // others return 404, which EDGAR sends for a concept a company never reported.
  EXPECT_EQ(Sql(dir,
                "SELECT source, count(DISTINCT series_key) FROM series JOIN observations "
                "USING (series_key) GROUP BY source ORDER BY source"),
            "source,count(DISTINCT series_key)\nalfred,1\nalphavantage,10\ncensus,3\n"
            "census-business,2\nedgar,6\nfred,13\nfred-md,4\n");
  EXPECT_NE(run.out.find(": success, "), std::string::npos) << run.out;
  EXPECT_EQ(run.err.find("error: "), std::string::npos) << run.err;
  EXPECT_EQ(run.err.find("deferred: "), std::string::npos) << run.err;
  nlohmann::json stats = server.Stats();
  EXPECT_EQ(stats["rate_violations"], 0) << stats.dump();
}

// Returns the cells of the Markdown table titled `title` in the report's
// section of `window`, keyed by "model horizon".
std::map<std::string, std::string> ReportTable(const std::string& report, const std::string& window,
                                               const std::string& title) {
  size_t section = report.find("\n## " + window + ":");
  size_t table = report.find(title, section);
  std::map<std::string, std::string> cells;
  if (section == std::string::npos || table == std::string::npos) return cells;
  std::istringstream lines(report.substr(table));
  std::string line;
  std::getline(lines, line);  // The title.
  std::getline(lines, line);  // A blank line.
  std::vector<std::string> columns;
  while (std::getline(lines, line) && line.rfind("|", 0) == 0) {
    if (line.rfind("|---", 0) == 0) continue;  // The alignment row.
    std::vector<std::string> fields;
    std::istringstream row(line.substr(1));
    for (std::string field; std::getline(row, field, '|');) {
      fields.push_back(field.substr(1, field.size() - 2));  // Without the padding spaces.
    }
    if (columns.empty()) {
      columns = fields;
      continue;
    }
    for (size_t i = 1; i < fields.size(); ++i) cells[fields[0] + " " + columns[i]] = fields[i];
  }
  return cells;
}

TEST(PipelineTest, BacktestStoresReportedRatios) {
  ScratchDir dir;
  std::string config =
      WriteFredMdConfig(dir, FixturePath("forecast/fredmd-2007-12.csv"), "vintage = \"2008-01\"\n");
  RunCommand(dir, config, "run");
  std::string report_path = (dir / "report.md").string();
  CommandResult result = RunMacropipe(
      "--data-dir " + (dir / "data").string() +
      " backtest --models rw,ao12,ar4 --windows 2005-01:2006-06,2006-07:end --window-months 36 "
      "--threads 1 --output " +
      report_path);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("stored as backtest run 1"), std::string::npos) << result.err;

  EXPECT_EQ(Sql(dir,
                "SELECT source, target_id, data_vintage, panel_first, panel_last, models, "
                "windows FROM backtest_runs"),
            "source,target_id,data_vintage,panel_first,panel_last,models,windows\n"
            "fred-md,CPIAUCSL,2008-01-01,2000-02-01,2007-12-01,\"rw,ao12,ar4\","
            "\"2005-2006,2006-end\"\n");
  // Two windows of three models at horizons 1 to 12 and accumulated 3, 6 and 12.
  EXPECT_EQ(Sql(dir, "SELECT count(*) FROM backtest_scores"), "count(*)\n90\n");
  EXPECT_EQ(Sql(dir, "SELECT count(*) FROM backtest_scores WHERE model = 'rw' AND rmse_ratio = 1"),
            "count(*)\n30\n");

  // Every stored RMSE ratio, rounded as the report rounds it, is the report's.
  std::string report = ReadText(report_path);
  for (const char* window : {"2005-2006", "2006-end"}) {
    SCOPED_TRACE(window);
    std::map<std::string, std::string> table =
        ReportTable(report, window, "RMSE ratio to the random walk");
    EXPECT_EQ(table.size(), 45u);
    std::istringstream rows(Sql(dir,
                                "SELECT model, horizon, rmse_ratio FROM backtest_scores WHERE "
                                "window_label = '" +
                                    std::string(window) + "' ORDER BY position"));
    std::string row;
    std::getline(rows, row);  // The header.
    int compared = 0;
    while (std::getline(rows, row)) {
      std::vector<std::string> fields;
      std::istringstream cells(row);
      for (std::string field; std::getline(cells, field, ',');) fields.push_back(field);
      ASSERT_EQ(fields.size(), 3u) << row;
      char rounded[32];
      std::snprintf(rounded, sizeof rounded, "%.3f", std::stod(fields[2]));
      EXPECT_EQ(table[fields[0] + " " + fields[1]], rounded) << row;
      ++compared;
    }
    EXPECT_EQ(compared, 45);
  }
}

TEST(PipelineTest, BacktestStoresInPostgresWarehouse) {
  if (!TestPostgresUri()) GTEST_SKIP() << PostgresServerMissing();
  ScratchDir dir;
  PostgresTestDatabase database;
  std::string config =
      WriteFredMdConfig(dir, FixturePath("forecast/fredmd-2007-12.csv"), "vintage = \"2008-01\"\n",
                        "warehouse = \"" + database.uri() + "\"\n");
  RunCommand(dir, config, "run");
  std::string data = "--data-dir " + (dir / "data").string() + " --config " + config;
  CommandResult result = RunMacropipe(
      data + " backtest --models rw,ao12,ar4 --windows 2006-07:end --window-months 36 --threads 1");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.err.find("stored as backtest run 1"), std::string::npos) << result.err;

  CommandResult scores = RunMacropipe(data +
                                      " sql --format csv \"SELECT window_label, count(*) AS n "
                                      "FROM backtest_scores GROUP BY window_label\"");
  EXPECT_EQ(scores.exit_code, 0) << scores.err;
  EXPECT_EQ(scores.out, "window_label,n\n2006-end,45\n");
}

// A [forecast] table with a TFT small enough to fit in seconds.
constexpr char kTinyForecast[] =
    "\n[forecast]\nseed = 3\nencoder_length = 6\nhidden_size = 4\nattention_heads = 1\n"
    "max_epochs = 2\nensemble_size = 1\nthreads = 1\n";

TEST(PipelineTest, ForecastStoresRunAndCharts) {
  ScratchDir dir;
  std::string config = WriteFredMdConfig(dir, FixturePath("forecast/fredmd-2007-12.csv"),
                                         std::string("vintage = \"2008-01\"\n") + kTinyForecast);
  std::string data = "--data-dir " + (dir / "data").string() + " --config " + config;
  std::string forecast = "--log-level warn " + data + " forecast";
  if (!MACROPIPE_HAS_FORECASTING) {
    // The run lands and loads, and logs why it does not forecast.
    CommandResult run = RunMacropipe(data + " run");
    EXPECT_EQ(run.exit_code, 0) << run.out << run.err;
    EXPECT_NE(run.err.find("asks for a forecast ([forecast]), but this build has no forecasting"),
              std::string::npos)
        << run.err;
    CommandResult result = RunMacropipe(forecast);
    EXPECT_EQ(result.exit_code, 1);
    EXPECT_NE(result.err.find("has no forecasting"), std::string::npos) << result.err;
    EXPECT_NE(result.err.find("-DMACROPIPE_WITH_TORCH=ON"), std::string::npos) << result.err;
    return;
  }
  // The run's last task forecasts from what the load stored.
  CommandResult run = RunMacropipe(data + " run");
  ASSERT_EQ(run.exit_code, 0) << run.out << run.err;
  EXPECT_NE(run.out.find(": success, 3 of 3 succeeded"), std::string::npos) << run.out;
  EXPECT_EQ(Sql(dir, "SELECT run_id FROM forecast_runs"), "run_id\n1\n");

  CommandResult result = RunMacropipe(forecast + " --retrain");
  ASSERT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_NE(result.out.find("Forecast run 2: CPIAUCSL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("new fit"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("     12  2008-12"), std::string::npos) << result.out;
  EXPECT_EQ(Sql(dir,
                "SELECT count(*), min(horizon), max(horizon) FROM forecast_quantiles "
                "WHERE run_id = 2"),
            "count(*),min(horizon),max(horizon)\n12,1,12\n");
  EXPECT_EQ(Sql(dir,
                "SELECT group_concat(months, ' ') AS months FROM forecast_accumulated "
                "WHERE run_id = 2"),
            "months\n3 6 12\n");
  EXPECT_EQ(Sql(dir, "SELECT data_vintage, origin_month FROM forecast_runs WHERE run_id = 2"),
            "data_vintage,origin_month\n2008-01-01,2007-12-01\n");
  for (const char* chart : {"run-2-fan.svg", "run-2-importance.svg"}) {
    SCOPED_TRACE(chart);
    EXPECT_EQ(XmlProblem(ReadText(dir / "data" / "forecasts" / chart)), "");
  }

  // A second run forecasts from the saved model.
  result = RunMacropipe(forecast);
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("Forecast run 3: CPIAUCSL"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("saved model"), std::string::npos) << result.out;
}

TEST(PipelineTest, ForecastConfigErrorsNameLine) {
  ScratchDir dir;
  std::string config = WriteFredMdConfig(dir, FixturePath("forecast/fredmd-2007-12.csv"),
                                         "\n[forecast]\nseed = 3\nhiden_size = 4\n");
  std::string data = "--data-dir " + (dir / "data").string() + " --config " + config;
  // The run checks the forecast task's settings before any task starts.
  CommandResult run = RunMacropipe(data + " run");
  EXPECT_EQ(run.exit_code, 2);
  EXPECT_NE(run.err.find("unknown key 'hiden_size' in [forecast]"), std::string::npos) << run.err;
  EXPECT_NE(run.err.find("pipeline.toml line 7"), std::string::npos) << run.err;
  EXPECT_FALSE(std::filesystem::exists(dir / "data" / "landing")) << "the run fetched";
  if (!MACROPIPE_HAS_FORECASTING) return;

  CommandResult result = RunMacropipe(data + " forecast");
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("unknown key 'hiden_size' in [forecast]"), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("pipeline.toml line 7"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace macropipe::testing
