// Agents and the runner that owns their thread (STYLE §7, after Aeron's Agent,
// AgentRunner and Agrona's CompositeAgent).
//
// An agent is a stage of the pipeline. do_work() must never block: it does whatever
// work is ready (bounded), and returns how much it did (0 = nothing was ready). The
// runner calls the idle strategy only when a whole duty cycle returned 0.
#pragma once

#include <atomic>
#include <cstdint>
#include <exception>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "tp/ring/idle.hpp"

namespace tp {

class Agent {
 public:
  virtual ~Agent() = default;
  /// One bounded duty cycle. Called only from the agent's runner thread.
  /// Never blocks, never allocates on the hot path. Returns work done (>= 0).
  virtual int do_work() = 0;
  /// Short name used for the thread name and diagnostics.
  [[nodiscard]] virtual std::string_view name() const = 0;
  /// Called once on the runner thread before the first do_work().
  virtual void on_start() {}
  /// Called once on the runner thread after the last do_work().
  virtual void on_close() {}
};

/// Runs several agents on one thread, in order, as one agent ("fused" stages).
/// Does not own the agents.
class CompositeAgent final : public Agent {
 public:
  explicit CompositeAgent(std::vector<Agent*> agents, std::string name);
  int do_work() override {
    int work = 0;
    for (Agent* a : agents_) work += a->do_work();
    return work;
  }
  [[nodiscard]] std::string_view name() const override { return name_; }
  void on_start() override;
  void on_close() override;
  [[nodiscard]] const std::vector<Agent*>& agents() const { return agents_; }

 private:
  std::vector<Agent*> agents_;
  std::string name_;
};

/// CPUs configured on this machine (sysconf(_SC_NPROCESSORS_CONF)), at least 1. Any
/// thread; never allocates.
int cpu_count() noexcept;

/// Why a thread of this process cannot be pinned to `cpu`, or "" when it can: e.g.
/// "CPU 999 does not exist (this machine has 2 CPUs: 0-1)", "CPU 3 is not available to
/// this process (it may run on CPUs 0-1)". Checks the machine's CPU count and the
/// process's affinity mask (sched_getaffinity). Any thread; cold path (allocates).
std::string cpu_pin_problem(int cpu);

/// Owns one thread that runs one agent until stop(). Optionally pins the thread to a
/// CPU. Cold-path object: construction, start() and stop() allocate/join; the loop
/// itself does not allocate.
class AgentRunner {
 public:
  /// How the OS schedules the thread. Background = Linux SCHED_IDLE (unprivileged):
  /// the thread runs only when no normal thread wants its core and is preempted at
  /// once when one wakes. Its share of a busy core is tiny, so it is only for work
  /// nothing waits on: measured with the journal persister, a busy core starved it and
  /// the journal's back-pressure stalled the hot path (bench/RESULTS.md), which is why
  /// the engine runs its persister Normal.
  enum class Sched : uint8_t { Normal, Background };

  /// `cpu` < 0: not pinned. Pinning failure is reported by start() (returns false)
  /// and the thread keeps running unpinned. A failed switch to `Background` leaves
  /// the thread at normal priority (also reported by start()).
  AgentRunner(Agent& agent, IdleConfig idle, int cpu = -1, Sched sched = Sched::Normal);
  ~AgentRunner();
  AgentRunner(const AgentRunner&) = delete;
  AgentRunner& operator=(const AgentRunner&) = delete;

  /// Starts the thread and returns once it has named and pinned itself (before the
  /// agent's on_start()). Returns false if pinning was requested and failed (the thread
  /// keeps running unpinned; pin_error() says why) or the switch to Background failed.
  /// Calling it again while running does nothing.
  bool start();
  /// After a start() that returned false: what failed, naming the agent and the CPU,
  /// e.g. "cannot pin thread 'hot-path' to CPU 7: Invalid argument (CPU 7 does not
  /// exist ...)". "" when nothing failed. Cold path (allocates).
  [[nodiscard]] std::string pin_error() const;
  /// Asks the loop to finish its current duty cycle and joins the thread.
  /// Safe to call twice. Blocks until the thread has exited.
  void stop();
  /// True once the agent threw: the loop stopped at that duty cycle (the thread exits;
  /// on_close is not called). Any thread.
  [[nodiscard]] bool failed() const noexcept { return failed_.load(std::memory_order_acquire); }
  /// After stop(): rethrows the agent's exception, if it threw.
  void rethrow_if_failed() const;
  [[nodiscard]] bool running() const noexcept { return running_.load(std::memory_order_acquire); }
  /// Duty cycles run so far (relaxed snapshot, any thread).
  [[nodiscard]] uint64_t cycles() const noexcept { return cycles_.load(std::memory_order_relaxed); }

 private:
  void run();
  Agent& agent_;
  IdleConfig idle_cfg_;
  int cpu_;
  Sched sched_;
  std::atomic<bool> running_{false};
  std::atomic<bool> pin_ok_{true};
  std::atomic<int> pin_errno_{0};    ///< pthread_setaffinity_np's error (0: none)
  std::atomic<int> sched_errno_{0};  ///< pthread_setschedparam's error (0: none)
  std::atomic<bool> failed_{false};
  std::atomic<bool> started_{false};
  std::exception_ptr error_;
  std::atomic<uint64_t> cycles_{0};
  std::thread thread_;
};

}  // namespace tp
