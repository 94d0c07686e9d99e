// FRED-style recordings and configs for end-to-end tests of DAG runs against
// a replay server: `count` series S000, S001, ..., twelve months each.
//
//   ReplayServer server(WriteFredRecordings(dir, 3), {"--rate-limit", "20"});
//   std::string config = WriteFredConfig(dir, server, 3);
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "replay_server.h"
#include "test_support.h"

namespace macropipe::testing {

// The id of the series number `index`: S000, S001, ...
std::string FredSeriesId(int index);

// Writes a replay.json that serves FRED observations of `count` series, one
// page per series, and returns its folder.
std::filesystem::path WriteFredRecordings(const ScratchDir& dir, int count);

// The [pools] and [[sources]] tables of a config fetching `count` series
// from `server` at 20 requests per second through a pool of 4 slots.
std::string FredConfigTables(const ReplayServer& server, int count);

// Writes `dir/pipeline.toml` with FredConfigTables and `extra` appended to
// the source's table; returns its path.
std::string WriteFredConfig(const ScratchDir& dir, const ReplayServer& server, int count,
                            const std::string& extra = "");

// The arguments of a macropipe command with warnings only, `data_dir` and
// `config`, for RunMacropipe.
std::string DagCommand(const std::filesystem::path& data_dir, const std::string& config,
                       const std::string& command);

// Requests the replay server received for each series, by series id.
std::map<std::string, int> RequestsBySeries(ReplayServer& server);

}  // namespace macropipe::testing
