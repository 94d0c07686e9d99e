#include <gtest/gtest.h>

#include <set>

#include "core/config.h"
#include "sources/source.h"

namespace macropipe {
namespace {

TEST(ExampleConfigTest, CreatesEverySource) {
  Config config = Config::LoadFile(std::string(MACROPIPE_SOURCE_DIR) + "/examples/pipeline.toml");
  std::set<std::string> types;
  for (const SourceConfig& source : config.sources) {
    SCOPED_TRACE(source.name);
    std::unique_ptr<Source> created = MakeSource(source);
    ASSERT_NE(created, nullptr);
    EXPECT_EQ(created->name(), source.name);
    types.insert(source.type);
  }
  EXPECT_EQ(types, (std::set<std::string>{"alphavantage", "census", "edgar", "fred", "fred-md"}));
}

}  // namespace
}  // namespace macropipe
