// The conformance suite every Warehouse implementation must pass unchanged:
// the loading rules, transactions, real-time queries and read-only SQL.
// A backend's test file instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, WarehouseConformanceTest,
//                            ::testing::Values(WarehouseBackend{"sqlite", MakeSqlite}));
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "warehouse/warehouse.h"

namespace macropipe::testing {

struct WarehouseBackend {
  std::string name;
  // Creates an empty warehouse; `scratch` is a fresh folder it may use.
  std::function<std::unique_ptr<Warehouse>(const std::filesystem::path& scratch)> make;
};

// Rows from memory; throws after `fail_after` rows when it is set, to test rollback.
class VectorStream : public ObservationStream {
 public:
  explicit VectorStream(std::vector<ObservationRow> rows, int fail_after = -1)
      : rows_(std::move(rows)), fail_after_(fail_after) {}
  bool Next(ObservationRow& row) override;
  const std::vector<RejectedRow>& rejected() const override { return rejected_; }
  std::vector<RejectedRow>& mutable_rejected() { return rejected_; }

 private:
  std::vector<ObservationRow> rows_;
  int fail_after_;
  size_t next_ = 0;
  std::vector<RejectedRow> rejected_;
};

class WarehouseConformanceTest : public ::testing::TestWithParam<WarehouseBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  Warehouse& warehouse() { return *warehouse_; }

  // Loads `rows` for series `id` of source "test" as object `key` at `vintage`.
  LoadResult LoadSnapshot(const std::string& id, const std::string& vintage,
                          const std::vector<std::pair<std::string, std::optional<double>>>& rows,
                          const std::string& key = "");

  // Returns "date=value" pairs of the series as known on `as_of` (latest when empty).
  std::vector<std::string> ValuesAsOf(const std::string& id, const std::string& as_of = "");

  // Runs `sql` and returns the first column of the first row as text.
  std::string QueryScalar(const std::string& sql);

 private:
  std::filesystem::path scratch_;
  std::unique_ptr<Warehouse> warehouse_;
  int next_object_ = 0;
};

}  // namespace macropipe::testing
