#include "core/config.h"

#include <gtest/gtest.h>

#include "core/error.h"

namespace macropipe {
namespace {

// Returns the message of the Error that parsing `text` raises, or "" if none.
std::string ParseError(const std::string& text) {
  try {
    Config config = Config::Parse(text, "pipeline.toml");
    for (const SourceConfig& source : config.sources) {
      OptionReader options = SourceOptions(source);
      options.StringList("series");
      options.RequireString("url");
      options.RejectUnknownKeys();
    }
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kInvalidInput);
    return error.what();
  }
  return "";
}

TEST(ConfigTest, ParsesSources) {
  Config config = Config::Parse(
      "data_dir = \"/tmp/d\"\n[[sources]]\ntype = \"fred-md\"\nurl = \"file:///x.csv\"\n"
      "[[sources]]\nname = \"second\"\ntype = \"fred-md\"\nurl = \"file:///y.csv\"\n",
      "pipeline.toml");
  EXPECT_EQ(config.data_dir, "/tmp/d");
  ASSERT_EQ(config.sources.size(), 2u);
  EXPECT_EQ(config.sources[0].name, "fred-md");
  EXPECT_EQ(config.sources[1].name, "second");
  OptionReader options = SourceOptions(config.sources[1]);
  EXPECT_EQ(options.String("url"), "file:///y.csv");
}

TEST(ConfigTest, RejectsBadInputWithKeyAndLine) {
  struct Case {
    std::string name;
    std::string text;
    std::vector<std::string> expected;  // Fragments the message must contain.
  };
  const Case cases[] = {
      {"unknown top-level key",
       "data_dir = \"d\"\ndata_dri = \"x\"\n",
       {"'data_dri'", "pipeline.toml line 2"}},
      {"unknown source key",
       "[[sources]]\ntype = \"fred-md\"\nurl = \"u\"\nseris = [\"A\"]\n",
       {"'seris'", "line 4"}},
      {"wrong type", "[[sources]]\ntype = \"fred-md\"\nurl = 5\n", {"'url'", "line 3", "a string"}},
      {"wrong list type",
       "[[sources]]\ntype = \"fred-md\"\nurl = \"u\"\nseries = \"A\"\n",
       {"'series'", "an array of strings"}},
      {"missing type", "[[sources]]\nurl = \"u\"\n", {"missing key 'type'"}},
      {"duplicate name",
       "[[sources]]\ntype = \"a\"\n[[sources]]\ntype = \"a\"\n",
       {"duplicate source name 'a'", "line 3"}},
      {"sources not tables", "sources = 3\n", {"'sources'", "line 1"}},
      {"empty source name",
       "[[sources]]\nname = \"\"\ntype = \"a\"\n",
       {"invalid source name ''", "line 2"}},
      {"reserved source name",
       "[[sources]]\nname = \".versions\"\ntype = \"a\"\n",
       {"'.versions'", "line 2"}},
      {"source name with slash", "[[sources]]\nname = \"a/b\"\ntype = \"a\"\n", {"'a/b'"}},
      {"missing url names line", "\n[[sources]]\ntype = \"fred-md\"\n", {"'url'", "line 2"}},
      {"invalid toml", "[[sources]\n", {"invalid TOML", "line 1"}},
      {"unknown dag key", "[dag]\nschedul = \"@daily\"\n", {"'schedul'", "line 2", "[dag]"}},
      {"bad start date", "[dag]\nstart_date = \"2024-13-01\"\n", {"'2024-13-01'", "line 2"}},
      {"zero worker threads", "[dag]\nworker_threads = 0\n", {"'worker_threads'", "line 2"}},
      {"pool without slots", "[pools]\ningest = 0\n", {"'ingest'", "line 2", "1 or more"}},
      {"pool slots not integer", "[pools]\ningest = \"ten\"\n", {"'ingest'", "an integer"}},
      {"negative retries", "[tasks]\nretries = -1\n", {"'retries'", "line 2", "-1"}},
      {"jitter above one", "[tasks]\nretry_jitter = 1.5\n", {"'retry_jitter'", "line 2"}},
      {"zero timeout", "[load]\ntimeout_seconds = 0\n", {"'timeout_seconds'", "line 2"}},
      {"unknown tasks key", "[tasks]\nretry = 2\n", {"'retry'", "line 2"}},
      {"source retries wrong type",
       "[[sources]]\ntype = \"fred-md\"\nurl = \"u\"\nretries = \"3\"\n",
       {"'retries'", "line 4", "an integer"}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    std::string message = ParseError(c.text);
    ASSERT_FALSE(message.empty());
    for (const std::string& fragment : c.expected) {
      EXPECT_NE(message.find(fragment), std::string::npos) << message;
    }
  }
}

TEST(ConfigTest, TableListNamesEachTableLine) {
  Config config = Config::Parse(
      "[[sources]]\ntype = \"census\"\n\n[[sources.series]]\nid = \"a\"\n\n"
      "[[sources.series]]\nid = \"b\"\ncolour = 1\n",
      "pipeline.toml");
  OptionReader options = SourceOptions(config.sources[0]);
  std::optional<std::vector<OptionReader>> tables = options.TableList("series");
  ASSERT_TRUE(tables.has_value());
  ASSERT_EQ(tables->size(), 2u);
  EXPECT_EQ((*tables)[0].RequireString("id"), "a");
  EXPECT_EQ((*tables)[1].RequireString("id"), "b");
  try {
    (*tables)[1].RejectUnknownKeys();
    ADD_FAILURE() << "no error";
  } catch (const Error& error) {
    std::string message = error.what();
    EXPECT_NE(message.find("'colour'"), std::string::npos) << message;
    EXPECT_NE(message.find("pipeline.toml line 9"), std::string::npos) << message;
    EXPECT_NE(message.find("'series' table at line 7"), std::string::npos) << message;
  }
  EXPECT_FALSE(options.TableList("absent").has_value());
}

TEST(ConfigTest, TableListRejectsOtherValues) {
  for (const char* value : {"series = 3\n", "series = [\"a\"]\n", "series = [{id = \"a\"}, 2]\n"}) {
    SCOPED_TRACE(value);
    Config config =
        Config::Parse(std::string("[[sources]]\ntype = \"census\"\n") + value, "pipeline.toml");
    OptionReader options = SourceOptions(config.sources[0]);
    try {
      options.TableList("series");
      ADD_FAILURE() << "no error";
    } catch (const Error& error) {
      std::string message = error.what();
      EXPECT_NE(message.find("line 3, key 'series'"), std::string::npos) << message;
      EXPECT_NE(message.find("an array of tables"), std::string::npos) << message;
    }
  }
}

TEST(ConfigTest, ParsesLanding) {
  EXPECT_TRUE(Config::Parse("", "pipeline.toml").landing.url.empty());

  LandingConfig short_form = Config::Parse("landing = \"s3://bucket/a/b\"\n", "p.toml").landing;
  EXPECT_EQ(short_form.url, "s3://bucket/a/b");
  EXPECT_TRUE(short_form.IsS3());
  EXPECT_TRUE(short_form.endpoint.empty());
  EXPECT_NE(short_form.where.find("p.toml line 1"), std::string::npos) << short_form.where;

  LandingConfig table =
      Config::Parse(
          "[landing]\nurl = \"s3://bucket\"\nendpoint = \"http://127.0.0.1:9000\"\n"
          "region = \"eu-west-1\"\naddressing = \"virtual\"\n",
          "p.toml")
          .landing;
  EXPECT_EQ(table.url, "s3://bucket");
  EXPECT_EQ(table.endpoint, "http://127.0.0.1:9000");
  EXPECT_EQ(table.region, "eu-west-1");
  EXPECT_EQ(table.addressing, "virtual");

  LandingConfig folder = Config::Parse("landing = \"file:///srv/landing\"\n", "p.toml").landing;
  EXPECT_FALSE(folder.IsS3());
}

TEST(ConfigTest, RejectsBadLanding) {
  struct Case {
    std::string text;
    std::string expected;
  };
  const Case cases[] = {
      {"landing = \"s3:///prefix\"\n", "name the bucket"},
      {"landing = \"/srv/landing\"\n", "use s3://bucket/prefix or file:///absolute/path"},
      {"landing = 3\n", "landing"},
      {"[landing]\nendpoint = \"http://h\"\n", "missing key 'url'"},
      {"[landing]\nurl = \"file:///x\"\nregion = \"r\"\n", "apply only to an s3://"},
      {"[landing]\nurl = \"s3://b\"\naddressing = \"dns\"\n", "not \"dns\""},
      {"[landing]\nurl = \"s3://b\"\nbucket = \"b\"\n", "unknown key 'bucket'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    std::string message = ParseError(c.text);
    EXPECT_NE(message.find(c.expected), std::string::npos) << message;
    EXPECT_NE(message.find("pipeline.toml"), std::string::npos) << message;
  }
}

TEST(ConfigTest, StateNamesAPostgresDatabase) {
  Config config = Config::Parse("state = \"postgresql://mp@db/macro\"\n", "pipeline.toml");
  EXPECT_EQ(config.state, "postgresql://mp@db/macro");
  EXPECT_EQ(config.state_origin, "pipeline.toml line 1, key 'state' in the top level");
  EXPECT_TRUE(Config::Parse("", "pipeline.toml").state.empty());

  const std::string cases[] = {"state = \"mysql://u:secret@db/x\"\n", "state = \"state.db\"\n"};
  for (const std::string& text : cases) {
    SCOPED_TRACE(text);
    std::string message = ParseError(text);
    EXPECT_NE(message.find("pipeline.toml line 1, key 'state'"), std::string::npos) << message;
    EXPECT_NE(message.find("unknown scheme"), std::string::npos) << message;
    EXPECT_EQ(message.find("secret"), std::string::npos) << message;
  }
}

TEST(ConfigTest, ParsesDagPoolsAndTaskSettings) {
  Config config = Config::Parse(
      "[dag]\nid = \"monthly\"\nschedule = \"30 8 15 * *\"\ntime_zone = \"America/New_York\"\n"
      "start_date = \"2024-01-15\"\ncatchup = false\nworker_threads = 4\n"
      "[pools]\ningest = 10\n"
      "[tasks]\nretries = 2\nretry_delay_seconds = 30\nretry_jitter = 0.1\n"
      "[load]\npool = \"default_pool\"\ntimeout_seconds = 600\n"
      "[[sources]]\ntype = \"fred-md\"\nurl = \"u\"\npool = \"ingest\"\nretries = 5\n",
      "pipeline.toml");
  EXPECT_EQ(config.dag.id, "monthly");
  EXPECT_EQ(config.dag.schedule, "30 8 15 * *");
  EXPECT_EQ(config.dag.time_zone, "America/New_York");
  EXPECT_EQ(config.dag.start_date, "2024-01-15");
  EXPECT_FALSE(config.dag.catchup);
  EXPECT_EQ(config.dag.worker_threads, 4);
  EXPECT_EQ(config.pools, (std::map<std::string, int64_t>{{"ingest", 10}}));
  TaskSettings source = config.sources[0].task.Over(config.task_defaults);
  EXPECT_EQ(source.pool, "ingest");
  EXPECT_EQ(source.retries, 5);
  EXPECT_EQ(source.retry_delay_seconds, 30.0);
  EXPECT_EQ(source.retry_jitter, 0.1);
  EXPECT_EQ(source.timeout_seconds, std::nullopt);
  TaskSettings load = config.load_task.Over(config.task_defaults);
  EXPECT_EQ(load.pool, "default_pool");
  EXPECT_EQ(load.retries, 2);
  EXPECT_EQ(load.timeout_seconds, 600.0);
  OptionReader options = SourceOptions(config.sources[0]);
  options.String("url");
  EXPECT_NO_THROW(options.RejectUnknownKeys());
}

TEST(ConfigTest, DefaultFetchesFredMd) {
  Config config = Config::Default();
  ASSERT_EQ(config.sources.size(), 1u);
  EXPECT_EQ(config.sources[0].type, "fred-md");
  OptionReader options = SourceOptions(config.sources[0]);
  EXPECT_NE(options.String("url")->find("fred-md/monthly/current.csv"), std::string::npos);
  EXPECT_NE(config.forecast, nullptr);
}

TEST(ConfigTest, MissingFileIsNotFound) {
  try {
    Config::LoadFile("/nonexistent/pipeline.toml");
    FAIL() << "expected an error";
  } catch (const Error& error) {
    EXPECT_EQ(error.code(), ErrorCode::kNotFound);
    EXPECT_NE(std::string(error.what()).find("/nonexistent/pipeline.toml"), std::string::npos);
  }
}

}  // namespace
}  // namespace macropipe
