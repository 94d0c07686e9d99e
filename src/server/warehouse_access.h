// Read-only access to the warehouse of a data directory for the routes, and
// the JSON form of query results.
//
//   std::unique_ptr<Warehouse> warehouse = OpenWarehouse(context);
//   nlohmann::json rows = ResultJson(warehouse->Query(sql, limits));
//
// Plain functions; each call opens its own connection, so threads share nothing.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "server/api_server.h"
#include "warehouse/warehouse.h"

namespace macropipe::server {

// Opens `<data_dir>/warehouse.db` read-only. Throws Error(kNotFound) with a
// hint when there is none yet.
std::unique_ptr<Warehouse> OpenWarehouse(const ServerContext& context);

// {"columns": [...], "rows": [[...], ...], "truncated": bool}
nlohmann::json ResultJson(const QueryResult& result);

// `text` as an SQL string literal, quotes doubled.
std::string SqlString(const std::string& text);

// True when the warehouse has a table or view named `name`.
bool HasTable(Warehouse& warehouse, const std::string& name);

}  // namespace macropipe::server
