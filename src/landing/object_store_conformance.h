// The conformance suite every ObjectStore implementation must pass unchanged.
// A backend's test file instantiates it with a factory:
//
//   INSTANTIATE_TEST_SUITE_P(Local, ObjectStoreConformanceTest,
//                            ::testing::Values(ObjectStoreBackend{"local", MakeLocal}));
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <string>

#include "landing/object_store.h"

namespace macropipe::testing {

struct ObjectStoreBackend {
  std::string name;
  // Creates an empty store; `scratch` is a fresh folder the store may use.
  std::function<std::unique_ptr<ObjectStore>(const std::filesystem::path& scratch)> make;
};

class ObjectStoreConformanceTest : public ::testing::TestWithParam<ObjectStoreBackend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  ObjectStore& store() { return *store_; }

 private:
  std::filesystem::path scratch_;
  std::unique_ptr<ObjectStore> store_;
};

}  // namespace macropipe::testing
