// Progress counters every stage publishes, and the pipeline-idle check the feed uses
// for event-time determinism (docs/DESIGN.md "Determinism").
//
// Protocol: after a stage has fully handled one input (its outputs are pushed), it
// stores `produced` (outputs pushed so far) and then `handled` (inputs handled so far),
// both with release. A reader that acquires `handled` therefore sees a `produced` at
// least as new. Each counter is written by one thread only (the stage's) and may be
// read from any thread.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>

#include "tp/ring/spsc_ring.hpp"

namespace tp {

struct alignas(kFalseSharingRange) StageCounters {
  std::atomic<uint64_t> handled{0};    ///< inputs fully handled
  std::atomic<uint64_t> produced{0};   ///< messages pushed to the next stage
  std::atomic<uint64_t> journaled{0};  ///< records pushed to this stage's journal ring
  std::atomic<uint64_t> backpressure{0};  ///< times an input waited for room downstream
  /// Journal watermark (docs/DESIGN.md "Crash consistency"): every journal record this
  /// stage will ever write for an origin seq <= done_seq is already in its journal ring.
  /// Monotonic; written with release by the stage (DoneSeq::publish), read with acquire
  /// by the next stage and, for the last stage, by the persister. UINT64_MAX: the stage
  /// has no upstream watermark (a feed without one): the persister then commits in
  /// drain order, as before the watermark existed.
  std::atomic<uint64_t> done_seq{0};

  /// Stage thread only: publish after finishing an input.
  void publish(uint64_t handled_n, uint64_t produced_n, uint64_t journaled_n) noexcept {
    journaled.store(journaled_n, std::memory_order_release);
    produced.store(produced_n, std::memory_order_release);
    handled.store(handled_n, std::memory_order_release);
  }
};

/// How a stage computes its journal watermark (StageCounters::done_seq) from its
/// upstream's: the stage is done with every origin seq <= the upstream's watermark once
/// every input the upstream pushed up to that seq has been consumed, i.e. once its input
/// queue is empty or its oldest input has a higher origin seq (inputs arrive in origin
/// seq order). Usage inside do_work(), stage thread only:
///   const uint64_t up = done_.upstream();   // BEFORE looking at the input queue
///   ... handle inputs ...
///   done_.publish(counters_, up, next input's origin seq, or 0 if the queue is empty);
/// The acquire of `up` pairs with the upstream's release after it pushed those inputs,
/// so the emptiness seen afterwards covers them. Never blocks, never allocates.
class DoneSeq {
 public:
  /// The upstream's watermark (the feed's emitted seq for the tracker). Null: none
  /// (upstream() is UINT64_MAX). Call before the stage's thread starts.
  void set_upstream(const std::atomic<uint64_t>* up) noexcept { up_ = up; }
  [[nodiscard]] uint64_t upstream() const noexcept {
    return up_ != nullptr ? up_->load(std::memory_order_acquire) : UINT64_MAX;
  }
  /// `next_origin`: origin seq of the oldest input still queued (0: the queue is empty).
  void publish(StageCounters& c, uint64_t up, uint64_t next_origin) noexcept {
    const uint64_t v = next_origin == 0 ? up : std::min(up, next_origin - 1);
    if (v > last_) {
      last_ = v;
      c.done_seq.store(v, std::memory_order_release);
    }
  }

 private:
  const std::atomic<uint64_t>* up_ = nullptr;
  uint64_t last_ = 0;
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
