// The macropipe command line: global options, the command modules, and the one
// place where errors become messages and exit statuses.
#include <spdlog/sinks/stdout_color_sinks.h>
#include <spdlog/spdlog.h>

#include <iostream>

#include "cli/command.h"
#include "core/error.h"

namespace macropipe {
namespace {

void SetUpLogging(const std::string& level) {
  auto logger = spdlog::stderr_color_mt("macropipe");
  logger->set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");
  spdlog::set_default_logger(logger);
  spdlog::level::level_enum parsed = spdlog::level::from_str(level);
  if (parsed == spdlog::level::off && level != "off") {
    throw Error(ErrorCode::kInvalidInput, "invalid --log-level '" + level +
                                              "': choose trace, debug, info, warn, error or off");
  }
  spdlog::set_level(parsed);
}

// Exit statuses: 0 success, 1 failure, 2 invalid input or usage.
int ExitStatus(const Error& error) { return error.code() == ErrorCode::kInvalidInput ? 2 : 1; }

int Main(int argc, char** argv) {
  CLI::App app{"macropipe: collect, version, load and query economic time series"};
  app.require_subcommand(1);
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--data-dir", options.data_dir,
                 "Folder holding the landing zone and the warehouse (default ./macropipe-data, "
                 "or data_dir from the config)");
  app.add_option("--config", options.config_path,
                 "TOML config file; without it the built-in config fetches the current FRED-MD "
                 "vintage");
  app.add_option("--log-level", options.log_level,
                 "trace, debug, info, warn, error or off (default info)");

  std::vector<CommandRegistration> commands;
  AddPipelineCommands(app, options, commands);
  AddRunCommands(app, options, commands);
  AddQueryCommands(app, options, commands);
  AddWarehouseCommands(app, options, commands);
  AddSecretsCommands(app, options, commands);
  AddForecastCommands(app, options, commands);
  AddServeCommands(app, options, commands);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& error) {
    // CLI11 prints help (status 0) or the usage error; every usage error is status 2.
    return app.exit(error) == 0 ? 0 : 2;
  }

  try {
    SetUpLogging(options.log_level);
    for (const CommandRegistration& command : commands) {
      if (command.subcommand->parsed()) return command.run();
    }
  } catch (const Error& error) {
    std::cerr << "error: " << error.what() << "\n";
    return ExitStatus(error);
  } catch (const std::exception& error) {
    std::cerr << "error: " << error.what() << "\n";
    return 1;
  }
  std::cerr << "error: no command given; run `macropipe --help`\n";
  return 2;
}

}  // namespace
}  // namespace macropipe

int main(int argc, char** argv) { return macropipe::Main(argc, argv); }
