// The interface between command modules and the `macropipe` command line.
//
// Each module adds its subcommands to the CLI11 app and registers, for every
// leaf subcommand, a function that runs it and returns the exit status:
//
//   void AddSqlCommand(CLI::App& app, const GlobalOptions& options,
//                      std::vector<CommandRegistration>& commands);
//
// main() parses the arguments, then calls the runner of the subcommand that
// was given. Runners throw Error for failures; main() prints them.
#pragma once

#include <CLI/CLI.hpp>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "core/config.h"

namespace macropipe {

struct GlobalOptions {
  std::string data_dir;
  std::string config_path;
  std::string log_level = "info";
};

struct CommandRegistration {
  CLI::App* subcommand;
  std::function<int()> run;
};

// The config given with --config, or the built-in default config.
Config LoadConfigOrDefault(const GlobalOptions& options);

// The config given with --config, or an empty config (no sources).
Config LoadConfigOrEmpty(const GlobalOptions& options);

// The data directory: --data-dir, else the config's data_dir, else ./macropipe-data.
std::filesystem::path DataDir(const GlobalOptions& options, const Config& config);

// The data directory of an existing warehouse; throws Error(kNotFound) with a
// hint when the directory contains none and the config names no PostgreSQL
// warehouse.
std::filesystem::path ExistingDataDir(const GlobalOptions& options);

// The command modules.
void AddPipelineCommands(CLI::App& app, const GlobalOptions& options,
                         std::vector<CommandRegistration>& commands);
void AddQueryCommands(CLI::App& app, const GlobalOptions& options,
                      std::vector<CommandRegistration>& commands);
void AddWarehouseCommands(CLI::App& app, const GlobalOptions& options,
                          std::vector<CommandRegistration>& commands);
void AddSecretsCommands(CLI::App& app, const GlobalOptions& options,
                        std::vector<CommandRegistration>& commands);
void AddRunCommands(CLI::App& app, const GlobalOptions& options,
                    std::vector<CommandRegistration>& commands);
void AddForecastCommands(CLI::App& app, const GlobalOptions& options,
                         std::vector<CommandRegistration>& commands);
void AddServeCommands(CLI::App& app, const GlobalOptions& options,
                      std::vector<CommandRegistration>& commands);

}  // namespace macropipe
