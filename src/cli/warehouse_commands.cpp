// `macropipe warehouse migrate`: copies the SQLite warehouse of a data
// directory into an empty PostgreSQL warehouse.
#include <iostream>

#include "cli/command.h"
#include "cli/pipeline.h"
#include "core/error.h"
#include "warehouse/warehouse_migration.h"

namespace macropipe {
namespace {

int RunMigrate(const GlobalOptions& options, const std::string& to) {
  Config config = LoadConfigOrEmpty(options);
  std::filesystem::path data_dir = DataDir(options, config);
  std::string uri = to.empty() ? config.warehouse : to;
  std::string origin = to.empty() ? config.warehouse_origin : "--to";
  if (uri.empty()) {
    throw Error(ErrorCode::kInvalidInput,
                "no PostgreSQL warehouse to migrate into: pass --to postgresql://... or set "
                "warehouse in the config");
  }
  PostgresOptions target = PostgresOptionsFor(uri, origin, data_dir);
  std::string source = (data_dir / "warehouse.db").string();
  MigrationCounts counts = MigrateSqliteToPostgres(source, target);
  std::cout << "migrate: " << source << " -> " << RedactPostgresUri(uri) << ": " << counts.series
            << " series, " << counts.load_batches << " load batches, " << counts.observations
            << " observation rows, " << counts.rejected_rows << " rejected rows, "
            << counts.forecast_runs << " forecast runs, " << counts.backtest_runs
            << " backtest runs\n";
  return 0;
}

}  // namespace

void AddWarehouseCommands(CLI::App& app, const GlobalOptions& options,
                          std::vector<CommandRegistration>& commands) {
  auto* warehouse = app.add_subcommand("warehouse", "Manage the warehouse");
  warehouse->require_subcommand(1);
  auto to = std::make_shared<std::string>();
  auto* migrate = warehouse->add_subcommand(
      "migrate", "Copy the data directory's SQLite warehouse into an empty PostgreSQL one");
  migrate->add_option("--to", *to,
                      "PostgreSQL URI without password, for example "
                      "postgresql://macropipe@db.internal/macropipe (default: warehouse from "
                      "the config); the password comes from PGPASSWORD or the secrets file");
  commands.push_back({migrate, [&options, to] { return RunMigrate(options, *to); }});
}

}  // namespace macropipe
