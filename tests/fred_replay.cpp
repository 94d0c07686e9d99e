#include "fred_replay.h"

#include <fmt/format.h>

#include <nlohmann/json.hpp>

namespace macropipe::testing {

std::string FredSeriesId(int index) { return fmt::format("S{:03}", index); }

std::filesystem::path WriteFredRecordings(const ScratchDir& dir, int count) {
  nlohmann::json recordings = nlohmann::json::array();
  for (int i = 0; i < count; ++i) {
    nlohmann::json observations = nlohmann::json::array();
    for (int month = 1; month <= 12; ++month) {
      observations.push_back({{"realtime_start", "2025-02-14"},
                              {"realtime_end", "2025-02-14"},
                              {"date", fmt::format("2024-{:02}-01", month)},
                              {"value", fmt::format("{}.{}", 100 + i, month)}});
    }
    nlohmann::json body = {{"realtime_start", "2025-02-14"},
                           {"realtime_end", "2025-02-14"},
                           {"count", 12},
                           {"offset", 0},
                           {"limit", 100000},
                           {"observations", observations}};
    recordings.push_back({{"request",
                           {{"uri", "/fred/series/observations?series_id=" + FredSeriesId(i) +
                                        "&file_type=json&limit=100000&offset=0"}}},
                          {"response",
                           {{"status", 200},
                            {"headers", {{"Content-Type", "application/json"}}},
                            {"body", body.dump()}}}});
  }
  std::filesystem::path folder = dir / "replay";
  WriteText(folder / "replay.json", nlohmann::json{{"recordings", recordings}}.dump());
  return folder;
}

std::string FredConfigTables(const ReplayServer& server, int count) {
  std::string series;
  for (int i = 0; i < count; ++i) series += (i ? ", \"" : "\"") + FredSeriesId(i) + "\"";
  return "[pools]\ningest = 4\n\n[[sources]]\nname = \"fred\"\ntype = \"fred\"\nurl = \"" +
         server.Url("/fred") + "\"\nmetadata = false\nrequests_per_second = 20\n" +
         "pool = \"ingest\"\nseries = [" + series + "]\n";
}

std::string WriteFredConfig(const ScratchDir& dir, const ReplayServer& server, int count,
                            const std::string& extra) {
  std::string path = (dir / "pipeline.toml").string();
  WriteText(path, FredConfigTables(server, count) + extra);
  return path;
}

std::string DagCommand(const std::filesystem::path& data_dir, const std::string& config,
                       const std::string& command) {
  return "--log-level warn --data-dir " + data_dir.string() + " --config " + config + " " + command;
}

std::map<std::string, int> RequestsBySeries(ReplayServer& server) {
  std::map<std::string, int> counts;
  nlohmann::json stats = server.Stats();
  for (const auto& item : stats["requests_by_key"].items()) {
    size_t at = item.key().find("series_id=");
    if (at == std::string::npos) continue;
    counts[item.key().substr(at + 10, 4)] += item.value().get<int>();
  }
  return counts;
}

}  // namespace macropipe::testing
