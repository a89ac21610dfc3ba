// Pinning that cannot be done is an error, never a silently unpinned run:
// cpu_pin_problem names the CPU and what exists, AgentRunner::pin_error says what
// failed, and a replay asked to pin to a CPU that does not exist refuses to start.
#include <gtest/gtest.h>
#include <sched.h>
#include <unistd.h>

#include <atomic>
#include <stdexcept>
#include <string>
#include <string_view>

#include "tp/app/replay.hpp"
#include "tp/ring/agent.hpp"

namespace tp {
namespace {

bool has(const std::string& s, std::string_view part) { return s.find(part) != std::string::npos; }

class IdleAgent final : public Agent {
 public:
  int do_work() override { return 0; }
  std::string_view name() const override { return "tp-pin-test"; }
};

IdleConfig sleepy() {
  IdleConfig c;
  c.kind = IdleKind::Sleep;
  return c;
}

TEST(CpuPinProblem, NamesTheCpuAndHowManyExist) {
  const int n = cpu_count();
  ASSERT_GE(n, 1);
  const std::string why = cpu_pin_problem(n + 997);
  EXPECT_TRUE(has(why, "CPU " + std::to_string(n + 997) + " does not exist")) << why;
  EXPECT_TRUE(has(why, "this machine has " + std::to_string(n))) << why;
  EXPECT_TRUE(has(cpu_pin_problem(-1), "does not exist"));
  EXPECT_TRUE(has(cpu_pin_problem(1 << 20), "does not exist")) << "beyond CPU_SETSIZE";
}

TEST(CpuPinProblem, AnAllowedCpuHasNoProblem) {
  cpu_set_t set;
  CPU_ZERO(&set);
  ASSERT_EQ(sched_getaffinity(0, sizeof set, &set), 0);
  int allowed = -1;
  for (int c = 0; c < CPU_SETSIZE && allowed < 0; ++c) {
    if (CPU_ISSET(c, &set)) allowed = c;
  }
  ASSERT_GE(allowed, 0);
  EXPECT_EQ(cpu_pin_problem(allowed), "");
}

TEST(AgentRunnerPinError, NamesTheThreadTheCpuAndTheReason) {
  IdleAgent agent;
  AgentRunner runner(agent, sleepy(), /*cpu=*/4096);
  EXPECT_FALSE(runner.start());
  const std::string why = runner.pin_error();
  runner.stop();
  EXPECT_TRUE(has(why, "cannot pin thread 'tp-pin-test' to CPU 4096: Invalid argument")) << why;
  EXPECT_TRUE(has(why, "CPU 4096 does not exist")) << why;
}

TEST(AgentRunnerPinError, EmptyWhenNothingFailed) {
  IdleAgent agent;
  AgentRunner runner(agent, sleepy());
  EXPECT_TRUE(runner.start());
  EXPECT_EQ(runner.pin_error(), "");
  runner.stop();
}

TEST(PipelinePinning, AReplayPinnedToAMissingCpuRefusesToStart) {
  const std::string path = ::testing::TempDir() + "tp_cpu_pin_" + std::to_string(::getpid()) + ".jsonl";
  {
    FILE* f = std::fopen(path.c_str(), "w");
    ASSERT_NE(f, nullptr);
    std::fputs("{\"type\":\"trade\",\"ts_ns\":1627260300000000000,\"symbol\":\"MTX\",\"price\":\"17473\",\"qty\":1}\n",
               f);
    std::fclose(f);
  }
  app::ReplayOptions ro;
  ro.data = {path};
  ro.persist = false;
  ro.pipeline.layout = Layout::Fused;
  ro.pipeline.cpus = {cpu_count() + 997};
  try {
    (void)app::run_replay(ro);
    ADD_FAILURE() << "the replay ran unpinned";
  } catch (const std::invalid_argument& e) {
    EXPECT_TRUE(has(e.what(), "does not exist")) << e.what();
  }
  ro.pipeline.cpus = {};
  ro.pipeline.persister_cpu = cpu_count() + 5;
  EXPECT_THROW((void)app::run_replay(ro), std::invalid_argument);
  std::remove(path.c_str());
}

}  // namespace
}  // namespace tp
