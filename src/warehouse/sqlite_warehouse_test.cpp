#include <gtest/gtest.h>

#include "core/error.h"
#include "test_support.h"
#include "warehouse/warehouse_conformance.h"

namespace macropipe::testing {
namespace {

INSTANTIATE_TEST_SUITE_P(Sqlite, WarehouseConformanceTest,
                         ::testing::Values(WarehouseBackend{
                             "sqlite",
                             [](const std::filesystem::path& scratch) {
                               return OpenSqliteWarehouse((scratch / "warehouse.db").string());
                             }}),
                         [](const ::testing::TestParamInfo<WarehouseBackend>& info) {
                           return info.param.name;
                         });

TEST(SqliteWarehouseTest, ReadOnlyWarehouseRejectsBacktests) {
  ScratchDir dir;
  std::string path = (dir / "warehouse.db").string();
  OpenSqliteWarehouse(path);
  auto reader = OpenSqliteWarehouse(path, /*read_only=*/true);
  try {
    reader->StoreBacktest(BacktestRecord{});
    ADD_FAILURE() << "a read-only warehouse stored a backtest";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kFailedPrecondition);
  }
  EXPECT_FALSE(reader->ReadBacktest(1).has_value());
}

}  // namespace
}  // namespace macropipe::testing
