// A streaming CSV reader that yields one record at a time.
//
//   CsvReader reader(stream, "2025-02.csv");
//   std::vector<std::string_view> fields;
//   while (reader.Next(fields)) { ... reader.line() ... }
//
// Accepts LF or CRLF line endings and RFC 4180 quoting. The views in `fields`
// stay valid until the next call to Next. Not thread-safe.
#pragma once

#include <cstddef>
#include <istream>
#include <string>
#include <string_view>
#include <vector>

namespace macropipe {

class CsvReader {
 public:
  // `origin` names the input in error messages (a file name or URL).
  CsvReader(std::istream& in, std::string origin);

  // Reads the next record into `fields`. Returns false at end of input.
  // Throws Error(kInvalidInput) for an unterminated quoted field.
  bool Next(std::vector<std::string_view>& fields);

  // The 1-based line number where the last record started.
  size_t line() const { return record_line_; }
  const std::string& origin() const { return origin_; }

  // Formats "origin line N" for messages.
  std::string Where() const;

 private:
  bool ReadPhysicalLine();

  std::istream& in_;
  std::string origin_;
  std::string line_;
  std::string unquoted_;
  size_t next_line_ = 1;
  size_t record_line_ = 0;
};

// Parses a decimal number with an optional sign; returns false for anything
// else, including NaN and infinities.
bool ParseFiniteDouble(std::string_view text, double& value);

// Quotes a value for an error message: control characters are escaped and
// long values are cut, so a message stays one readable line.
std::string QuoteForMessage(std::string_view text);

// Splits one unquoted line on commas, trimming a trailing '\r'. Used on hot
// paths where the format is known to contain no quotes.
void SplitSimpleCsv(std::string_view line, std::vector<std::string_view>& fields);

}  // namespace macropipe
