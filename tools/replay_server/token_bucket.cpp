#include "token_bucket.h"

#include <algorithm>

namespace macropipe::replay {

TokenBucket::TokenBucket(double rate, double burst)
    : rate_(rate), burst_(burst), tokens_(burst), refilled_(std::chrono::steady_clock::now()) {}

bool TokenBucket::TryTake() {
  std::lock_guard lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  std::chrono::duration<double> elapsed = now - refilled_;
  tokens_ = std::min(burst_, tokens_ + elapsed.count() * rate_);
  refilled_ = now;
  if (tokens_ < 1.0) return false;
  tokens_ -= 1.0;
  return true;
}

}  // namespace macropipe::replay
