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
#include "server/request_params.h"
#include "warehouse/warehouse.h"

namespace macropipe::server {

// Opens the context's warehouse read-only: the one `open_warehouse` opens, else
// `<data_dir>/warehouse.db`. Throws Error(kNotFound) with a hint when that file
// does not exist yet.
std::unique_ptr<Warehouse> OpenWarehouse(const ServerContext& context);

// Every table and view that queries can read, as rows of name and type
// ("table" or "view"), by type and then name.
QueryResult ListTablesAndViews(Warehouse& warehouse);

// {"columns": [...], "rows": [[...], ...], "truncated": bool}
nlohmann::json ResultJson(const QueryResult& result);

// The rows of a ResultJson as objects keyed by column name.
nlohmann::json RowObjects(const nlohmann::json& result);

// One page of the rows of `table`, a table of runs keyed by run_id, newest
// first: {"<key>": [objects of `columns`], "total_entries": n}. A warehouse
// without the table has no runs.
nlohmann::json ListRuns(Warehouse& warehouse, const std::string& table, const std::string& columns,
                        const std::string& key, const Page& page);

// `text` as an SQL string literal, quotes doubled.
std::string SqlString(const std::string& text);

// True when the warehouse has a table or view named `name`.
bool HasTable(Warehouse& warehouse, const std::string& name);

}  // namespace macropipe::server
