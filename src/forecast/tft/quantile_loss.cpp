#include "forecast/tft/quantile_loss.h"

#include <c10/util/StringUtil.h>
#include <torch/types.h>

#include "core/error.h"

namespace macropipe::forecast::tft {

torch::Tensor QuantileLoss(const torch::Tensor& predictions, const torch::Tensor& targets,
                           const torch::Tensor& mask, const std::vector<double>& quantiles) {
  auto quantile_count = static_cast<int64_t>(quantiles.size());
  if (predictions.dim() != 3 || predictions.size(2) != quantile_count ||
      targets.sizes() != predictions.sizes().slice(0, 2) || mask.sizes() != targets.sizes()) {
    throw Error(ErrorCode::kInternal,
                "quantile loss shapes do not match: predictions " + c10::str(predictions.sizes()) +
                    ", targets " + c10::str(targets.sizes()) + ", mask " + c10::str(mask.sizes()) +
                    ", " + std::to_string(quantile_count) + " quantiles");
  }
  torch::Tensor levels =
      torch::tensor(std::vector<float>(quantiles.begin(), quantiles.end()), predictions.options());
  torch::Tensor error = targets.unsqueeze(-1) - predictions;  // [samples, horizons, quantiles]
  torch::Tensor pinball = torch::max(levels * error, (levels - 1) * error);
  return (pinball * mask.unsqueeze(-1)).sum() / predictions.size(0);
}

}  // namespace macropipe::forecast::tft
