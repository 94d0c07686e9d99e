#include "core/metrics.h"

#include <fmt/format.h>

#include "core/error.h"

namespace macropipe {
namespace {

// Escapes a label value as the text format requires: backslash, double quote and newline.
std::string EscapeLabelValue(const std::string& value) {
  std::string escaped;
  for (char c : value) {
    if (c == '\\') {
      escaped += "\\\\";
    } else if (c == '"') {
      escaped += "\\\"";
    } else if (c == '\n') {
      escaped += "\\n";
    } else {
      escaped += c;
    }
  }
  return escaped;
}

// Adds `le` to already formatted labels.
std::string WithBound(const std::string& labels, const std::string& bound) {
  std::string le = "le=\"" + bound + "\"";
  if (labels.empty()) return "{" + le + "}";
  return labels.substr(0, labels.size() - 1) + "," + le + "}";
}

}  // namespace

MetricFamily::MetricFamily(std::string name, std::string help, std::string type)
    : name_(std::move(name)), help_(std::move(help)), type_(std::move(type)) {}

void MetricFamily::AppendPrometheus(std::string& out) const {
  out += fmt::format("# HELP {} {}\n# TYPE {} {}\n", name_, help_, name_, type_);
  std::lock_guard lock(mutex_);
  AppendSamples(out);
}

std::string MetricFamily::FormatLabels(const MetricLabels& labels) {
  if (labels.empty()) return "";
  std::string text = "{";
  for (const auto& [name, value] : labels) {
    if (text.size() > 1) text += ",";
    text += name + "=\"" + EscapeLabelValue(value) + "\"";
  }
  return text + "}";
}

void Counter::Increment(const MetricLabels& labels, double amount) {
  std::string key = FormatLabels(labels);
  std::lock_guard lock(mutex_);
  values_[key] += amount;
}

double Counter::Value(const MetricLabels& labels) const {
  std::string key = FormatLabels(labels);
  std::lock_guard lock(mutex_);
  auto found = values_.find(key);
  return found == values_.end() ? 0 : found->second;
}

void Counter::AppendSamples(std::string& out) const {
  for (const auto& [labels, value] : values_) {
    out += fmt::format("{}{} {}\n", name(), labels, value);
  }
}

Histogram::Histogram(std::string name, std::string help, std::vector<double> bounds)
    : MetricFamily(std::move(name), std::move(help), "histogram"), bounds_(std::move(bounds)) {}

void Histogram::Observe(const MetricLabels& labels, double value) {
  std::string key = FormatLabels(labels);
  std::lock_guard lock(mutex_);
  Series& series = series_[key];
  if (series.buckets.empty()) series.buckets.resize(bounds_.size());
  for (size_t i = 0; i < bounds_.size(); ++i) {
    if (value <= bounds_[i]) {
      ++series.buckets[i];
      break;
    }
  }
  ++series.count;
  series.sum += value;
}

int64_t Histogram::Count(const MetricLabels& labels) const {
  std::string key = FormatLabels(labels);
  std::lock_guard lock(mutex_);
  auto found = series_.find(key);
  return found == series_.end() ? 0 : found->second.count;
}

void Histogram::AppendSamples(std::string& out) const {
  for (const auto& [labels, series] : series_) {
    int64_t cumulative = 0;
    for (size_t i = 0; i < bounds_.size(); ++i) {
      cumulative += series.buckets[i];
      out += fmt::format("{}_bucket{} {}\n", name(),
                         WithBound(labels, fmt::format("{}", bounds_[i])), cumulative);
    }
    out += fmt::format("{}_bucket{} {}\n", name(), WithBound(labels, "+Inf"), series.count);
    out += fmt::format("{}_sum{} {}\n", name(), labels, series.sum);
    out += fmt::format("{}_count{} {}\n", name(), labels, series.count);
  }
}

const std::vector<double>& LatencyBucketsSeconds() {
  static const std::vector<double> bounds = {0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25,
                                             0.5,   1,     2.5,  5,     10,   30,  60};
  return bounds;
}

MetricsRegistry& MetricsRegistry::Global() {
  static MetricsRegistry registry;
  return registry;
}

template <typename Family, typename... Args>
Family& MetricsRegistry::Add(const std::string& name, Args&&... args) {
  std::lock_guard lock(mutex_);
  std::unique_ptr<MetricFamily>& family = families_[name];
  if (!family) family = std::make_unique<Family>(name, std::forward<Args>(args)...);
  auto* typed = dynamic_cast<Family*>(family.get());
  if (typed == nullptr) {
    throw Error(ErrorCode::kInvalidInput, "metric " + name + " is already a " + family->type() +
                                              "; give the new metric another name");
  }
  return *typed;
}

Counter& MetricsRegistry::AddCounter(const std::string& name, const std::string& help) {
  return Add<Counter>(name, help);
}

Histogram& MetricsRegistry::AddHistogram(const std::string& name, const std::string& help,
                                         const std::vector<double>& bounds) {
  return Add<Histogram>(name, help, bounds);
}

std::string MetricsRegistry::Prometheus() const {
  std::lock_guard lock(mutex_);
  std::string out;
  for (const auto& [name, family] : families_) family->AppendPrometheus(out);
  return out;
}

}  // namespace macropipe
