#include "sources/fredmd.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <set>
#include <sstream>

#include "core/csv.h"
#include "core/error.h"
#include "core/url.h"
#include "sources/series_csv.h"
#include "sources/source.h"

namespace macropipe {
namespace {

constexpr char kDefaultName[] = "fred-md";

std::string_view Trim(std::string_view text) {
  while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
  while (!text.empty() && (text.back() == ' ' || text.back() == '\t')) text.remove_suffix(1);
  return text;
}

bool AllEmpty(const std::vector<std::string_view>& fields) {
  for (std::string_view field : fields) {
    if (!Trim(field).empty()) return false;
  }
  return true;
}

bool IsNumber(std::string_view text) {
  double value = 0;
  return ParseFiniteDouble(text, value);
}

// Column names become parts of landing object names, which file systems limit
// to 255 bytes once encoded.
constexpr size_t kMaxSeriesNameLength = 100;

[[noreturn]] void ThrowBadInput(const CsvReader& reader, const std::string& what) {
  throw Error(ErrorCode::kInvalidInput, "malformed FRED-MD file " + reader.Where() + ": " + what +
                                            "; check that the URL points at a FRED-MD monthly CSV");
}

}  // namespace

size_t FredMdFile::CountValues() const {
  size_t count = 0;
  for (const auto& column : values) {
    for (const std::string& value : column) count += value.empty() ? 0 : 1;
  }
  return count;
}

FredMdFile ParseFredMd(std::string_view bytes, const std::string& origin) {
  // Spreadsheet exports may start with a UTF-8 byte order mark.
  if (bytes.substr(0, 3) == "\xEF\xBB\xBF") bytes.remove_prefix(3);
  std::string text(bytes);
  // Old Mac line ends (CR only) would make the whole file one line.
  if (text.find('\n') == std::string::npos) std::replace(text.begin(), text.end(), '\r', '\n');
  std::istringstream in{std::move(text)};
  CsvReader reader(in, origin);
  std::vector<std::string_view> fields;
  FredMdFile file;

  if (!reader.Next(fields) || fields.empty() || Trim(fields[0]) != "sasdate") {
    ThrowBadInput(reader, "the first row must start with 'sasdate'");
  }
  std::set<std::string> seen;
  for (size_t i = 1; i < fields.size(); ++i) {
    std::string name(Trim(fields[i]));
    if (name.empty()) ThrowBadInput(reader, "column " + std::to_string(i + 1) + " has no name");
    if (name.size() > kMaxSeriesNameLength) {
      ThrowBadInput(reader, "column " + std::to_string(i + 1) + " has a name of " +
                                std::to_string(name.size()) + " characters " +
                                QuoteForMessage(name) + "; series names may have at most " +
                                std::to_string(kMaxSeriesNameLength));
    }
    if (!seen.insert(name).second) ThrowBadInput(reader, "column '" + name + "' appears twice");
    file.names.push_back(name);
  }
  const size_t width = fields.size();
  file.values.resize(file.names.size());
  file.transform_codes.resize(file.names.size());

  bool saw_codes = false;
  while (reader.Next(fields)) {
    if (AllEmpty(fields)) continue;  // Blank lines and the trailing row of commas.
    if (fields.size() != width) {
      ThrowBadInput(reader, "row has " + std::to_string(fields.size()) +
                                " fields but the header has " + std::to_string(width));
    }
    std::string_view first = Trim(fields[0]);
    if (first == "Transform:") {
      if (saw_codes || !file.dates.empty()) ThrowBadInput(reader, "unexpected 'Transform:' row");
      saw_codes = true;
      for (size_t i = 1; i < width; ++i) {
        std::string_view code = Trim(fields[i]);
        if (code.empty()) continue;
        int value = 0;
        auto [end, error] = std::from_chars(code.data(), code.data() + code.size(), value);
        if (error != std::errc() || end != code.data() + code.size() || value < 1 || value > 7) {
          ThrowBadInput(reader, "invalid transformation code '" + std::string(code) +
                                    "' for series '" + file.names[i - 1] + "' (expected 1 to 7)");
        }
        file.transform_codes[i - 1] = value;
      }
      continue;
    }
    std::optional<Date> date = Date::TryParseUs(first);
    if (!date)
      ThrowBadInput(reader, "invalid date " + QuoteForMessage(first) + " (expected M/D/YYYY)");
    if (date->day() != 1) {
      ThrowBadInput(reader, "date '" + std::string(first) + "' is not the first day of a month");
    }
    if (!file.dates.empty() && *date <= file.dates.back()) {
      ThrowBadInput(reader, "date '" + std::string(first) + "' is not after the row before it");
    }
    file.dates.push_back(*date);
    for (size_t i = 1; i < width; ++i) {
      std::string_view value = Trim(fields[i]);
      if (!value.empty() && !IsNumber(value)) {
        ThrowBadInput(reader, "non-numeric value " + QuoteForMessage(value) + " for series '" +
                                  file.names[i - 1] + "'");
      }
      file.values[i - 1].emplace_back(value);
    }
  }
  if (!saw_codes) {
    throw Error(ErrorCode::kInvalidInput, "malformed FRED-MD file " + origin +
                                              ": no 'Transform:' row of transformation codes");
  }
  return file;
}

std::string FredMdSeriesCsv(const FredMdFile& file, size_t column) {
  std::string csv = "date,value\n";
  csv.reserve(file.dates.size() * 20);
  for (size_t row = 0; row < file.dates.size(); ++row) {
    csv += file.dates[row].ToIso();
    csv += ',';
    csv += file.values[column][row];
    csv += '\n';
  }
  return csv;
}

namespace {

bool IsValidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    auto byte = static_cast<unsigned char>(text[i]);
    size_t extra = 0;
    if ((byte & 0xE0) == 0xC0) {
      extra = 1;
    } else if ((byte & 0xF0) == 0xE0) {
      extra = 2;
    } else if ((byte & 0xF8) == 0xF0) {
      extra = 3;
    } else if (byte >= 0x80) {
      return false;
    }
    if (i + extra >= text.size() && extra > 0) return false;
    for (size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(text[i + k]) & 0xC0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

// Converts Windows-1252 text to UTF-8.
std::string Windows1252ToUtf8(std::string_view text) {
  // Code points of bytes 0x80..0x9F; the rest of 0xA0..0xFF equal Latin-1.
  static constexpr char16_t kHigh[32] = {
      0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
      0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD, 0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
      0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178};
  std::string out;
  for (char c : text) {
    auto byte = static_cast<unsigned char>(c);
    char32_t code = byte < 0x80 ? byte : byte < 0xA0 ? kHigh[byte - 0x80] : byte;
    if (code < 0x80) {
      out.push_back(static_cast<char>(code));
    } else if (code < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (code >> 6)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xE0 | (code >> 12)));
      out.push_back(static_cast<char>(0x80 | ((code >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (code & 0x3F)));
    }
  }
  return out;
}

}  // namespace

std::map<std::string, FredMdAppendixEntry> ParseFredMdAppendix(std::string_view bytes,
                                                               const std::string& origin) {
  std::string text = IsValidUtf8(bytes) ? std::string(bytes) : Windows1252ToUtf8(bytes);
  std::istringstream in(text);
  CsvReader reader(in, origin);
  std::vector<std::string_view> fields;
  if (!reader.Next(fields) || fields.size() < 7 || Trim(fields[2]) != "fred" ||
      Trim(fields[3]) != "description" || Trim(fields[6]) != "group") {
    throw Error(ErrorCode::kInvalidInput,
                "malformed FRED-MD appendix " + reader.Where() +
                    ": expected the header 'id,tcode,fred,description,gsi,gsi:description,group'");
  }
  std::map<std::string, FredMdAppendixEntry> entries;
  while (reader.Next(fields)) {
    if (AllEmpty(fields)) continue;
    if (fields.size() < 7) {
      throw Error(ErrorCode::kInvalidInput, "malformed FRED-MD appendix " + reader.Where() +
                                                ": expected 7 fields, found " +
                                                std::to_string(fields.size()));
    }
    FredMdAppendixEntry entry;
    entry.description = std::string(Trim(fields[3]));
    std::string_view group = Trim(fields[6]);
    std::from_chars(group.data(), group.data() + group.size(), entry.group);
    entries[std::string(Trim(fields[2]))] = std::move(entry);
  }
  return entries;
}

std::string_view FredMdGroupName(int group) {
  static constexpr std::string_view kNames[] = {"",
                                                "output and income",
                                                "labor market",
                                                "housing",
                                                "consumption, orders and inventories",
                                                "money and credit",
                                                "interest and exchange rates",
                                                "prices",
                                                "stock market"};
  if (group < 1 || group > 8) return "";
  return kNames[group];
}

std::optional<Date> FredMdVintageFromFileName(std::string_view file_name) {
  if (file_name.size() != 11 || file_name.substr(7) != ".csv") return std::nullopt;
  return Date::TryParseYearMonth(file_name.substr(0, 7));
}

namespace {

// True when a failed fetch looks like a machine without internet access: a
// host that could not be resolved or reached, other than this machine itself.
bool MayLackInternet(const std::string& url, const Error& error) {
  if (error.code() != ErrorCode::kUnavailable) return false;
  std::string message = error.what();
  bool unreachable = message.find("resolve host") != std::string::npos ||
                     message.find("connect to") != std::string::npos ||
                     message.find("Failed to connect") != std::string::npos;
  bool loopback = url.find("://127.") != std::string::npos ||
                  url.find("://localhost") != std::string::npos ||
                  url.find("://[::1]") != std::string::npos;
  return unreachable && !loopback;
}

class FredMdSource : public Source {
 public:
  explicit FredMdSource(const SourceConfig& config) : name_(config.name) {
    OptionReader options = SourceOptions(config);
    url_ = options.RequireString("url");
    if (auto series = options.StringList("series")) {
      if (series->empty()) {
        throw Error(ErrorCode::kInvalidInput, "empty list at " + options.Where("series") +
                                                  ": name the series to keep, or remove the key "
                                                  "to keep all");
      }
      std::set<std::string> unique(series->begin(), series->end());
      if (unique.size() != series->size()) {
        throw Error(ErrorCode::kInvalidInput,
                    "a series is listed twice at " + options.Where("series") + ": list each once");
      }
      series_ = *series;
    }
    appendix_url_ = options.String("appendix_url").value_or("");
    if (auto vintage = options.String("vintage")) {
      std::optional<Date> date = Date::TryParseYearMonth(*vintage);
      if (!date) date = Date::TryParseIso(*vintage);
      if (!date) {
        throw Error(ErrorCode::kInvalidInput, "invalid vintage '" + *vintage + "' at " +
                                                  options.Where("vintage") +
                                                  ": write YYYY-MM or YYYY-MM-DD");
      }
      vintage_ = date;
    }
    options.RejectUnknownKeys();
  }

