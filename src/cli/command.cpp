#include "cli/command.h"

#include "core/error.h"

namespace macropipe {

constexpr char kDefaultDataDir[] = "macropipe-data";

Config LoadConfigOrDefault(const GlobalOptions& options) {
  return options.config_path.empty() ? Config::Default() : Config::LoadFile(options.config_path);
}

Config LoadConfigOrEmpty(const GlobalOptions& options) {
  return options.config_path.empty() ? Config{} : Config::LoadFile(options.config_path);
}

std::filesystem::path DataDir(const GlobalOptions& options, const Config& config) {
  if (!options.data_dir.empty()) return options.data_dir;
  if (!config.data_dir.empty()) return config.data_dir;
  return kDefaultDataDir;
}

std::filesystem::path ExistingDataDir(const GlobalOptions& options) {
  Config config = LoadConfigOrEmpty(options);
  std::filesystem::path data_dir = DataDir(options, config);
  // A PostgreSQL warehouse lives on its server; the data directory may be empty.
  if (config.warehouse.empty() && !std::filesystem::exists(data_dir / "warehouse.db")) {
    throw Error(ErrorCode::kNotFound, "no warehouse in " + data_dir.string() +
                                          ": run `macropipe run` first, or pass --data-dir");
  }
  return data_dir;
}

}  // namespace macropipe
