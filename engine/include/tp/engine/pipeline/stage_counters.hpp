// Progress counters every stage publishes, and the pipeline-idle check the feed uses
// for event-time determinism (docs/DESIGN.md "Determinism").
//
// Protocol: after a stage has fully handled one input (its outputs are pushed), it
// stores `produced` (outputs pushed so far) and then `handled` (inputs handled so far),
// both with release. A reader that acquires `handled` therefore sees a `produced` at
// least as new. Each counter is written by one thread only (the stage's) and may be
// read from any thread.
#pragma once

#include <atomic>
#include <cstdint>

#include "tp/ring/spsc_ring.hpp"

namespace tp {

struct alignas(kFalseSharingRange) StageCounters {
  std::atomic<uint64_t> handled{0};    ///< inputs fully handled
  std::atomic<uint64_t> produced{0};   ///< messages pushed to the next stage
  std::atomic<uint64_t> journaled{0};  ///< records pushed to this stage's journal ring
  std::atomic<uint64_t> backpressure{0};  ///< times an input waited for room downstream

  /// Stage thread only: publish after finishing an input.
  void publish(uint64_t handled_n, uint64_t produced_n, uint64_t journaled_n) noexcept {
    journaled.store(journaled_n, std::memory_order_release);
    produced.store(produced_n, std::memory_order_release);
    handled.store(handled_n, std::memory_order_release);
  }
};

/// The counters of the three stages downstream of the feed.
struct PipelineProbe {
  const StageCounters* tracker = nullptr;
  const StageCounters* risk = nullptr;
  const StageCounters* gateway = nullptr;

  /// True when every event the feed emitted (`emitted`) has been handled by the
  /// tracker, everything the tracker forwarded by risk, and every order risk produced
  /// by the gateway. Reads in pipeline order with acquire: once a stage has handled all
  /// its input its outputs are final, so the snapshot is consistent. Any thread.
  [[nodiscard]] bool idle(uint64_t emitted) const noexcept {
    if (tracker->handled.load(std::memory_order_acquire) != emitted) return false;
    const uint64_t t_out = tracker->produced.load(std::memory_order_acquire);
    if (risk->handled.load(std::memory_order_acquire) != t_out) return false;
    const uint64_t r_out = risk->produced.load(std::memory_order_acquire);
    return gateway->handled.load(std::memory_order_acquire) == r_out;
  }
};

}  // namespace tp