  const std::string& name() const override { return name_; }

  FetchSummary Fetch(FetchContext& context) override {
    std::string redacted = RedactUrl(url_);
    HttpResponse response = FetchFile(context, url_);
    std::string file_name = UrlFileName(url_);
    FredMdFile file = ParseFredMd(response.body, redacted);
    std::optional<HttpResponse> appendix_response;
    std::map<std::string, FredMdAppendixEntry> appendix;
    if (!appendix_url_.empty()) {
      appendix_response = FetchFile(context, appendix_url_);
      appendix = ParseFredMdAppendix(appendix_response->body, RedactUrl(appendix_url_));
    }

    Date vintage = vintage_.value_or(FredMdVintageFromFileName(file_name).value_or(
        Date::ParseIso(context.fetched_at.substr(0, 10), "fetch date")));
    std::vector<size_t> columns = SelectColumns(file, redacted);
    spdlog::info("source {}: parsed {} series, {} rows, vintage {} from {}", name_,
                 file.names.size(), file.dates.size(), vintage.ToIso(), redacted);

    LandingBatch batch = context.landing.Begin(name_, context.fetched_at);
    FetchSummary summary;
    LandingEntry raw;
    raw.series = file_name.size() > 4 ? file_name.substr(0, file_name.rfind('.')) : "fred-md";
    raw.kind = ObjectKind::kRaw;
    raw.request_url = url_;
    raw.http_status = static_cast<int>(response.status);
    raw.vintage_date = vintage;
    LandResult raw_result = batch.Land(raw, response.body, "csv");
    Count(raw_result, summary);
    if (appendix_response) {
      LandingEntry appendix_entry = raw;
      appendix_entry.series = "appendix";
      appendix_entry.request_url = appendix_url_;
      appendix_entry.http_status = static_cast<int>(appendix_response->status);
      Count(batch.Land(appendix_entry, appendix_response->body, "csv"), summary);
    }

    for (size_t column : columns) {
      LandingEntry entry;
      entry.series = file.names[column];
      entry.kind = ObjectKind::kSeries;
      entry.request_url = url_;
      entry.http_status = raw.http_status;
      entry.vintage_date = vintage;
      entry.raw_key = raw_result.entry.object.key;
      entry.raw_version_id = raw_result.entry.object.version_id;
      SeriesInfo info;
      info.source = name_;
      info.id = file.names[column];
      info.frequency = "Monthly";
      info.transform_code = file.transform_codes[column];
      info.last_updated = vintage.ToIso();
      if (auto described = appendix.find(info.id); described != appendix.end()) {
        info.title = described->second.description;
        std::string_view group = FredMdGroupName(described->second.group);
        if (!group.empty()) info.notes = "FRED-MD group: " + std::string(group);
      }
      entry.series_info = info;
      std::string csv = FredMdSeriesCsv(file, column);
      LandResult result = batch.Land(entry, csv);
      Count(result, summary);
      if (result.created) summary.rows_landed += CountCsvRows(csv);
      ++summary.series;
    }
    batch.Commit();
    return summary;
  }

