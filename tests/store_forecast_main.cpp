// Stores a forecast read from a JSON file in a data directory's warehouse
// through Warehouse::StoreForecast. The browser test uses it in builds
// without LibTorch, whose runs cannot forecast, so that the page's forecast
// view still has a stored forecast to show.
//
//   macropipe-store-forecast DATA_DIR FORECAST_JSON
//
// The JSON holds "run" (the fields of ForecastRunInfo but run_id) and the rows
// of "horizons" [horizon, target_month, p10, p50, p90], "accumulated"
// [months, value], "importances" [stage, input, weight] and "attention"
// [horizon, relative_month, weight]. Prints the stored run id.
#include <filesystem>
#include <iostream>
#include <nlohmann/json.hpp>

#include "core/files.h"
#include "warehouse/warehouse.h"

namespace {

using macropipe::ForecastRecord;
using nlohmann::json;

ForecastRecord ParseRecord(const json& in) {
  ForecastRecord record;
  const json& run = in.at("run");
  record.run.created_at = run.at("created_at");
  record.run.source = run.at("source");
  record.run.target_id = run.at("target_id");
  record.run.model = run.at("model");
  record.run.data_vintage = run.at("data_vintage");
  record.run.origin_month = run.at("origin_month");
  record.run.training_first = run.at("training_first");
  record.run.training_last = run.at("training_last");
  record.run.settings = run.at("settings");
  record.run.model_file = run.at("model_file");
  record.run.model_loaded = run.at("model_loaded");
  for (const json& row : in.at("horizons")) {
    record.horizons.push_back({row.at(0), row.at(1), row.at(2), row.at(3), row.at(4)});
  }
  for (const json& row : in.at("accumulated")) {
    record.accumulated.push_back({row.at(0), row.at(1)});
  }
  for (const json& row : in.at("importances")) {
    record.importances.push_back({row.at(0), row.at(1), row.at(2)});
  }
  for (const json& row : in.at("attention")) {
    record.attention.push_back({row.at(0), row.at(1), row.at(2)});
  }
  return record;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: macropipe-store-forecast DATA_DIR FORECAST_JSON\n";
    return 2;
  }
  try {
    std::filesystem::path data_dir = argv[1];
    json in = json::parse(macropipe::ReadFile(argv[2]));
    std::unique_ptr<macropipe::Warehouse> warehouse =
        macropipe::OpenSqliteWarehouse((data_dir / "warehouse.db").string());
    std::cout << warehouse->StoreForecast(ParseRecord(in)) << "\n";
    return 0;
  } catch (const std::exception& error) {
    std::cerr << "error: storing the forecast of " << argv[2] << " in " << argv[1]
              << " failed: " << error.what() << "\n";
    return 1;
  }
}
