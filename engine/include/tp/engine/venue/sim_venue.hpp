// The simulated venue of replay (issue #2 §5): FOK and IOC limit orders matched
// against the recorded best bid/offer (up to 5 levels) and its size, in event time.
//
//  * An order caused by an event at time t arrives at t + latency and is matched
//    against the book as of that instant (every input event with time <= arrival has
//    been applied; see FeedAgent for the ordering rule).
//  * FOK: filled completely at the resting prices (possibly several levels, one fill
//    report per level) if enough size is available at or better than the limit,
//    otherwise cancelled. IOC: fills what is available, cancels the rest. Day orders
//    and cancels of resting orders are not supported (rejected: Unsupported /
//    UnknownOrder) since nothing rests at this venue.
//  * Size taken by our fills is remembered per level until the next quote update, so
//    two orders cannot both take the same displayed lot.
//  * Reports: the ack (New) carries both the client order id and the venue's own id
//    (numbered from 9'000'001); fills and cancels carry ONLY the venue id, as the
//    seeds' broker did, so the tracker must keep the venue-id map. Rejects carry only
//    the client id. A reused client order id is rejected (DuplicateId): idempotency.
//  * Deterministic: no wall clock, no randomness.
//
// Threads: owned by the feed agent's thread. Allocation: the constructor reserves the
// pending queue and the id set; accept() and process_next() never allocate.
#pragma once

#include <cstdint>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/messages.hpp"

namespace tp {

struct SimVenueStats {
  uint64_t orders = 0;
  uint64_t fills = 0;       ///< fill reports
  uint64_t filled_lots = 0;
  uint64_t cancels = 0;
  uint64_t rejects = 0;
};

class SimVenue {
 public:
  /// Most reports one order can produce: ack + one fill per level + cancel.
  static constexpr int kMaxReportsPerOrder = 2 + kMaxLevels;

  /// `max_pending`: orders in flight at once (power of two). Cold path.
  SimVenue(int64_t latency_ns, std::size_t max_pending = 1024, std::size_t max_orders = 1u << 16);

  /// Applies a market event to the book (quotes replace the levels and reset the
  /// taken size). Never allocates.
  void on_market(const InputEvent& ev) noexcept;
  /// Same, from a top-of-book snapshot (live adapters): one level a side.
  void on_top_of_book(const MarketData& md) noexcept;

  /// Queues an order received from the gateway; it arrives at origin_time + latency.
  /// Orders must be accepted in non-decreasing origin_time (the pipeline is FIFO).
  /// Returns false when the pending queue is full (the caller keeps the order and
  /// retries: back-pressure, never a drop).
  [[nodiscard]] bool accept(const OrderRequest& o) noexcept;

  [[nodiscard]] bool has_pending() const noexcept { return head_ != tail_; }
  /// Arrival time of the oldest pending order. Precondition: has_pending().
  [[nodiscard]] TimeNs next_arrival() const noexcept;

  /// Matches the oldest pending order and writes its reports to out[0..n) (n <=
  /// kMaxReportsPerOrder). Returns n. Precondition: has_pending().
  int process_next(ExecReport* out) noexcept;

  [[nodiscard]] const SimVenueStats& stats() const noexcept { return stats_; }
  [[nodiscard]] int64_t latency_ns() const noexcept { return latency_ns_; }

 private:
  struct Level {
    Price px;
    Qty qty;
    Qty taken;
  };
  bool seen_before(ClientOrderId id) noexcept;
  int match(const OrderRequest& o, ExecReport* out) noexcept;

  int64_t latency_ns_;
  std::vector<OrderRequest> pending_;
  std::size_t mask_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
  Level bids_[kMaxLevels] = {};
  Level asks_[kMaxLevels] = {};
  int nbids_ = 0;
  int nasks_ = 0;
  uint64_t next_venue_id_ = 9'000'001;
  std::vector<uint64_t> ids_;  ///< open-addressing set of client ids seen
  std::size_t ids_mask_;
  std::size_t ids_used_ = 0;
  SimVenueStats stats_;
};

}  // namespace tp
