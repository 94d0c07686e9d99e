// Turns a Panel into the fixed-length windows the TFT trains and forecasts on,
// without LibTorch: scaling fitted on training rows only, explicit handling of
// gaps and ragged edges, and calendar inputs for future months.
//
//   WindowBuilder builder = WindowBuilder::Fit(panel, begin, end, 24, 12);
//   PreparedRows rows = builder.Prepare(panel, begin, end);
//   builder.Append(panel, rows, origin, /*entity=*/0, panel.target_column, end, windows);
//
// A WindowBuilder is immutable after Fit; const methods are safe to call from
// several threads.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "forecast/forecaster.h"

namespace macropipe::forecast::tft {

// Standardization (x - mean) / scale. A column without variance in the
// training rows gets scale 1, so it is centred and never divided by zero.
struct ColumnScaler {
  double mean = 0.0;
  double scale = 1.0;
};

// The known-future inputs, in the order the model receives them: the month of
// year as a point on the unit circle, and the month count since year 0.
std::vector<std::string> KnownInputNames();
inline constexpr int kKnownInputCount = 3;

// Row-major buffers of `count` windows, ready to wrap as tensors.
struct WindowData {
  int64_t count = 0;
  std::vector<float> observed;     // [count, encoder_length, columns, 2]: value, missing flag.
  std::vector<float> known;        // [count, encoder_length + decoder_length, 3]
  std::vector<int64_t> entity;     // [count]
  std::vector<float> target;       // [count, decoder_length], scaled; 0 where masked.
  std::vector<float> target_mask;  // [count, decoder_length]: 1 where the target may be used.
};

// Scaled panel rows [first, first + size) with gaps filled explicitly. A
// missing value (NaN), such as a series that ends before the target does,
// carries the column's last observed value forward; before the first
// observation it is the training mean (0 after scaling). Either way its
// missing flag is 1, so the model can tell carried values from observed ones.
struct PreparedRows {
  size_t first = 0;
  std::vector<std::vector<float>> value;    // [column][row - first]
  std::vector<std::vector<float>> missing;  // [column][row - first]: 1 or 0.
};

class WindowBuilder {
 public:
  // Validates `panel` (one value per month and column, contiguous months) and
  // fits the scalers on rows [begin, end) only. Throws Error(kInvalidInput)
  // for a malformed panel or an empty or out-of-range row span.
  static WindowBuilder Fit(const Panel& panel, size_t begin, size_t end, int encoder_length,
                           int decoder_length);

  // Rebuilds a fitted builder from the parts a saved model keeps.
  static WindowBuilder Restore(std::vector<ColumnScaler> scalers, ColumnScaler time_scaler,
                               int encoder_length, int decoder_length);

  // Scales and fills rows [first, last), reading nothing outside them. Throws
  // Error(kInvalidInput) naming the column and month of an infinite value.
  PreparedRows Prepare(const Panel& panel, size_t first, size_t last) const;

  // Appends the window whose encoder ends at row `origin`: observed inputs from
  // rows origin - encoder_length + 1 .. origin of `rows`, calendar inputs for
  // those months and the decoder_length months after, and the targets of
  // column `target_column` at rows origin + 1 .. origin + decoder_length that
  // lie before `label_end` and are not missing (others are masked).
  void Append(const Panel& panel, const PreparedRows& rows, size_t origin, int64_t entity,
              size_t target_column, size_t label_end, WindowData& out) const;

  // Converts a scaled value of `column` back to the panel's units.
  double Unscale(size_t column, double scaled) const;

  const std::vector<ColumnScaler>& scalers() const { return scalers_; }
  const ColumnScaler& time_scaler() const { return time_scaler_; }
  int encoder_length() const { return encoder_length_; }
  int decoder_length() const { return decoder_length_; }

 private:
  WindowBuilder() = default;

  std::vector<ColumnScaler> scalers_;
  ColumnScaler time_scaler_;
  int encoder_length_ = 0;
  int decoder_length_ = 0;
};

// Throws Error(kInvalidInput) unless `panel` has a name and a full column for
// every month, months that are first days of consecutive months, and a target
// column that exists.
void ValidatePanel(const Panel& panel);

}  // namespace macropipe::forecast::tft
