// The loader: applies landed series objects to the warehouse, one object per
// transaction, in the order their vintages became known.
//
//   Loader loader(landing, warehouse);
//   LoadSummary summary = loader.LoadPending();
//
// Only committed manifest entries are loaded, and versions the warehouse has
// already recorded are skipped, so a load can be rerun or resumed at any time.
// LoadPending parses the next objects on a second thread while it loads.
// Thread-compatible.
#pragma once

#include <string>
#include <vector>

#include "landing/landing_zone.h"
#include "warehouse/warehouse.h"

namespace macropipe {

struct LoadSummary {
  int objects_loaded = 0;
  int objects_skipped = 0;  // Already loaded earlier.
  LoadCounts counts;
};

class Loader {
 public:
  Loader(LandingZone& landing, Warehouse& warehouse);

  // Loads every series version of `source` (or of all sources when empty) that
  // the warehouse has not recorded. Stops at the first failing object: the
  // objects before it stay loaded, and that object leaves no trace.
  LoadSummary LoadPending(const std::string& source = {});

  // Loads one landed version.
  LoadResult LoadEntry(const LandingEntry& entry);

 private:
  LoadResult Apply(const LandingEntry& entry, ObservationStream& rows);
  std::string OriginOf(const LandingEntry& entry) const;

  LandingZone& landing_;
  Warehouse& warehouse_;
};

}  // namespace macropipe
