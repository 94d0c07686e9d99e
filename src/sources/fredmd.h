// The FRED-MD monthly database of McCracken and Ng: one CSV per vintage with
// every series as a column.
//
// Format: row 1 is `sasdate,<mnemonics>` (mnemonics may contain spaces and
// '&'); row 2 is `Transform:,<code per column>`; data rows are dated M/D/YYYY
// on the first of the month; an empty field is a missing value. Files may use
// CRLF and may end with a row of commas only. Columns differ between vintages,
// so series are matched by name.
//
// Config keys: `url` (http, https or file), `series` (names to keep; default
// all), `vintage` ("YYYY-MM" or "YYYY-MM-DD"; default from a file name
// `YYYY-MM.csv`, else the fetch date), `appendix_url` (optional: the FRED-MD
// appendix CSV, whose descriptions become series titles).
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/date.h"

namespace macropipe {

struct FredMdFile {
  std::vector<std::string> names;  // Series names in column order.
  std::vector<std::optional<int>> transform_codes;
  std::vector<Date> dates;                       // One per data row.
  std::vector<std::vector<std::string>> values;  // values[column][row]; "" is missing.

  // Counts the non-empty values of every series.
  size_t CountValues() const;
};

// Parses a whole FRED-MD CSV. Throws Error(kInvalidInput) naming `origin`, the
// line, the column and the value for a ragged row, a bad date, a
// non-numeric value, a bad transformation code or a duplicate column.
FredMdFile ParseFredMd(std::string_view bytes, const std::string& origin);

// Writes one series of a parsed file as normalized CSV, `date,value` per row.
std::string FredMdSeriesCsv(const FredMdFile& file, size_t column);

// One row of the FRED-MD appendix, which describes each mnemonic.
struct FredMdAppendixEntry {
  std::string description;  // UTF-8.
  int group = 0;            // 1 output and income ... 7 prices, 8 stock market.
};

// Parses the appendix CSV (`id,tcode,fred,description,gsi,gsi:description,
// group`), keyed by the `fred` mnemonic. Text in Windows-1252, as published, is
// converted to UTF-8. Throws Error(kInvalidInput) naming the line for a row
// without the expected columns.
std::map<std::string, FredMdAppendixEntry> ParseFredMdAppendix(std::string_view bytes,
                                                               const std::string& origin);

// Returns the name of a FRED-MD group number, or "" for an unknown number.
std::string_view FredMdGroupName(int group);

// Reads the vintage from a file name of the form `YYYY-MM.csv`.
std::optional<Date> FredMdVintageFromFileName(std::string_view file_name);

}  // namespace macropipe
