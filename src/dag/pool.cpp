#include "dag/pool.h"

#include <algorithm>
#include <utility>

#include "core/error.h"
#include "dag/dag.h"

namespace macropipe::dag {

PoolSlot::PoolSlot(PoolSlot&& other) noexcept
    : pools_(std::exchange(other.pools_, nullptr)), pool_(std::move(other.pool_)) {}

PoolSlot& PoolSlot::operator=(PoolSlot&& other) noexcept {
  if (this == &other) return *this;
  if (pools_ != nullptr) pools_->Release(pool_);
  pools_ = std::exchange(other.pools_, nullptr);
  pool_ = std::move(other.pool_);
  return *this;
}

PoolSlot::~PoolSlot() {
  if (pools_ != nullptr) pools_->Release(pool_);
}

Pools::Pools(std::map<std::string, int> slots) {
  slots.try_emplace(kDefaultPool, 128);
  for (const auto& [name, size] : slots) {
    ValidateId(name, "pool name");
    if (size < 1) {
      throw Error(ErrorCode::kInvalidInput,
                  "pool '" + name + "' has " + std::to_string(size) + " slots; give it at least 1");
    }
    pools_[name].slots = size;
  }
}

std::optional<PoolSlot> Pools::TryAcquire(const std::string& pool) {
  std::lock_guard lock(mutex_);
  auto it = pools_.find(pool);
  if (it == pools_.end()) {
    throw Error(ErrorCode::kNotFound,
                "pool '" + pool + "' is not configured; add it to the pools in the config");
  }
  PoolUsage& usage = it->second;
  if (usage.in_use >= usage.slots) return std::nullopt;
  ++usage.in_use;
  usage.max_in_use = std::max(usage.max_in_use, usage.in_use);
  return PoolSlot(this, pool);
}

void Pools::Release(const std::string& pool) {
  std::lock_guard lock(mutex_);
  --pools_.at(pool).in_use;
  ++releases_;
}

PoolUsage Pools::Usage(const std::string& pool) const {
  std::lock_guard lock(mutex_);
  auto it = pools_.find(pool);
  if (it == pools_.end())
    throw Error(ErrorCode::kNotFound, "pool '" + pool + "' is not configured");
  return it->second;
}

bool Pools::Contains(const std::string& pool) const {
  std::lock_guard lock(mutex_);
  return pools_.contains(pool);
}

uint64_t Pools::releases() const {
  std::lock_guard lock(mutex_);
  return releases_;
}

}  // namespace macropipe::dag
