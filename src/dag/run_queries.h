// Read access to recorded runs for the command line: a try's log, with the
// latest try by default.
//
//   std::string log = ReadTryLog(data_dir, store, "manual__2024-05-01T00:00:00Z", "load", {});
//
// Plain functions; as thread-safe as the StateStore they are given.
#pragma once

#include <filesystem>
#include <optional>
#include <string>

#include "dag/state_store.h"

namespace macropipe::dag {

// Returns the text of try `try_number` of a task, or of its latest try when
// nullopt. Throws Error(kNotFound) naming the run, the task or the try, and
// saying which tries exist.
std::string ReadTryLog(const std::filesystem::path& data_dir, StateStore& store,
                       const std::string& run_id, const std::string& task_id,
                       std::optional<int> try_number);

}  // namespace macropipe::dag
