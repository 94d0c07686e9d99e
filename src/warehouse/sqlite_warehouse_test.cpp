#include <gtest/gtest.h>

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

}  // namespace
}  // namespace macropipe::testing
