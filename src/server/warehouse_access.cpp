#include "server/warehouse_access.h"

#include <filesystem>

#include "core/error.h"

namespace macropipe::server {

std::unique_ptr<Warehouse> OpenWarehouse(const ServerContext& context) {
  std::filesystem::path path = context.data_dir / "warehouse.db";
  if (!std::filesystem::exists(path)) {
    throw Error(ErrorCode::kNotFound, "no warehouse at " + path.string() +
                                          " yet; trigger a run to create it, or check --data-dir");
  }
  return OpenSqliteWarehouse(path.string(), true);
}

nlohmann::json ResultJson(const QueryResult& result) {
  nlohmann::json rows = nlohmann::json::array();
  for (const std::vector<Cell>& row : result.rows) {
    nlohmann::json cells = nlohmann::json::array();
    for (const Cell& cell : row) {
      std::visit(
          [&cells](const auto& value) {
            if constexpr (std::is_same_v<std::decay_t<decltype(value)>, std::monostate>) {
              cells.push_back(nullptr);
            } else {
              cells.push_back(value);
            }
          },
          cell);
    }
    rows.push_back(std::move(cells));
  }
  return {{"columns", result.columns}, {"rows", rows}, {"truncated", result.truncated}};
}

std::string SqlString(const std::string& text) {
  std::string quoted = "'";
  for (char c : text) {
    quoted += c;
    if (c == '\'') quoted += '\'';
  }
  return quoted + "'";
}

bool HasTable(Warehouse& warehouse, const std::string& name) {
  return !warehouse.Query("SELECT 1 FROM sqlite_master WHERE name = " + SqlString(name), 1)
              .rows.empty();
}

}  // namespace macropipe::server
