#include "cli/format.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>

#include "core/error.h"

namespace macropipe {
namespace {

std::string CsvQuote(const std::string& text) {
  if (text.find_first_of(",\"\n\r") == std::string::npos) return text;
  std::string out = "\"";
  for (char c : text) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

void WriteTable(const QueryResult& result, std::ostream& out) {
  std::vector<size_t> widths;
  for (const std::string& column : result.columns) widths.push_back(column.size());
  std::vector<std::vector<std::string>> texts;
  for (const auto& row : result.rows) {
    std::vector<std::string> line;
    for (size_t i = 0; i < row.size(); ++i) {
      line.push_back(std::holds_alternative<std::monostate>(row[i]) ? "NULL" : CellText(row[i]));
      widths[i] = std::max(widths[i], line.back().size());
    }
    texts.push_back(std::move(line));
  }
  auto write_line = [&](const std::vector<std::string>& cells) {
    for (size_t i = 0; i < cells.size(); ++i) {
      out << (i == 0 ? "" : "  ") << cells[i];
      if (i + 1 < cells.size()) out << std::string(widths[i] - cells[i].size(), ' ');
    }
    out << '\n';
  };
  write_line(result.columns);
  std::vector<std::string> rule;
  for (size_t width : widths) rule.push_back(std::string(width, '-'));
  write_line(rule);
  for (const auto& line : texts) write_line(line);
  out << "(" << result.rows.size() << (result.rows.size() == 1 ? " row" : " rows")
      << (result.truncated ? ", truncated at the row limit; raise --max-rows to see more" : "")
      << ")\n";
}

}  // namespace

OutputFormat ParseOutputFormat(const std::string& name) {
  if (name == "table") return OutputFormat::kTable;
  if (name == "csv") return OutputFormat::kCsv;
  if (name == "json") return OutputFormat::kJson;
  throw Error(ErrorCode::kInvalidInput,
              "invalid --format '" + name + "': choose table, csv or json");
}

std::string CellText(const Cell& cell) {
  if (std::holds_alternative<int64_t>(cell)) return std::to_string(std::get<int64_t>(cell));
  if (std::holds_alternative<double>(cell)) {
    char buffer[32];
    auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, std::get<double>(cell));
    return std::string(buffer, end);
  }
  if (std::holds_alternative<std::string>(cell)) return std::get<std::string>(cell);
  return "";
}

void WriteQueryResult(const QueryResult& result, OutputFormat format, std::ostream& out) {
  switch (format) {
    case OutputFormat::kTable:
      WriteTable(result, out);
      return;
    case OutputFormat::kCsv: {
      for (size_t i = 0; i < result.columns.size(); ++i) {
        out << (i == 0 ? "" : ",") << CsvQuote(result.columns[i]);
      }
      out << '\n';
      for (const auto& row : result.rows) {
        for (size_t i = 0; i < row.size(); ++i)
          out << (i == 0 ? "" : ",") << CsvQuote(CellText(row[i]));
        out << '\n';
      }
      return;
    }
    case OutputFormat::kJson: {
      // Objects keep the query's column order; a repeated column name gets a
      // numeric suffix so that no value is lost.
      std::vector<std::string> names;
      for (const std::string& column : result.columns) {
        std::string name = column;
        for (int n = 2; std::find(names.begin(), names.end(), name) != names.end(); ++n) {
          name = column + "_" + std::to_string(n);
        }
        names.push_back(name);
      }
      nlohmann::ordered_json rows = nlohmann::ordered_json::array();
      for (const auto& row : result.rows) {
        nlohmann::ordered_json object = nlohmann::ordered_json::object();
        for (size_t i = 0; i < row.size(); ++i) {
          const Cell& cell = row[i];
          nlohmann::ordered_json& value = object[names[i]];
          if (std::holds_alternative<int64_t>(cell)) value = std::get<int64_t>(cell);
          if (std::holds_alternative<double>(cell)) value = std::get<double>(cell);
          if (std::holds_alternative<std::string>(cell)) value = std::get<std::string>(cell);
        }
        rows.push_back(std::move(object));
      }
      // Bytes that are not UTF-8 (BLOB cells) become U+FFFD instead of failing.
      out << rows.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace) << '\n';
      return;
    }
  }
}

}  // namespace macropipe
