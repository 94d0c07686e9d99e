#include "core/csv.h"

#include <charconv>
#include <cmath>
#include <cstdio>

#include "core/error.h"

namespace macropipe {

CsvReader::CsvReader(std::istream& in, std::string origin) : in_(in), origin_(std::move(origin)) {}

std::string CsvReader::Where() const { return origin_ + " line " + std::to_string(record_line_); }

bool CsvReader::ReadPhysicalLine() {
  if (!std::getline(in_, line_)) return false;
  if (!line_.empty() && line_.back() == '\r') line_.pop_back();
  ++next_line_;
  return true;
}

bool CsvReader::Next(std::vector<std::string_view>& fields) {
  fields.clear();
  record_line_ = next_line_;
  if (!ReadPhysicalLine()) return false;

  if (line_.find('"') == std::string::npos) {
    SplitSimpleCsv(line_, fields);
    return true;
  }

  // Quoted fields: unquote into a buffer first, recording field boundaries as
  // offsets because the buffer may grow, then turn them into views.
  unquoted_.clear();
  std::vector<std::pair<size_t, size_t>> bounds;
  size_t start = 0;
  bool in_quotes = false;
  size_t pos = 0;
  while (true) {
    if (pos == line_.size()) {
      if (!in_quotes) break;
      // A quoted field spans lines: keep the newline and read on.
      unquoted_.push_back('\n');
      if (!ReadPhysicalLine()) {
        throw Error(ErrorCode::kInvalidInput,
                    "unterminated quoted field in " + Where() + ": add the closing '\"'");
      }
      pos = 0;
      continue;
    }
    char c = line_[pos++];
    if (in_quotes) {
      if (c == '"' && pos < line_.size() && line_[pos] == '"') {
        unquoted_.push_back('"');
        ++pos;
      } else if (c == '"') {
        in_quotes = false;
      } else {
        unquoted_.push_back(c);
      }
    } else if (c == '"') {
      in_quotes = true;
    } else if (c == ',') {
      bounds.emplace_back(start, unquoted_.size());
      start = unquoted_.size();
    } else {
      unquoted_.push_back(c);
    }
  }
  bounds.emplace_back(start, unquoted_.size());
  for (auto [begin, end] : bounds) {
    fields.emplace_back(std::string_view(unquoted_).substr(begin, end - begin));
  }
  return true;
}

bool ParseFiniteDouble(std::string_view text, double& value) {
  if (!text.empty() && text.front() == '+') text.remove_prefix(1);
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  return error == std::errc() && end == text.data() + text.size() && std::isfinite(value);
}

std::string QuoteForMessage(std::string_view text) {
  constexpr size_t kMaxLength = 80;
  std::string out = "'";
  for (size_t i = 0; i < text.size() && i < kMaxLength; ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c < 0x20 || c == 0x7f) {
      char escaped[8];
      std::snprintf(escaped, sizeof escaped, "\\x%02X", c);
      out += escaped;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (text.size() > kMaxLength) out += "...";
  return out + "'";
}

void SplitSimpleCsv(std::string_view line, std::vector<std::string_view>& fields) {
  fields.clear();
  if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
  size_t start = 0;
  while (true) {
    size_t comma = line.find(',', start);
    if (comma == std::string_view::npos) {
      fields.push_back(line.substr(start));
      return;
    }
    fields.push_back(line.substr(start, comma - start));
    start = comma + 1;
  }
}

}  // namespace macropipe
