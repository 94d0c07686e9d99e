#include "server/warehouse_access.h"

#include <filesystem>

#include "core/error.h"
#include "warehouse/postgres_db.h"

namespace macropipe::server {

std::unique_ptr<Warehouse> OpenWarehouse(const ServerContext& context) {
  if (context.open_warehouse) return context.open_warehouse();
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

// The catalogue differs by engine, and PostgreSQL lists the partitions of
// `observations` as tables of their own, so they are left out. Names sort
// byte by byte (COLLATE "C") in both.
QueryResult ListTablesAndViews(Warehouse& warehouse) {
  QueryLimits limits{.max_rows = 10000};
  if (IsPostgresUri(warehouse.Location())) {
    return warehouse.Query(
        "SELECT c.relname AS name, CASE c.relkind WHEN 'v' THEN 'view' ELSE 'table' END AS type "
        "FROM pg_class c WHERE c.relnamespace = current_schema()::regnamespace "
        "AND c.relkind IN ('r', 'p', 'v') AND NOT c.relispartition "
        "ORDER BY type, c.relname COLLATE \"C\"",
        limits);
  }
  return warehouse.Query(
      "SELECT name, type FROM sqlite_master WHERE type IN ('table', 'view') AND name NOT LIKE "
      "'sqlite_%' ORDER BY type, name",
      limits);
}

bool HasTable(Warehouse& warehouse, const std::string& name) {
  for (const std::vector<Cell>& row : ListTablesAndViews(warehouse).rows) {
    if (std::get<std::string>(row[0]) == name) return true;
  }
  return false;
}

nlohmann::json RowObjects(const nlohmann::json& result) {
  nlohmann::json objects = nlohmann::json::array();
  const nlohmann::json& columns = result["columns"];
  for (const nlohmann::json& row : result["rows"]) {
    nlohmann::json object = nlohmann::json::object();
    for (size_t i = 0; i < columns.size(); ++i) object[columns[i].get<std::string>()] = row[i];
    objects.push_back(std::move(object));
  }
  return objects;
}

nlohmann::json ListRuns(Warehouse& warehouse, const std::string& table, const std::string& columns,
                        const std::string& key, const Page& page) {
  if (!HasTable(warehouse, table)) return {{key, nlohmann::json::array()}, {"total_entries", 0}};
  nlohmann::json rows =
      ResultJson(warehouse.Query("SELECT " + columns + " FROM " + table + " ORDER BY run_id DESC",
                                 QueryLimits{.max_rows = page.limit, .offset = page.offset}));
  QueryResult total = warehouse.Query("SELECT count(*) FROM " + table, 1);
  return {{key, RowObjects(rows)}, {"total_entries", std::get<int64_t>(total.rows[0][0])}};
}

}  // namespace macropipe::server
