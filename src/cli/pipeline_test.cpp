// End-to-end tests of the macropipe binary: run, ingest, load, sql and series
// on FRED-MD files, and every kind of bad input.
#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <sstream>

#include "core/files.h"
#include "sources/fredmd.h"
#include "test_support.h"

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

// Writes a config with one FRED-MD source reading `path`; returns the config path.
std::string WriteFredMdConfig(const ScratchDir& dir, const std::string& path,
                              const std::string& extra = "") {
  std::string config = (dir / "pipeline.toml").string();
  WriteText(config, "[[sources]]\ntype = \"fred-md\"\nurl = \"file://" + path + "\"\n" + extra);
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

// Every file under `root` with its size and modification time, to prove a
// failed command left the data directory as it was.
std::map<std::string, std::string> Snapshot(const std::filesystem::path& root) {
  std::map<std::string, std::string> files;
  if (!std::filesystem::exists(root)) return files;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) {
    if (!entry.is_regular_file() || entry.path().filename() == ".lock") continue;
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
       {"", "run", "ingest", "load", "sql", "series", "series list", "series show"}) {
    SCOPED_TRACE(command);
    CommandResult result = RunMacropipe(std::string(command) + " --help");
    EXPECT_EQ(result.exit_code, 0);
    EXPECT_NE(result.out.find("Usage:"), std::string::npos) << result.out;
  }
}

}  // namespace
}  // namespace macropipe::testing
