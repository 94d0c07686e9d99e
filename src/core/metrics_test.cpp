#include "core/metrics.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe {
namespace {

TEST(MetricsRegistryTest, CounterInTextFormat) {
  MetricsRegistry registry;
  Counter& counter = registry.AddCounter("test_requests_total", "Requests of the test.");
  counter.Increment({{"source", "fred"}});
  counter.Increment({{"source", "fred"}}, 2);
  counter.Increment({{"source", "a\"b\\c\nd"}});
  EXPECT_EQ(counter.Value({{"source", "fred"}}), 3);
  EXPECT_EQ(counter.Value({{"source", "census"}}), 0);
  EXPECT_EQ(registry.Prometheus(),
            "# HELP test_requests_total Requests of the test.\n"
            "# TYPE test_requests_total counter\n"
            "test_requests_total{source=\"a\\\"b\\\\c\\nd\"} 1\n"
            "test_requests_total{source=\"fred\"} 3\n");
}

TEST(MetricsRegistryTest, HistogramBucketsAreCumulative) {
  MetricsRegistry registry;
  Histogram& histogram = registry.AddHistogram("test_seconds", "Latency.", {0.5, 1});
  for (double value : {0.25, 0.5, 0.75, 3.0}) histogram.Observe({{"task", "load"}}, value);
  histogram.Observe({}, 0.2);
  EXPECT_EQ(histogram.Count({{"task", "load"}}), 4);
  EXPECT_EQ(registry.Prometheus(),
            "# HELP test_seconds Latency.\n"
            "# TYPE test_seconds histogram\n"
            "test_seconds_bucket{le=\"0.5\"} 1\n"
            "test_seconds_bucket{le=\"1\"} 1\n"
            "test_seconds_bucket{le=\"+Inf\"} 1\n"
            "test_seconds_sum 0.2\n"
            "test_seconds_count 1\n"
            "test_seconds_bucket{task=\"load\",le=\"0.5\"} 2\n"
            "test_seconds_bucket{task=\"load\",le=\"1\"} 3\n"
            "test_seconds_bucket{task=\"load\",le=\"+Inf\"} 4\n"
            "test_seconds_sum{task=\"load\"} 4.5\n"
            "test_seconds_count{task=\"load\"} 4\n");
}

TEST(MetricsRegistryTest, SameNameReturnsSameFamily) {
  MetricsRegistry registry;
  Counter& first = registry.AddCounter("test_total", "Help.");
  first.Increment({});
  EXPECT_EQ(&registry.AddCounter("test_total", "Help."), &first);
  EXPECT_THROW(registry.AddHistogram("test_total", "Help."), Error);
}

}  // namespace
}  // namespace macropipe
