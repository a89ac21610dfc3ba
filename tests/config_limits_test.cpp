// Configuration limits that keep the engine's arithmetic in range (config.hpp): every
// duration (*_ms) at most kMaxDurationMs so that ms x kNsPerMs and an event time plus it
// fit int64; the tick rule's synthetic size and the protective multiplier bounded; a
// --config that is a directory is an error; echoed values are escaped.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "tp/engine/config/config.hpp"

namespace tp {
namespace {

constexpr const char* kName = "cfg.toml";

/// The ConfigError message for `text`, or "" (and a test failure) when it loads.
std::string error_of(std::string_view text) {
  try {
    (void)load_config_text(text, kName);
  } catch (const ConfigError& e) {
    return e.what();
  }
  ADD_FAILURE() << "no ConfigError for:\n" << text;
  return {};
}

TEST(ConfigLimits, DurationsAreBoundedSoThatNanosecondsFit) {
  const std::string max = std::to_string(kMaxDurationMs);
  EXPECT_EQ(error_of("[strategy]\nmax_quote_age_ms = 9223372036854775807\n"),
            "cfg.toml: strategy.max_quote_age_ms must be 1..86400000, got 9223372036854775807");
  EXPECT_EQ(error_of("[strategy]\nmax_quote_age_ms = " + std::to_string(kMaxDurationMs + 1) + "\n"),
            "cfg.toml: strategy.max_quote_age_ms must be 1..86400000, got 86400001");
  EXPECT_EQ(error_of("[strategy.chase]\nmax_duration_ms = 9223372036854775000\n"),
            "cfg.toml: strategy.chase.max_duration_ms must be 0..86400000, got 9223372036854775000");
  const Config c =
      load_config_text("[strategy]\nmax_quote_age_ms = " + max + "\n[strategy.chase]\nmax_duration_ms = " + max + "\n",
                       kName);
  EXPECT_EQ(c.strategy.max_quote_age_ms, kMaxDurationMs);
  EXPECT_EQ(c.strategy.chase.max_duration_ms, kMaxDurationMs);
  // The products the engine computes from them, at the bound, with the latest event
  // time a reader accepts: far from INT64_MAX.
  static_assert(kMaxDurationMs * kNsPerMs < std::numeric_limits<int64_t>::max() / 1000);
  static_assert(kMaxEventNs + 3 * kMaxDurationMs * kNsPerMs < std::numeric_limits<int64_t>::max() / 2);
  EXPECT_EQ(c.venue.latency_ns(), 5 * kNsPerMs);
  // validate() on a configuration built in code says the same.
  Config d = default_config();
  d.strategy.max_quote_age_ms = std::numeric_limits<int64_t>::max();
  try {
    validate(d);
    ADD_FAILURE() << "validate accepted max_quote_age_ms = INT64_MAX";
  } catch (const ConfigError& e) {
    EXPECT_NE(std::string(e.what()).find("strategy.max_quote_age_ms must be 1..86400000"), std::string::npos)
        << e.what();
  }
}

TEST(ConfigLimits, SyntheticSizeAndProtectiveMultiplierAreBounded) {
  EXPECT_EQ(error_of("[tick_rule]\nsize_lots = 1000001\n"),
            "cfg.toml: tick_rule.size_lots must be 1..1000000, got 1000001");
  EXPECT_EQ(load_config_text("[tick_rule]\nsize_lots = 1000000\n", kName).tick_rule.size_lots, 1'000'000);
  EXPECT_EQ(error_of("[[strategy.rules]]\nprotective_multiplier = 1e300\n[[strategy.rules]]\n[[strategy.rules]]\n"),
            "cfg.toml: strategy.rules[1].protective_multiplier must be 0..100, got 1e+300");
  EXPECT_EQ(load_config_text("[[strategy.rules]]\nprotective_multiplier = 100\n[[strategy.rules]]\n[[strategy.rules]]\n",
                             kName)
                .strategy.rules[0]
                .multiplier_ppm,
            100'000'000);
}

TEST(ConfigLimits, ADirectoryIsNotAConfigurationFile) {
  const std::string dir = ::testing::TempDir() + "tp_config_limits_dir_" + std::to_string(::getpid());
  ASSERT_EQ(::mkdir(dir.c_str(), 0700), 0);
  try {
    (void)load_config(dir);
    ADD_FAILURE() << "a directory loaded as the defaults";
  } catch (const ConfigError& e) {
    EXPECT_EQ(std::string(e.what()), dir + ": is a directory, not a configuration file");
  }
  ::rmdir(dir.c_str());
  EXPECT_THROW((void)load_config("/dev/null/x.toml"), ConfigError);
}

TEST(ConfigLimits, EchoedValuesAreEscaped) {
  // A TOML string may hold any code point, NUL and escape characters included.
  const std::string msg = error_of("[strategy]\ndirection = \"LO\\u0000NG\\u001b[2J\"\n");
  EXPECT_NE(msg.find("got a string \"LO\\x00NG\\x1b[2J\""), std::string::npos) << msg;
  EXPECT_EQ(msg.find('\0'), std::string::npos);
  EXPECT_EQ(msg.find('\x1b'), std::string::npos);
  // Valid UTF-8 stays readable.
  const std::string utf8 = error_of("[strategy]\ndirection = \"多\"\n");
  EXPECT_NE(utf8.find("\"多\""), std::string::npos) << utf8;
  EXPECT_STREQ(ConfigError(std::string("a\0b", 3)).what(), "a\\x00b");
}

}  // namespace
}  // namespace tp
