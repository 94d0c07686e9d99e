// The warehouse in PostgreSQL, for teams whose workers on several hosts share
// one warehouse. Same tables, views and loading rules as the SQLite warehouse.
//
//   auto warehouse = OpenPostgresWarehouse({.uri = "postgresql://macropipe@db/macropipe",
//                                           .password = password});
//
// A load copies the object's rows into a temporary staging table with COPY,
// then one statement classifies them against the stored history and closes,
// corrects and inserts rows set-based, all in one transaction.
// Loads of one series are serialized by a lock on its catalogue row, so loads
// of different series from any number of processes run side by side, and a
// second load of an object that another process is loading waits for it and
// then reports the object as already loaded.
//
// Thread-safe: one connection behind a mutex.
#pragma once

#include <memory>

#include "warehouse/postgres_db.h"
#include "warehouse/warehouse.h"

namespace macropipe {

// Connects to the database of `options.uri`, creating the schema when it is
// missing. A read-only warehouse creates nothing and refuses loads.
std::unique_ptr<Warehouse> OpenPostgresWarehouse(const PostgresOptions& options,
                                                 bool read_only = false);

}  // namespace macropipe
