// Agents and their runner (STYLE §7): CompositeAgent, AgentRunner (start/stop, thread
// name, CPU pinning, on_start/on_close, draining on stop), the idle strategies and two
// agents on two runners moving messages through an SPSC ring on a 2-core machine.
//
// Nothing here busy-spins without backing off: the machine has 2 cores and other
// tests may run beside these. The test thread waits with short sleeps.
#include <gtest/gtest.h>

#include <pthread.h>
#include <sched.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "tp/ring/agent.hpp"
#include "tp/ring/idle.hpp"
#include "tp/ring/spsc_ring.hpp"

#if defined(__SANITIZE_THREAD__)
#define TP_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TP_TEST_TSAN 1
#endif
#endif

namespace tp {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

/// Polls `done` every millisecond (sleeping, never spinning) until it is true or
/// `timeout` passes. Returns done().
template <class F>
bool wait_for(F done, std::chrono::milliseconds timeout = 30s) {
  const auto deadline = Clock::now() + timeout;
  while (!done()) {
    if (Clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

/// Voluntary context switches of the calling thread: a thread that sleeps (parks)
/// switches voluntarily; spinning and sched_yield() never count here.
long voluntary_switches() {
  rusage ru{};
  getrusage(RUSAGE_THREAD, &ru);
  return ru.ru_nvcsw;
}

std::string current_thread_name() {
  char buf[32] = {};
  pthread_getname_np(pthread_self(), buf, sizeof buf);
  return buf;
}

long current_tid() {
  return static_cast<long>(syscall(SYS_gettid));
}

// ------------------------------------------------------------------ test agents

/// Records what the runner does to it. Fields written on the runner thread are read by
/// the test only after AgentRunner::stop() (the join gives the happens-before), or are
/// atomics.
class RecordingAgent : public Agent {
 public:
  explicit RecordingAgent(std::string name, int work_per_cycle = 0)
      : name_(std::move(name)), work_(work_per_cycle) {}

  int do_work() override {
    if (works_.load(std::memory_order_relaxed) == 0) {
      first_work_tid_ = current_tid();
      first_work_after_start_ = starts_.load(std::memory_order_relaxed) == 1;
    }
    last_work_tid_ = current_tid();
    // A probe the test arms after start() has returned: runs on the runner thread.
    if (probe_armed_.load(std::memory_order_acquire) &&
        !probe_done_.load(std::memory_order_relaxed)) {
      probe_name_ = current_thread_name();
      probe_cpu_ = sched_getcpu();
      cpu_set_t set;
      CPU_ZERO(&set);
      probe_affinity_ok_ = pthread_getaffinity_np(pthread_self(), sizeof set, &set) == 0;
      probe_affinity_count_ = CPU_COUNT(&set);
      probe_affinity_has0_ = CPU_ISSET(0, &set);
      probe_done_.store(true, std::memory_order_release);
    }
    works_.fetch_add(1, std::memory_order_relaxed);
    return work_;
  }
  [[nodiscard]] std::string_view name() const override { return name_; }
  void on_start() override {
    start_tid_ = current_tid();
    starts_.fetch_add(1, std::memory_order_relaxed);
  }
  void on_close() override {
    close_tid_ = current_tid();
    works_at_close_ = works_.load(std::memory_order_relaxed);
    closes_.fetch_add(1, std::memory_order_relaxed);
  }

  std::string name_;
  int work_;
  std::atomic<int> starts_{0};
  std::atomic<int> closes_{0};
  std::atomic<uint64_t> works_{0};
  long start_tid_ = 0;
  long close_tid_ = 0;
  long first_work_tid_ = 0;
  long last_work_tid_ = 0;
  bool first_work_after_start_ = false;
  uint64_t works_at_close_ = 0;

  std::atomic<bool> probe_armed_{false};
  std::atomic<bool> probe_done_{false};
  std::string probe_name_;
  int probe_cpu_ = -1;
  bool probe_affinity_ok_ = false;
  int probe_affinity_count_ = 0;
  bool probe_affinity_has0_ = false;
};

/// Logs its id into a shared call log (single-threaded use) and returns fixed work.
class LoggingAgent : public Agent {
 public:
  LoggingAgent(std::vector<std::string>& log, std::string name, int work)
      : log_(log), name_(std::move(name)), work_(work) {}
  int do_work() override {
    log_.push_back(name_ + ".work");
    return work_;
  }
  [[nodiscard]] std::string_view name() const override { return name_; }
  void on_start() override { log_.push_back(name_ + ".start"); }
  void on_close() override { log_.push_back(name_ + ".close"); }

 private:
  std::vector<std::string>& log_;
  std::string name_;
  int work_;
};

IdleConfig backoff(uint32_t spins = 200, uint32_t yields = 20) {
  IdleConfig c;
  c.kind = IdleKind::Backoff;
  c.max_spins = spins;
  c.max_yields = yields;
  c.min_park_ns = 10'000;
  c.max_park_ns = 1'000'000;
  return c;
}

// ------------------------------------------------------------------ CompositeAgent

TEST(CompositeAgent, SumsWorkAndCallsAgentsInOrder) {
  std::vector<std::string> log;
  LoggingAgent a(log, "a", 1);
  LoggingAgent b(log, "b", 0);
  LoggingAgent c(log, "c", 2);
  CompositeAgent comp({&a, &b, &c}, "fused");
  EXPECT_EQ(comp.name(), "fused");
  ASSERT_EQ(comp.agents().size(), 3u);
  EXPECT_EQ(comp.agents()[0], &a);
  EXPECT_EQ(comp.agents()[2], &c);

  comp.on_start();
  EXPECT_EQ(comp.do_work(), 3);
  EXPECT_EQ(comp.do_work(), 3);
  comp.on_close();
  const std::vector<std::string> want = {"a.start", "b.start", "c.start", "a.work",
                                         "b.work",  "c.work",  "a.work",  "b.work",
                                         "c.work",  "a.close", "b.close", "c.close"};
  EXPECT_EQ(log, want);
}

TEST(CompositeAgent, EmptyCompositeDoesNoWork) {
  CompositeAgent comp({}, "empty");
  comp.on_start();
  EXPECT_EQ(comp.do_work(), 0);
  comp.on_close();
}

TEST(CompositeAgent, RunsAllItsAgentsOnOneRunnerThread) {
  RecordingAgent a("a");
  RecordingAgent b("b");
  CompositeAgent comp({&a, &b}, "tp-fused");
  AgentRunner runner(comp, backoff());
  ASSERT_TRUE(runner.start());
  ASSERT_TRUE(wait_for([&] { return a.works_.load() > 10 && b.works_.load() > 10; }));
  runner.stop();
  EXPECT_EQ(a.starts_.load(), 1);
  EXPECT_EQ(b.starts_.load(), 1);
  EXPECT_EQ(a.closes_.load(), 1);
  EXPECT_EQ(b.closes_.load(), 1);
  EXPECT_EQ(a.start_tid_, b.start_tid_);
  EXPECT_EQ(a.last_work_tid_, b.last_work_tid_);
  EXPECT_EQ(a.close_tid_, b.close_tid_);
  EXPECT_NE(a.start_tid_, current_tid());
}

// ------------------------------------------------------------------ AgentRunner

TEST(AgentRunner, StartsAndStops) {
  RecordingAgent agent("tp-test");
  AgentRunner runner(agent, backoff());
  EXPECT_FALSE(runner.running());
  ASSERT_TRUE(runner.start());
  EXPECT_TRUE(runner.running());
  ASSERT_TRUE(wait_for([&] { return agent.works_.load() > 250; })) << "the loop is not running";
  runner.stop();
  EXPECT_FALSE(runner.running());
  const uint64_t works = agent.works_.load();
  std::this_thread::sleep_for(20ms);
  EXPECT_EQ(agent.works_.load(), works) << "do_work() called after stop() returned";
  EXPECT_GT(runner.cycles(), 0u);
  EXPECT_LE(runner.cycles(), works);
  runner.stop();  // twice is fine
  EXPECT_EQ(agent.closes_.load(), 1);
}

TEST(AgentRunner, StopWithoutStartIsHarmless) {
  RecordingAgent agent("tp-test");
  {
    AgentRunner runner(agent, backoff());
    runner.stop();
  }
  EXPECT_EQ(agent.starts_.load(), 0);
  EXPECT_EQ(agent.closes_.load(), 0);
  EXPECT_EQ(agent.works_.load(), 0u);
}

TEST(AgentRunner, DestructorStopsTheThread) {
  RecordingAgent agent("tp-test");
  {
    AgentRunner runner(agent, backoff());
    ASSERT_TRUE(runner.start());
    ASSERT_TRUE(wait_for([&] { return agent.works_.load() > 0; }));
  }
  EXPECT_EQ(agent.starts_.load(), 1);
  EXPECT_EQ(agent.closes_.load(), 1);
}

TEST(AgentRunner, OnStartAndOnCloseRunOnceOnTheRunnerThread) {
  RecordingAgent agent("tp-test");
  AgentRunner runner(agent, backoff());
  ASSERT_TRUE(runner.start());
  ASSERT_TRUE(wait_for([&] { return agent.works_.load() > 100; }));
  runner.stop();
  EXPECT_EQ(agent.starts_.load(), 1);
  EXPECT_EQ(agent.closes_.load(), 1);
  EXPECT_NE(agent.start_tid_, 0);
  EXPECT_NE(agent.start_tid_, current_tid()) << "on_start ran on the caller's thread";
  EXPECT_EQ(agent.start_tid_, agent.first_work_tid_);
  EXPECT_EQ(agent.start_tid_, agent.last_work_tid_);
  EXPECT_EQ(agent.close_tid_, agent.start_tid_);
  EXPECT_TRUE(agent.first_work_after_start_) << "do_work() ran before on_start()";
  EXPECT_EQ(agent.works_at_close_, agent.works_.load()) << "do_work() ran after on_close()";
}

TEST(AgentRunner, NamesTheThreadAfterTheAgent) {
  for (const char* name : {"tp-feed", "tp-a-very-long-agent-name"}) {
    SCOPED_TRACE(name);
    RecordingAgent agent(name);
    AgentRunner runner(agent, backoff());
    ASSERT_TRUE(runner.start());
    agent.probe_armed_.store(true, std::memory_order_release);  // start() has returned
    ASSERT_TRUE(wait_for([&] { return agent.probe_done_.load(std::memory_order_acquire); }));
    runner.stop();
    EXPECT_EQ(agent.probe_name_, std::string(name).substr(0, 15))
        << "Linux thread names hold 15 characters";
  }
}

TEST(AgentRunner, DrainsRemainingWorkOnStop) {
  // The agent refuses to work while the runner is running, so every queued item can
  // only be handled by the drain that stop() performs before on_close().
  class Backlog : public Agent {
   public:
    int do_work() override {
      if (runner == nullptr || runner->running()) return 0;
      if (queued.load(std::memory_order_relaxed) == 0) return 0;
      queued.fetch_sub(1, std::memory_order_relaxed);
      ++done;
      return 1;
    }
    [[nodiscard]] std::string_view name() const override { return "tp-backlog"; }
    void on_close() override { done_at_close = done; }
    AgentRunner* runner = nullptr;
    std::atomic<int> queued{0};
    int done = 0;
    int done_at_close = -1;
  };
  Backlog agent;
  IdleConfig idle;
  idle.kind = IdleKind::Sleep;
  idle.sleep_ns = 200'000;
  AgentRunner runner(agent, idle);
  agent.runner = &runner;  // set before the thread starts
  agent.queued.store(1000);
  ASSERT_TRUE(runner.start());
  std::this_thread::sleep_for(5ms);
  EXPECT_EQ(agent.queued.load(), 1000) << "nothing is handled while running (test premise)";
  runner.stop();
  EXPECT_EQ(agent.queued.load(), 0);
  EXPECT_EQ(agent.done, 1000);
  EXPECT_EQ(agent.done_at_close, 1000) << "on_close() must come after the drain";
}

bool cpu0_allowed() {
  cpu_set_t set;
  CPU_ZERO(&set);
  return sched_getaffinity(0, sizeof set, &set) == 0 && CPU_ISSET(0, &set);
}

TEST(AgentRunner, PinsToCpu0) {
  if (!cpu0_allowed()) GTEST_SKIP() << "CPU 0 is not in this process's affinity mask";
  RecordingAgent agent("tp-pinned");
  AgentRunner runner(agent, backoff(), /*cpu=*/0);
  ASSERT_TRUE(runner.start()) << "pinning to CPU 0 failed";
  agent.probe_armed_.store(true, std::memory_order_release);
  ASSERT_TRUE(wait_for([&] { return agent.probe_done_.load(std::memory_order_acquire); }));
  runner.stop();
  EXPECT_TRUE(agent.probe_affinity_ok_);
  EXPECT_EQ(agent.probe_affinity_count_, 1);
  EXPECT_TRUE(agent.probe_affinity_has0_);
  EXPECT_EQ(agent.probe_cpu_, 0);
}

TEST(AgentRunner, InvalidCpuReturnsFalseButKeepsRunning) {
  RecordingAgent agent("tp-unpinned");
  AgentRunner runner(agent, backoff(), /*cpu=*/4096);
  EXPECT_FALSE(runner.start()) << "pinning to CPU 4096 cannot succeed";
  EXPECT_TRUE(runner.running());
  agent.probe_armed_.store(true, std::memory_order_release);
  ASSERT_TRUE(wait_for([&] { return agent.probe_done_.load(std::memory_order_acquire); }))
      << "the agent must keep running unpinned";
  const uint64_t before = agent.works_.load();
  ASSERT_TRUE(wait_for([&] { return agent.works_.load() > before + 100; }));
  runner.stop();
  EXPECT_EQ(agent.starts_.load(), 1);
  EXPECT_EQ(agent.closes_.load(), 1);
  EXPECT_GT(agent.probe_affinity_count_, 0) << "left with its inherited affinity";
}

// Known race in engine/src/agent.cpp (reported to the lead): start() names and pins
// the thread from the outside *after* launching it, so on_start() and the first duty
// cycles may run with the parent's name and unpinned (seen in ~1 of 200 starts). Enable
// once the runner names and pins itself at the top of run() and start() waits for that.
TEST(AgentRunner, OnStartAlreadyRunsNamedAndPinned) {
  if (!cpu0_allowed()) GTEST_SKIP() << "CPU 0 is not in this process's affinity mask";
  class Probe : public Agent {
   public:
    int do_work() override { return 0; }
    [[nodiscard]] std::string_view name() const override { return "tp-probe"; }
    void on_start() override {
      name_seen = current_thread_name();
      cpu_set_t set;
      CPU_ZERO(&set);
      pthread_getaffinity_np(pthread_self(), sizeof set, &set);
      cpus_seen = CPU_COUNT(&set);
    }
    std::string name_seen;
    int cpus_seen = 0;
  };
  IdleConfig idle;
  idle.kind = IdleKind::Sleep;
  idle.sleep_ns = 10'000;
  int wrong_name = 0;
  int unpinned = 0;
  for (int i = 0; i < 300; ++i) {
    Probe p;
    AgentRunner r(p, idle, 0);
    ASSERT_TRUE(r.start());
    r.stop();
    wrong_name += p.name_seen != "tp-probe";
    unpinned += p.cpus_seen != 1;
  }
  EXPECT_EQ(wrong_name, 0);
  EXPECT_EQ(unpinned, 0);
}

TEST(AgentRunner, BackgroundThreadRunsUnderSchedIdleFromOnStart) {
  class Probe : public Agent {
   public:
    int do_work() override { return 0; }
    [[nodiscard]] std::string_view name() const override { return "tp-bg"; }
    void on_start() override {
      sched_param sp{};
      policy_seen = -1;
      pthread_getschedparam(pthread_self(), &policy_seen, &sp);
    }
    int policy_seen = -2;
  };
  IdleConfig idle;
  idle.kind = IdleKind::Sleep;
  idle.sleep_ns = 10'000;
  Probe bg;
  AgentRunner r(bg, idle, -1, AgentRunner::Sched::Background);
  EXPECT_TRUE(r.start());
  r.stop();
  EXPECT_EQ(bg.policy_seen, SCHED_IDLE);

  Probe normal;
  AgentRunner n(normal, idle);
  EXPECT_TRUE(n.start());
  n.stop();
  EXPECT_EQ(normal.policy_seen, SCHED_OTHER);
}

// ------------------------------------------------------------------ idle strategies

TEST(IdleKindNames, ParseAndPrint) {
  IdleKind k = IdleKind::Sleep;
  EXPECT_TRUE(parse_idle_kind("spin", k));
  EXPECT_EQ(k, IdleKind::BusySpin);
  EXPECT_TRUE(parse_idle_kind("busy-spin", k));
  EXPECT_EQ(k, IdleKind::BusySpin);
  EXPECT_TRUE(parse_idle_kind("yield", k));
  EXPECT_EQ(k, IdleKind::Yield);
  EXPECT_TRUE(parse_idle_kind("backoff", k));
  EXPECT_EQ(k, IdleKind::Backoff);
  EXPECT_TRUE(parse_idle_kind("sleep", k));
  EXPECT_EQ(k, IdleKind::Sleep);
  for (const char* bad : {"", "Spin", "back-off", "sleep ", "busy"}) {
    SCOPED_TRACE(bad);
    k = IdleKind::Yield;
    EXPECT_FALSE(parse_idle_kind(bad, k));
    EXPECT_EQ(k, IdleKind::Yield) << "a failed parse leaves the output alone";
  }
  for (IdleKind kind : {IdleKind::BusySpin, IdleKind::Yield, IdleKind::Backoff, IdleKind::Sleep}) {
    IdleKind back = IdleKind::Sleep;
    ASSERT_TRUE(parse_idle_kind(to_string(kind), back)) << to_string(kind);
    EXPECT_EQ(back, kind);
  }
}

TEST(IdleStrategy, DefaultsAreBackoff) {
  const IdleStrategy s;
  EXPECT_EQ(s.config().kind, IdleKind::Backoff);
  EXPECT_GT(s.config().max_spins, 0u);
  EXPECT_GT(s.config().min_park_ns, 0);
  EXPECT_GE(s.config().max_park_ns, s.config().min_park_ns);
}

/// Runs idle(0) `n` times; returns the voluntary context switches it caused.
long idle_switches(IdleStrategy& s, int n) {
  const long before = voluntary_switches();
  for (int i = 0; i < n; ++i) s.idle(0);
  return voluntary_switches() - before;
}

/// Duration of one idle(0).
std::chrono::nanoseconds timed_idle(IdleStrategy& s) {
  const auto t0 = Clock::now();
  s.idle(0);
  return Clock::now() - t0;
}

TEST(IdleStrategy, BackoffSpinsThenYieldsThenParks) {
  IdleConfig c;
  c.kind = IdleKind::Backoff;
  c.max_spins = 500;
  c.max_yields = 50;
  c.min_park_ns = 2'000'000;  // 2 ms
  c.max_park_ns = 8'000'000;  // 8 ms
  IdleStrategy s(c);
  // Spin and yield phases: exactly max_spins + max_yields calls that never park.
  EXPECT_EQ(idle_switches(s, 550), 0);
  // Park phase: sleeps of 2, 4, 8, 8 ms (doubling, capped).
  const long before = voluntary_switches();
  EXPECT_GE(timed_idle(s), 2ms);
  EXPECT_GE(timed_idle(s), 4ms);
  EXPECT_GE(timed_idle(s), 8ms);
  EXPECT_GE(timed_idle(s), 8ms);
  EXPECT_GE(voluntary_switches() - before, 4) << "every park call gives the CPU back";
}

TEST(IdleStrategy, BackoffPhaseBoundariesAreExact) {
  IdleConfig c;
  c.kind = IdleKind::Backoff;
  c.min_park_ns = 1'000'000;
  c.max_park_ns = 1'000'000;
  {
    c.max_spins = 300;
    c.max_yields = 0;
    IdleStrategy s(c);
    EXPECT_EQ(idle_switches(s, 300), 0) << "spin phase";
    EXPECT_GE(idle_switches(s, 1), 1) << "call max_spins + 1 parks";
  }
  {
    c.max_spins = 0;
    c.max_yields = 40;
    IdleStrategy s(c);
    EXPECT_EQ(idle_switches(s, 40), 0) << "yield phase";
    EXPECT_GE(idle_switches(s, 1), 1) << "call max_yields + 1 parks";
  }
  {
    c.max_spins = 0;
    c.max_yields = 0;
    IdleStrategy s(c);
    EXPECT_GE(idle_switches(s, 1), 1) << "no spin or yield phase: parks at once";
  }
}

TEST(IdleStrategy, BackoffParkIsCapped) {
  IdleConfig c;
  c.kind = IdleKind::Backoff;
  c.max_spins = 0;
  c.max_yields = 0;
  c.min_park_ns = 1'000'000;
  c.max_park_ns = 2'000'000;
  IdleStrategy s(c);
  // Uncapped doubling would sleep 1+2+4+...+2048 ms (~4 s); capped it is ~25 ms.
  const auto t0 = Clock::now();
  for (int i = 0; i < 12; ++i) s.idle(0);
  const auto took = Clock::now() - t0;
  EXPECT_GE(took, 23ms);
  EXPECT_LT(took, 1000ms);
}

TEST(IdleStrategy, WorkResetsTheBackoff) {
  IdleConfig c;
  c.kind = IdleKind::Backoff;
  c.max_spins = 200;
  c.max_yields = 20;
  c.min_park_ns = 1'000'000;
  c.max_park_ns = 50'000'000;
  IdleStrategy s(c);
  EXPECT_EQ(idle_switches(s, 220), 0);
  for (int i = 0; i < 4; ++i) s.idle(0);  // parks of 1, 2, 4, 8 ms: next would be 16 ms
  s.idle(1);                              // work found: back to spinning
  EXPECT_EQ(idle_switches(s, 220), 0) << "after work the strategy spins and yields again";
  const auto first_park = timed_idle(s);
  EXPECT_GE(first_park, 1ms);
  EXPECT_LT(first_park, 16ms) << "the park duration was reset to min_park_ns";

  for (int i = 0; i < 3; ++i) s.idle(0);
  s.reset();  // explicit reset does the same
  EXPECT_EQ(idle_switches(s, 220), 0);
}

TEST(IdleStrategy, WorkNeverWaits) {
  IdleConfig c;
  c.kind = IdleKind::Sleep;
  c.sleep_ns = 100'000'000;  // 100 ms if it ever slept
  IdleStrategy s(c);
  const auto t0 = Clock::now();
  const long before = voluntary_switches();
  for (int i = 0; i < 1000; ++i) s.idle(1);
  EXPECT_EQ(voluntary_switches() - before, 0);
  EXPECT_LT(Clock::now() - t0, 100ms);
}

TEST(IdleStrategy, BusySpinAndYieldNeverPark) {
  IdleConfig c;
  c.kind = IdleKind::BusySpin;
  IdleStrategy spin(c);
  EXPECT_EQ(idle_switches(spin, 100'000), 0);
  c.kind = IdleKind::Yield;
  IdleStrategy yield(c);
  EXPECT_EQ(idle_switches(yield, 10'000), 0);
}

TEST(IdleStrategy, SleepSleepsEveryTime) {
  IdleConfig c;
  c.kind = IdleKind::Sleep;
  c.sleep_ns = 1'000'000;
  IdleStrategy s(c);
  const auto t0 = Clock::now();
  EXPECT_GE(idle_switches(s, 5), 5);
  EXPECT_GE(Clock::now() - t0, 5ms);
}

// ------------------------------------------------------------------ two runners, one ring

struct alignas(64) Msg {
  uint64_t seq;
  uint64_t payload[6];
  uint64_t checksum;
};
static_assert(sizeof(Msg) == 64);

uint64_t mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}
uint64_t sum_of(const Msg& m) {
  uint64_t h = mix(m.seq);
  for (uint64_t p : m.payload) h = mix(h ^ p);
  return h;
}

uint64_t runner_messages() {
  if (const char* env = std::getenv("TP_RUNNER_MESSAGES")) {
    const unsigned long long n = std::strtoull(env, nullptr, 10);
    if (n > 0) return n;
  }
#if defined(TP_TEST_TSAN)
  return 300'000;
#else
  return 1'000'000;
#endif
}

/// Pushes messages 0..n-1 into the ring, at most kBatch per duty cycle.
class ProducerAgent final : public Agent {
 public:
  ProducerAgent(SpscRing<Msg>& ring, uint64_t n) : ring_(ring), n_(n) {}
  int do_work() override {
    int work = 0;
    while (work < kBatch && next_ < n_) {
      Msg* slot = ring_.try_claim();
      if (slot == nullptr) {
        ++full_;
        break;
      }
      slot->seq = next_;
      for (uint64_t i = 0; i < 6; ++i) slot->payload[i] = mix(next_ * 8 + i);
      slot->checksum = sum_of(*slot);
      ring_.commit();
      ++next_;
      ++work;
    }
    sent_.store(next_, std::memory_order_relaxed);
    return work;
  }
  [[nodiscard]] std::string_view name() const override { return "tp-producer"; }
  static constexpr int kBatch = 256;
  std::atomic<uint64_t> sent_{0};
  uint64_t full_ = 0;

 private:
  SpscRing<Msg>& ring_;
  uint64_t n_;
  uint64_t next_ = 0;
};

/// Drains the ring, checking strict order and content.
class ConsumerAgent final : public Agent {
 public:
  explicit ConsumerAgent(SpscRing<Msg>& ring) : ring_(ring) {}
  int do_work() override {
    const std::size_t n = ring_.drain(
        [this](const Msg& m) {
          bool ok = m.seq == next_ && m.checksum == sum_of(m);
          for (uint64_t i = 0; ok && i < 6; ++i) ok = m.payload[i] == mix(next_ * 8 + i);
          if (!ok) ++bad_;
          ++next_;
        },
        256);
    received_.store(next_, std::memory_order_release);
    return static_cast<int>(n);
  }
  [[nodiscard]] std::string_view name() const override { return "tp-consumer"; }
  std::atomic<uint64_t> received_{0};
  uint64_t bad_ = 0;  // read after stop()

 private:
  SpscRing<Msg>& ring_;
  uint64_t next_ = 0;
};

TEST(AgentRunnerPipeline, TwoRunnersPassMessagesThroughARingWithBackoff) {
  const uint64_t n = runner_messages();
  SpscRing<Msg> ring(1024);
  ProducerAgent producer(ring, n);
  ConsumerAgent consumer(ring);
  const IdleConfig idle;  // the default backoff: spin -> yield -> park
  ASSERT_EQ(idle.kind, IdleKind::Backoff);
  AgentRunner consumer_runner(consumer, idle);
  AgentRunner producer_runner(producer, idle);
  const auto t0 = Clock::now();
  ASSERT_TRUE(consumer_runner.start());
  ASSERT_TRUE(producer_runner.start());
  const bool finished =
      wait_for([&] { return consumer.received_.load(std::memory_order_acquire) >= n; }, 120s);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  producer_runner.stop();
  consumer_runner.stop();
  ASSERT_TRUE(finished) << "only " << consumer.received_.load() << " of " << n
                        << " messages arrived";
  EXPECT_EQ(producer.sent_.load(), n);
  EXPECT_EQ(consumer.received_.load(), n);
  EXPECT_EQ(consumer.bad_, 0u);
  EXPECT_TRUE(ring.empty_approx());
  std::printf(
      "[ runners  ] %llu msgs producer->ring->consumer on two backoff runners in %.3f s = %.2f M "
      "msg/s "
      "(producer found the ring full %llu times)\n",
      static_cast<unsigned long long>(n), secs, static_cast<double>(n) / secs / 1e6,
      static_cast<unsigned long long>(producer.full_));
}

TEST(AgentRunnerPipeline, FusedProducerAndConsumerOnOneRunner) {
  // The "fused" layout: both stages as one CompositeAgent on one thread.
  const uint64_t n = runner_messages();
  SpscRing<Msg> ring(1024);
  ProducerAgent producer(ring, n);
  ConsumerAgent consumer(ring);
  CompositeAgent fused({&producer, &consumer}, "tp-fused");
  AgentRunner runner(fused, IdleConfig{});
  const auto t0 = Clock::now();
  ASSERT_TRUE(runner.start());
  const bool finished =
      wait_for([&] { return consumer.received_.load(std::memory_order_acquire) >= n; }, 120s);
  const double secs = std::chrono::duration<double>(Clock::now() - t0).count();
  runner.stop();
  ASSERT_TRUE(finished);
  EXPECT_EQ(consumer.received_.load(), n);
  EXPECT_EQ(consumer.bad_, 0u);
  std::printf("[ runners  ] %llu msgs through a fused runner in %.3f s = %.2f M msg/s\n",
              static_cast<unsigned long long>(n), secs, static_cast<double>(n) / secs / 1e6);
}

}  // namespace
}  // namespace tp
