#include "forecast/forecast_config.h"

#include <algorithm>

#include "core/error.h"

namespace macropipe::forecast {
namespace {

// Settings the job fixes itself, so the config may not change them.
bool FixedByJob(const std::string& name) { return name == "max_horizon"; }

void RequireNonNegative(OptionReader& reader, const std::string& key, int64_t value) {
  if (value < 0) {
    throw Error(ErrorCode::kInvalidInput, "invalid value " + std::to_string(value) + " at " +
                                              reader.Where(key) + ": it must be 0 or more");
  }
}

}  // namespace

ForecastJobSettings ReadForecastSettings(const Config& config) {
  OptionReader reader = ForecastOptions(config);
  ForecastJobSettings settings;
  settings.source = reader.String("source").value_or(settings.source);
  settings.target = reader.String("target").value_or(settings.target);
  settings.inputs = reader.StringList("inputs").value_or(settings.inputs);
  if (std::optional<std::string> as_of = reader.String("as_of")) {
    settings.as_of = Date::ParseIso(*as_of, reader.Where("as_of"));
  }
  if (std::optional<int64_t> months = reader.Integer("training_months")) {
    RequireNonNegative(reader, "training_months", *months);
    settings.training_months = static_cast<int>(std::min<int64_t>(*months, 100000));
  }
  if (std::optional<int64_t> seed = reader.Integer("seed")) {
    RequireNonNegative(reader, "seed", *seed);
    settings.seed = static_cast<uint64_t>(*seed);
  }
  for (const std::string& name : kTftSettingNames) {
    if (FixedByJob(name)) continue;
    if (std::optional<double> value = reader.Number(name)) settings.model_settings[name] = *value;
  }
  settings.output_dir = reader.String("output_dir").value_or(settings.output_dir);
  settings.model_file = reader.String("model_file").value_or(settings.model_file);
  for (const auto& [key, text] : {std::pair{"output_dir", &settings.output_dir},
                                  std::pair{"model_file", &settings.model_file}}) {
    if (text->empty()) {
      throw Error(ErrorCode::kInvalidInput,
                  "empty path at " + reader.Where(key) + ": give a path or remove the key");
    }
  }
  reader.RejectUnknownKeys();
  return settings;
}

}  // namespace macropipe::forecast
