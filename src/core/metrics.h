// Counters and histograms kept in memory, each family with its own labels,
// written in the Prometheus text exposition format (version 0.0.4).
//
//   Counter& requests = MetricsRegistry::Global().AddCounter(
//       "macropipe_source_requests_total", "HTTP requests sent to each source.");
//   requests.Increment({{"source", "fred"}, {"outcome", "success"}});
//   std::string text = MetricsRegistry::Global().Prometheus();
//
// Thread-safe: families are added and updated from any thread. A family lives
// as long as its registry, so the references that Add* return stay valid.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace macropipe {

// Label names and values, in the order they are written.
using MetricLabels = std::vector<std::pair<std::string, std::string>>;

class MetricFamily {
 public:
  MetricFamily(std::string name, std::string help, std::string type);
  virtual ~MetricFamily() = default;
  MetricFamily(const MetricFamily&) = delete;
  MetricFamily& operator=(const MetricFamily&) = delete;

  const std::string& name() const { return name_; }
  const std::string& type() const { return type_; }
  // Appends the # HELP and # TYPE lines, then one line per sample.
  void AppendPrometheus(std::string& out) const;

 protected:
  virtual void AppendSamples(std::string& out) const = 0;
  // Writes `labels` as `{name="value",...}`, escaping the values; empty labels write nothing.
  static std::string FormatLabels(const MetricLabels& labels);

  mutable std::mutex mutex_;

 private:
  const std::string name_;
  const std::string help_;
  const std::string type_;
};

class Counter : public MetricFamily {
 public:
  Counter(std::string name, std::string help) : MetricFamily(name, help, "counter") {}
  void Increment(const MetricLabels& labels, double amount = 1);
  // The current value of one labelled series; 0 when it was never incremented.
  double Value(const MetricLabels& labels) const;

 private:
  void AppendSamples(std::string& out) const override;
  std::map<std::string, double> values_;  // By formatted labels; guarded by mutex_.
};

class Histogram : public MetricFamily {
 public:
  // `bounds` are the upper bounds of the buckets, ascending; +Inf is added.
  Histogram(std::string name, std::string help, std::vector<double> bounds);
  void Observe(const MetricLabels& labels, double value);
  // How many values one labelled series has observed.
  int64_t Count(const MetricLabels& labels) const;

 private:
  struct Series {
    std::vector<int64_t> buckets;  // Not cumulative: values in (previous bound, bound].
    int64_t count = 0;
    double sum = 0;
  };
  void AppendSamples(std::string& out) const override;

  const std::vector<double> bounds_;
  std::map<std::string, Series> series_;  // By formatted labels; guarded by mutex_.
};

// Bucket bounds in seconds for latencies from a millisecond to a minute.
const std::vector<double>& LatencyBucketsSeconds();

class MetricsRegistry {
 public:
  // The registry of the process, which task bodies and connectors record into.
  static MetricsRegistry& Global();

  // Each returns the family of that name, creating it on first use. Throws
  // Error(kInvalidInput) when the name is taken by a family of another type.
  Counter& AddCounter(const std::string& name, const std::string& help);
  Histogram& AddHistogram(const std::string& name, const std::string& help,
                          const std::vector<double>& bounds = LatencyBucketsSeconds());

  // Every family, ordered by name.
  std::string Prometheus() const;

 private:
  template <typename Family, typename... Args>
  Family& Add(const std::string& name, Args&&... args);

  mutable std::mutex mutex_;
  std::map<std::string, std::unique_ptr<MetricFamily>> families_;  // Guarded by mutex_.
};

}  // namespace macropipe
