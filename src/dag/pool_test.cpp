#include "dag/pool.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe::dag {
namespace {

TEST(PoolTest, SlotsAreLimitedAndReturned) {
  Pools pools({{"ingest", 2}});
  {
    std::optional<PoolSlot> first = pools.TryAcquire("ingest");
    std::optional<PoolSlot> second = pools.TryAcquire("ingest");
    ASSERT_TRUE(first.has_value());
    ASSERT_TRUE(second.has_value());
    EXPECT_FALSE(pools.TryAcquire("ingest").has_value());
    EXPECT_EQ(pools.Usage("ingest").in_use, 2);
  }
  EXPECT_EQ(pools.Usage("ingest").in_use, 0);
  EXPECT_EQ(pools.Usage("ingest").max_in_use, 2);
  EXPECT_EQ(pools.releases(), 2u);
}

TEST(PoolTest, MovedSlotIsReturnedOnce) {
  Pools pools({{"load", 1}});
  std::optional<PoolSlot> slot = pools.TryAcquire("load");
  ASSERT_TRUE(slot.has_value());
  PoolSlot moved = std::move(*slot);
  slot.reset();
  EXPECT_EQ(pools.Usage("load").in_use, 1);
  { PoolSlot gone = std::move(moved); }
  EXPECT_EQ(pools.Usage("load").in_use, 0);
}

TEST(PoolTest, SlotReturnedDuringUnwinding) {
  Pools pools({{"load", 1}});
  try {
    PoolSlot slot = *pools.TryAcquire("load");
    throw std::runtime_error("body failed");
  } catch (const std::runtime_error&) {
  }
  EXPECT_EQ(pools.Usage("load").in_use, 0);
}

TEST(PoolTest, DefaultPoolExistsAndUnknownPoolThrows) {
  Pools pools;
  EXPECT_EQ(pools.Usage("default_pool").slots, 128);
  EXPECT_THROW(pools.TryAcquire("nope"), Error);
  EXPECT_THROW(Pools({{"zero", 0}}), Error);
}

}  // namespace
}  // namespace macropipe::dag
