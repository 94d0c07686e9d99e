#include "sources/source.h"

#include <spdlog/spdlog.h>

#include <map>

#include "core/error.h"

namespace macropipe {
namespace {

std::map<std::string, SourceFactory>& Registry() {
  static std::map<std::string, SourceFactory> registry;
  return registry;
}

}  // namespace

std::string RequireSecret(const FetchContext& context, const std::string& source,
                          const std::string& name) {
  std::optional<std::string> value;
  if (context.secret) value = context.secret(name);
  if (!value || value->empty()) {
    throw SourceSkipped("source '" + source + "' skipped: " + name +
                        " is not set; set the environment " + "variable " + name +
                        " or run `macropipe secrets set " + name + "`");
  }
  return *value;
}

bool FetchOrRecordFailure(const std::string& source, const std::string& series,
                          std::vector<SeriesFailure>& failures,
                          const std::function<void()>& fetch) {
  try {
    fetch();
    return true;
  } catch (const Error& error) {
    ErrorCode code = error.code();
    if (code == ErrorCode::kUnauthenticated) throw;
    bool deferred = code == ErrorCode::kQuotaExhausted;
    if (deferred) {
      spdlog::warn("source {}: series {} deferred: {}", source, series, error.what());
    } else {
      spdlog::error("source {}: series {} failed ({}): {}", source, series, ErrorCodeName(code),
                    error.what());
    }
    failures.push_back({series, error.what(), code, deferred});
    return false;
  }
}

FetchSummary Source::FetchPart(FetchContext&, const std::string& part) {
  throw Error(ErrorCode::kInvalidInput,
              "source '" + name() + "' is fetched as a whole; it has no part '" + part + "'");
}

bool RegisterSourceType(const std::string& type, SourceFactory factory) {
  Registry()[type] = std::move(factory);
  return true;
}

std::vector<std::string> SourceTypes() {
  std::vector<std::string> types;
  for (const auto& [type, factory] : Registry()) types.push_back(type);
  return types;
}

std::unique_ptr<Source> MakeSource(const SourceConfig& config) {
  auto it = Registry().find(config.type);
  if (it == Registry().end()) {
    std::string known;
    for (const std::string& type : SourceTypes()) known += (known.empty() ? "" : ", ") + type;
    throw Error(ErrorCode::kInvalidInput, "unknown source type '" + config.type + "' for source '" +
                                              config.name + "' at " + config.file + " line " +
                                              std::to_string(config.line) +
                                              "; known types: " + known);
  }
  return it->second(config);
}

}  // namespace macropipe
