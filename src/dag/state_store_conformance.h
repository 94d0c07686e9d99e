// The conformance suite every StateStore implementation must pass unchanged.
// A backend's test file instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Sqlite, StateStoreConformanceTest,
//                            ::testing::Values(StateStoreBackend{"sqlite", MakeSqlite}));
//
// A factory that cannot run (no server) calls GTEST_SKIP and returns nullptr.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "dag/state_store.h"

namespace macropipe::testing {

using dag::StateStore;

struct StateStoreBackend {
  std::string name;
  // Creates an empty store; `scratch` is a fresh folder it may use.
  // `open_again` opens a second store on the same data, as another process would.
  std::function<std::unique_ptr<StateStore>(const std::filesystem::path& scratch)> make;
  std::function<std::unique_ptr<StateStore>(const std::filesystem::path& scratch)> open_again;
};

class StateStoreConformanceTest : public ::testing::TestWithParam<StateStoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  StateStore& store() { return *store_; }
  std::unique_ptr<StateStore> OpenAgain() { return GetParam().open_again(scratch_); }

 private:
  std::filesystem::path scratch_;
  std::unique_ptr<StateStore> store_;
};

}  // namespace macropipe::testing
