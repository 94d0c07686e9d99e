// Renders query results for the terminal and for other programs.
#pragma once

#include <ostream>
#include <string>

#include "warehouse/warehouse.h"

namespace macropipe {

enum class OutputFormat { kTable, kCsv, kJson };

// Parses "table", "csv" or "json"; throws Error(kInvalidInput) otherwise.
OutputFormat ParseOutputFormat(const std::string& name);

// Formats a cell as text: NULL as an empty string, numbers in their shortest
// exact form.
std::string CellText(const Cell& cell);

void WriteQueryResult(const QueryResult& result, OutputFormat format, std::ostream& out);

}  // namespace macropipe
