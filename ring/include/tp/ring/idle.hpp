// Idle strategies (STYLE §7, after Aeron's IdleStrategy family). A runner calls
// idle(work) after every duty cycle; work > 0 resets the strategy, work == 0 makes it
// wait a little longer. All parameters are in nanoseconds or iteration counts.
//
// Threads: an idle strategy object belongs to one thread. None of them allocates.
// Only SleepIdle and the park phase of BackoffIdle give the CPU back to the OS;
// BusySpinIdle never does and must only be used on a thread pinned to a core of its
// own (SPEC §2; on a 2-core box that is at most one such thread).
#pragma once

#include <chrono>
#include <cstdint>
#include <string_view>
#include <thread>

#include "tp/ring/spsc_ring.hpp"

namespace tp {

enum class IdleKind : uint8_t { BusySpin, Yield, Backoff, Sleep };

/// Parameters of every idle strategy; one struct so that a layout can be configured
/// from the command line.
struct IdleConfig {
  IdleKind kind = IdleKind::Backoff;
  uint32_t max_spins = 2000;          ///< Backoff: pause-loop iterations before yielding
  uint32_t max_yields = 50;           ///< Backoff: sched_yield calls before parking
  int64_t min_park_ns = 1'000;        ///< Backoff: first park duration
  int64_t max_park_ns = 1'000'000;    ///< Backoff: park duration cap (doubles up to it)
  int64_t sleep_ns = 100'000;         ///< Sleep: fixed sleep when idle
};

/// Parses "spin" | "yield" | "backoff" | "sleep". Returns false on anything else.
bool parse_idle_kind(std::string_view s, IdleKind& out) noexcept;
const char* to_string(IdleKind k) noexcept;

/// One idle strategy whose behaviour is picked at construction. A switch on a member
/// is cheaper than a virtual call and keeps the runner a plain loop.
class IdleStrategy {
 public:
  explicit IdleStrategy(IdleConfig cfg = {}) noexcept : cfg_(cfg), park_ns_(cfg.min_park_ns) {}

  /// Called after each duty cycle with the work it did. Never allocates; may block
  /// (sleep) for at most max_park_ns / sleep_ns.
  void idle(int work) noexcept {
    if (work > 0) {
      reset();
      return;
    }
    switch (cfg_.kind) {
      case IdleKind::BusySpin:
        detail::cpu_relax();
        return;
      case IdleKind::Yield:
        std::this_thread::yield();
        return;
      case IdleKind::Sleep:
        std::this_thread::sleep_for(std::chrono::nanoseconds(cfg_.sleep_ns));
        return;
      case IdleKind::Backoff:
        if (spins_ < cfg_.max_spins) {
          ++spins_;
          detail::cpu_relax();
        } else if (yields_ < cfg_.max_yields) {
          ++yields_;
          std::this_thread::yield();
        } else {
          std::this_thread::sleep_for(std::chrono::nanoseconds(park_ns_));
          park_ns_ = park_ns_ * 2 > cfg_.max_park_ns ? cfg_.max_park_ns : park_ns_ * 2;
        }
        return;
    }
  }

  /// Back to the most eager phase (called when work was found).
  void reset() noexcept {
    spins_ = 0;
    yields_ = 0;
    park_ns_ = cfg_.min_park_ns;
  }

  [[nodiscard]] const IdleConfig& config() const noexcept { return cfg_; }

 private:
  IdleConfig cfg_;
  uint32_t spins_ = 0;
  uint32_t yields_ = 0;
  int64_t park_ns_;
};

}  // namespace tp
