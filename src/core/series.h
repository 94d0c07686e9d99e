// The series model shared by connectors, the landing zone and the warehouse.
#pragma once

#include <optional>
#include <string>

namespace macropipe {

// Catalogue metadata of one series. A series is identified by its source name
// and its id within that source (FRED-MD's "CPIAUCSL" and FRED's "CPIAUCSL"
// are two series).
struct SeriesInfo {
  std::string source;
  std::string id;
  std::string title;
  std::string units;
  std::string frequency;              // "Monthly", "Quarterly", ...
  std::string seasonal_adjustment;    // "SA", "NSA", ...
  std::optional<int> transform_code;  // FRED-MD transformation code 1..7.
  std::string last_updated;           // As the source states it.
  std::string notes;
};

}  // namespace macropipe