 private:
  HttpResponse FetchFile(FetchContext& context, const std::string& url) {
    HttpResponse response;
    try {
      response = context.http.Get(url);
    } catch (const Error& error) {
      if (!MayLackInternet(url, error)) throw;
      throw Error(ErrorCode::kUnavailable,
                  std::string(error.what()) + ". If this machine has no internet access, " +
                      "download a FRED-MD CSV elsewhere and point the source at it: in a config " +
                      "file, under [[sources]] with type = \"fred-md\", set url = " +
                      "\"file:///path/to/2025-02.csv\", then run `macropipe run --config FILE`");
    }
    if (response.status >= 400) {
      throw Error(
          response.status == 404 ? ErrorCode::kNotFound : ErrorCode::kUnavailable,
          "could not fetch " + RedactUrl(url) + ": HTTP " + std::to_string(response.status));
    }
    return response;
  }

  std::vector<size_t> SelectColumns(const FredMdFile& file, const std::string& origin) const {
    std::vector<size_t> columns;
    if (series_.empty()) {
      for (size_t i = 0; i < file.names.size(); ++i) columns.push_back(i);
      return columns;
    }
    std::map<std::string, size_t> by_name;
    for (size_t i = 0; i < file.names.size(); ++i) by_name[file.names[i]] = i;
    for (const std::string& wanted : series_) {
      auto it = by_name.find(wanted);
      if (it == by_name.end()) {
        throw Error(ErrorCode::kNotFound, "series '" + wanted + "' configured for source '" +
                                              name_ + "' is not a column of " + origin +
                                              "; remove it from `series` or check its spelling");
      }
      columns.push_back(it->second);
    }
    return columns;
  }

  static void Count(const LandResult& result, FetchSummary& summary) {
    if (result.created) {
      ++summary.objects_landed;
    } else {
      ++summary.objects_unchanged;
    }
  }

  std::string name_;
  std::string url_;
  std::string appendix_url_;
  std::vector<std::string> series_;
  std::optional<Date> vintage_;
};

}  // namespace

REGISTER_SOURCE(kDefaultName, FredMdSource);

}  // namespace macropipe
