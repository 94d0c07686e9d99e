// The Temporal Fusion Transformer as a Forecaster: direct quantile forecasts
// of the panel's target for horizons 1..max_horizon, from an ensemble of
// models trained with different seeds.
//
//   TftForecaster tft(TftSettings{});
//   tft.Fit(panel, begin, end);
//   std::vector<QuantileForecast> forecast = tft.Predict(panel, end - 1, 12);
//
// Inputs: every panel column (target included) is an observed input over the
// encoder months; the month of year and a time index are known inputs over
// encoder and decoder months; an entity embedding tells the panel's target
// from related_targets. Thread-compatible: one object per thread, and fits in
// one process share LibTorch's global thread and random settings.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "forecast/explained_forecaster.h"
#include "forecast/tft/tft_settings.h"

namespace macropipe::forecast::tft {

class TftForecaster : public ExplainedForecaster {
 public:
  // Throws Error(kInvalidInput) for settings out of range.
  explicit TftForecaster(TftSettings settings = {});
  ~TftForecaster() override;
  TftForecaster(TftForecaster&&) noexcept;
  TftForecaster& operator=(TftForecaster&&) noexcept;

  std::string name() const override { return "tft"; }

  // Trains the ensemble on rows [begin, end). The last validation_fraction of
  // those rows supply only validation targets for early stopping. Throws
  // Error(kInvalidInput) for a malformed panel, an infinite value (naming the
  // column and month), unknown related targets, too few rows for one training
  // and one validation window, or a training loss that is not finite.
  void Fit(const Panel& panel, size_t begin, size_t end) override;

  // Forecasts the target for horizons 1..max_horizon after row `origin`,
  // reading rows up to `origin` only; p10 <= p50 <= p90 at every horizon.
  // Throws Error(kFailedPrecondition) before Fit, and Error(kInvalidInput) for
  // a panel whose columns differ from the fitted one, an origin with fewer than
  // encoder_length rows up to it, or a max_horizon beyond the setting.
  std::vector<QuantileForecast> Predict(const Panel& panel, size_t origin,
                                        int max_horizon) override;

  const TftSettings& settings() const { return settings_; }
  // One history per ensemble member, from the last Fit.
  const std::vector<TrainingHistory>& training_history() const { return history_; }
  // Encoder inputs: the panel's columns, then the known inputs. Computed on
  // the training windows at the end of Fit.
  const std::vector<InputImportance>& encoder_importance() const override {
    return encoder_importance_;
  }
  // Decoder inputs: the known inputs only.
  const std::vector<InputImportance>& decoder_importance() const override {
    return decoder_importance_;
  }
  const AttentionMap& last_attention() const override { return last_attention_; }

  std::vector<std::pair<std::string, double>> setting_values() const override {
    return TftSettingValues(settings_);
  }

  // Saves the settings, scalers, column names, importances and every
  // ensemble member's parameters in LibTorch's archive format.
  void Save(const std::filesystem::path& path) const override;
  // Loads a saved model; the saved settings must equal settings() except for
  // threads, and the saved columns and target must equal the panel's.
  void Load(const std::filesystem::path& path, const Panel& panel) override;

 private:
  struct Models;  // The trained networks and scalers; keeps LibTorch out of this header.

  TftSettings settings_;
  std::unique_ptr<Models> models_;
  std::vector<TrainingHistory> history_;
  std::vector<InputImportance> encoder_importance_;
  std::vector<InputImportance> decoder_importance_;
  AttentionMap last_attention_;
};

// Creates a TftForecaster behind the Forecaster interface. The forecaster
// registry also creates it by name: MakeForecaster("tft", options).
std::unique_ptr<Forecaster> MakeTftForecaster(const TftSettings& settings = {});

}  // namespace macropipe::forecast::tft
