// Pools: named groups of slots that limit how many tasks run at once, shared
// by every run in the process. A task holds one slot of its pool while its
// body runs. Pools limit concurrency only; request rates are the business of
// the HTTP layer's rate budgets inside task bodies.
//
//   Pools pools({{"ingest", 10}, {"default_pool", 128}});
//   if (std::optional<PoolSlot> slot = pools.TryAcquire("ingest")) { ... }  // Returned on scope
//   exit.
//
// Thread-safe.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>

namespace macropipe::dag {

class Pools;

// One slot of a pool, returned to it when the PoolSlot is destroyed, also
// during stack unwinding. Move-only.
class PoolSlot {
 public:
  PoolSlot(PoolSlot&& other) noexcept;
  PoolSlot& operator=(PoolSlot&& other) noexcept;
  PoolSlot(const PoolSlot&) = delete;
  PoolSlot& operator=(const PoolSlot&) = delete;
  ~PoolSlot();

  const std::string& pool() const { return pool_; }

 private:
  friend class Pools;
  PoolSlot(Pools* pools, std::string pool) : pools_(pools), pool_(std::move(pool)) {}

  Pools* pools_;  // Null once moved from.
  std::string pool_;
};

struct PoolUsage {
  int slots = 0;
  int in_use = 0;
  int max_in_use = 0;  // The highest in_use seen since the pool was created.
};

class Pools {
 public:
  // `slots` maps pool names to their sizes; "default_pool" is added with 128
  // slots, as in Airflow, unless given. Throws Error(kInvalidInput) for a size < 1.
  explicit Pools(std::map<std::string, int> slots = {});
  Pools(const Pools&) = delete;
  Pools& operator=(const Pools&) = delete;

  // Takes a slot without waiting; nullopt when every slot of `pool` is in use.
  // Throws Error(kNotFound) for a pool that was never configured.
  std::optional<PoolSlot> TryAcquire(const std::string& pool);

  // Throws Error(kNotFound) for an unknown pool.
  PoolUsage Usage(const std::string& pool) const;
  bool Contains(const std::string& pool) const;
  // Increases each time a slot is returned, so a waiter can tell whether to look again.
  uint64_t releases() const;

 private:
  friend class PoolSlot;
  void Release(const std::string& pool);

  mutable std::mutex mutex_;
  std::map<std::string, PoolUsage> pools_;  // Guarded by mutex_.
  uint64_t releases_ = 0;                   // Guarded by mutex_.
};

}  // namespace macropipe::dag
