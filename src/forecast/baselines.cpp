#include "forecast/baselines.h"

#include <memory>

#include "forecast/ar_forecaster.h"
#include "forecast/lasso_forecaster.h"
#include "forecast/naive_forecasters.h"
#include "forecast/registry.h"

namespace macropipe::forecast {
namespace {

template <typename Model>
void Register(const std::string& name) {
  RegisterForecasterType(name, [](const ForecasterOptions& options) -> std::unique_ptr<Forecaster> {
    return std::make_unique<Model>(options);
  });
}

}  // namespace

void RegisterBaselineForecasters() {
  Register<RandomWalkForecaster>("rw");
  Register<MovingAverageForecaster>("ao12");
  Register<DirectArForecaster>("ar4");
  Register<LassoForecaster>("lasso");
}

}  // namespace macropipe::forecast
