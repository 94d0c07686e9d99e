// The quantile (pinball) loss the TFT trains on.
//
//   torch::Tensor loss = QuantileLoss(predictions, targets, mask, {0.1, 0.5, 0.9});
//
// A pure function; safe to call from any thread.
#pragma once

#include <torch/types.h>

#include <vector>

namespace macropipe::forecast::tft {

// Returns the pinball loss max(q (y - yhat), (q - 1) (y - yhat)) summed over
// quantiles and horizons, averaged over samples. `predictions` is [samples,
// horizons, quantiles], `targets` and `mask` are [samples, horizons]; entries
// where `mask` is 0 (a missing target, or one after the training window)
// contribute nothing. Throws Error(kInternal) on mismatched shapes.
torch::Tensor QuantileLoss(const torch::Tensor& predictions, const torch::Tensor& targets,
                           const torch::Tensor& mask, const std::vector<double>& quantiles);

}  // namespace macropipe::forecast::tft
