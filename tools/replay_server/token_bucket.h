// The replay server's request rate limit: a token bucket that refills at
// `rate` tokens per second up to `burst`, one token per request.
//
//   TokenBucket bucket(20, 20);
//   if (!bucket.TryTake()) { /* send 429 */ }
//
// With burst equal to rate, any one-second window admits at most rate plus
// burst requests, and a client that spaces its requests 1/rate apart is never
// rejected. Thread-safe.
#pragma once

#include <chrono>
#include <mutex>

namespace macropipe::replay {

class TokenBucket {
 public:
  TokenBucket(double rate, double burst);
  bool TryTake();

 private:
  std::mutex mutex_;
  const double rate_;
  const double burst_;
  double tokens_;                                   // Guarded by mutex_.
  std::chrono::steady_clock::time_point refilled_;  // Guarded by mutex_.
};

}  // namespace macropipe::replay
