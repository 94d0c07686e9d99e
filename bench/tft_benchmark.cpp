// Measures the TFT forecaster with its default settings: training throughput,
// the time of one full fit, the median time of one forecast and peak memory.
//
//   build-tft/bench/tft_benchmark [--fredmd FILE] [--forecasts N] [--threads N]
//                                 [--ensemble N] [--max-epochs N]
//
// Without --fredmd it reads data/fredmd/2025-02.csv under
// MACROPIPE_RECORDED_DATA_DIR when that exists, and otherwise a synthetic
// panel of the same shape (792 months by 126 columns).
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <string>
#include <vector>

#include "core/error.h"
#include "core/files.h"
#include "forecast/tft/fredmd_panel.h"
#include "forecast/tft/tft_forecaster.h"
#include "forecast/tft/torch_runtime.h"
#include "sources/fredmd.h"

namespace {

using macropipe::forecast::Panel;
using Clock = std::chrono::steady_clock;

// Gaussian AR(1) columns on the FRED-MD grid, the first being the target.
Panel SyntheticPanel(size_t months, size_t columns) {
  std::mt19937_64 random(3);
  std::normal_distribution<double> normal(0.0, 1.0);
  Panel panel;
  for (size_t t = 0; t < months; ++t) {
    panel.months.push_back(macropipe::Date(1959, 3, 1).AddMonths(static_cast<int>(t)));
  }
  for (size_t j = 0; j < columns; ++j) {
    panel.names.push_back("x" + std::to_string(j));
    std::vector<double> column;
    double x = 0.0;
    for (size_t t = 0; t < months; ++t) column.push_back(x = 0.6 * x + normal(random));
    panel.columns.push_back(std::move(column));
  }
  return panel;
}

double Seconds(Clock::duration duration) { return std::chrono::duration<double>(duration).count(); }

int Run(int argc, char** argv) {
  std::string fredmd;
  int forecasts = 200;
  macropipe::forecast::tft::TftSettings settings;
  for (int i = 1; i < argc; i += 2) {
    std::string flag = argv[i];
    if (i + 1 == argc) {
      std::fprintf(stderr, "option %s needs a value\n", argv[i]);
      return 2;
    }
    if (flag == "--fredmd") {
      fredmd = argv[i + 1];
    } else if (flag == "--forecasts") {
      forecasts = std::max(1, std::atoi(argv[i + 1]));
    } else if (flag == "--threads") {
      settings.threads = std::atoi(argv[i + 1]);
    } else if (flag == "--ensemble") {
      settings.ensemble_size = std::atoi(argv[i + 1]);
    } else if (flag == "--max-epochs") {
      settings.max_epochs = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr,
                   "unknown option %s; use --fredmd FILE, --forecasts N, --threads N, "
                   "--ensemble N or --max-epochs N\n",
                   argv[i]);
      return 2;
    }
  }
  if (fredmd.empty()) {
    const char* dir = std::getenv("MACROPIPE_RECORDED_DATA_DIR");
    std::filesystem::path candidate =
        std::filesystem::path(dir ? dir : "") / "data/fredmd/2025-02.csv";
    if (dir && std::filesystem::exists(candidate)) fredmd = candidate.string();
  }

  Panel panel = fredmd.empty() ? SyntheticPanel(792, 126)
                               : macropipe::forecast::tft::FredMdPanel(
                                     macropipe::ParseFredMd(macropipe::ReadFile(fredmd), fredmd),
                                     "CPIAUCSL", {});
  macropipe::forecast::tft::TftForecaster tft(settings);
  size_t end = panel.months.size();

  Clock::time_point start = Clock::now();
  tft.Fit(panel, 0, end);
  double fit_seconds = Seconds(Clock::now() - start);
  int64_t samples = 0;
  for (const auto& member : tft.training_history()) {
    samples += member.training_windows * static_cast<int64_t>(member.training_loss.size());
  }

  std::vector<double> forecast_ms;
  for (int i = 0; i < forecasts; ++i) {
    Clock::time_point begin = Clock::now();
    tft.Predict(panel, end - 1, settings.max_horizon);
    forecast_ms.push_back(1000.0 * Seconds(Clock::now() - begin));
  }
  std::sort(forecast_ms.begin(), forecast_ms.end());

  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  std::printf("panel: %s, %zu months x %zu columns\n",
              fredmd.empty() ? "synthetic" : fredmd.c_str(), panel.months.size(),
              panel.columns.size());
  std::printf("blas: %s; torch threads: %d\n", macropipe::forecast::tft::BlasLibraryPath(),
              settings.threads);
  std::printf("ensemble: %d members, epochs run:", settings.ensemble_size);
  for (const auto& member : tft.training_history()) {
    std::printf(" %zu", member.training_loss.size());
  }
  std::printf(" (training windows %lld)\n",
              static_cast<long long>(tft.training_history().front().training_windows));
  std::printf("full fit: %.1f s\n", fit_seconds);
  std::printf("training: %.0f samples/s\n", static_cast<double>(samples) / fit_seconds);
  std::printf("forecast: median %.2f ms, p90 %.2f ms over %d\n",
              forecast_ms[forecast_ms.size() / 2], forecast_ms[forecast_ms.size() * 9 / 10],
              forecasts);
  std::printf("peak RSS: %.0f MiB\n", static_cast<double>(usage.ru_maxrss) / 1024.0);
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const macropipe::Error& error) {
    std::fprintf(stderr, "tft_benchmark: %s\n", error.what());
    return 1;
  }
}
