// The simulated venue of replay (SPEC §3.1, event time): FOK and IOC limit orders matched
// against the recorded best bid/offer (up to 5 levels) and its size, in event time.
//
//  * An order caused by an event at time t arrives at t + latency and is matched
//    against the book as of that instant (every input event with time <= arrival has
//    been applied; see FeedAgent for the ordering rule).
//  * FOK: filled completely at the resting prices (possibly several levels, one fill
//    report per level) if enough size is available at or better than the limit,
//    otherwise cancelled. IOC: fills what is available, cancels the rest. By default
//    (replay) Day orders and cancels are not supported (rejected: Unsupported /
//    UnknownOrder) since nothing rests at this venue.
//  * Resting mode (enable_resting(), used by `tickpipe venue`): a Day limit order first
//    takes what the book offers at or better than its limit (as an IOC would), and the
//    rest rests (no cancel report). match_resting(), called after each on_market(),
//    matches the resting orders in time priority (oldest first) against the new book:
//    a resting buy fills against ask levels priced at or below its limit, a resting sell
//    against bid levels at or above it, each fill at the BOOK level's price (the
//    recorded counterparty's price, which is the limit or better), up to the level's
//    size not yet taken. A Cancel (OrderRequest::action, venue_id = the resting order)
//    removes a resting order and reports Canceled (cum_qty = what it had filled);
//    a Cancel of an order that is not resting is rejected UnknownOrder. FOK and IOC
//    behave exactly as without resting mode.
//  * Size taken by our fills is remembered per level until the next quote update, so
//    two orders cannot both take the same displayed lot.
//  * Reports: the ack (New) carries both the client order id and the venue's own id
//    (numbered from 9'000'001); fills and cancels carry ONLY the venue id, as the
//    seeds' broker did, so the tracker must keep the venue-id map. Rejects carry only
//    the client id. A reused client order id is rejected (DuplicateId): idempotency.
//  * Deterministic: no wall clock, no randomness.
//
// Fill models (set_fill_model(), config venue.fill_model; docs/DESIGN.md "Fill models").
// They change only how much a FOK / IOC order fills and never give a price better than
// the book model's; acks, ids, rejects and reports are the same:
//  * Book (default): as above.
//  * TradeThrough: fill = min(what Book would fill, the prints of the order's flight
//    window at or through its limit). The window of an order arriving at A with latency
//    L > 0 is the event times (A - L, A] (from its send to its arrival; the print that
//    caused the order, at A - L, is not in it); with L = 0 it is the instant A itself
//    (ts == A, so the causing print and any at the same time count). A print counts
//    when it is a trade (kInTrade) that is not an auction print (kInAuction), and is at
//    or through the limit: a buy needs price <= limit, a sell price >= limit. Its
//    volume (last_qty, lots) supports our fills once per side: lots of a print used by
//    one of our buys (sells) are not available to a later buy (sell). FOK: fills
//    completely when both the book and the window's unused volume cover the quantity,
//    else cancelled; IOC: fills min(book, window volume), cancels the rest. Fill prices
//    are the book's levels, as under Book. Causal: only events the caller says are
//    applied (InputCursor, every one with ts <= A) are read; nothing after the arrival.
//    Without an InputCursor (process_next(out)) the window is empty and no order fills.
//  * Slippage (N = slippage_ticks >= 0): the book is matched as if every ask level were
//    N ticks higher and every bid level N ticks lower (same sizes); fills are at those
//    moved prices, never beyond the order's limit. A FOK at the recorded best price is
//    cancelled for N >= 1 and the strategy's chase pays the N ticks by the normal path.
//    N = 0 is Book.
// Stats: model_refusals counts orders the model filled fewer lots of than Book would.
// Resting mode (tickpipe venue) matches with Book only: enable_resting() and a model
// other than Book refuse each other (std::invalid_argument).
//
// Units: prices in ticks (Price), sizes in lots (Qty), times in event-time ns (TimeNs,
// latency_ns).
//
// Threads: owned by one thread at a time (the feed agent's; the venue's under its lock).
// Allocation: the constructor reserves the pending queue and the id set,
// enable_resting() the resting list; set_fill_model(), accept(), process_next() and
// match_resting() never allocate (TradeThrough's used-print table is a fixed array).
#pragma once

#include <cstdint>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/messages.hpp"
#include "tp/engine/venue/fill_model.hpp"

namespace tp {

struct SimVenueStats {
  uint64_t orders = 0;
  uint64_t fills = 0;       ///< fill reports
  uint64_t filled_lots = 0;
  uint64_t cancels = 0;
  uint64_t rejects = 0;
  /// FOK / IOC orders the fill model filled fewer lots of than the Book model would have
  /// (at that instant, on the same book): TradeThrough too little printed in the window,
  /// Slippage the moved book. Always 0 under Book.
  uint64_t model_refusals = 0;
};

/// The input events already applied when an order arrives at the venue: the events of
/// `*segments` before position (`seg`, `next`) (the next event not yet applied; `seg` ==
/// segments->size() when all are). Every one of them has ts <= the arrival time; the
/// venue reads no event at or after the position. TradeThrough reads its flight window
/// from them (scanning back from the position); the other models ignore it. The events
/// must stay where they are while the venue runs: TradeThrough remembers the prints our
/// orders used by address.
struct InputCursor {
  const InputSegments* segments = nullptr;
  std::size_t seg = 0;
  std::size_t next = 0;
};

class SimVenue {
 public:
  /// Most reports one order can produce: ack + one fill per level + cancel.
  static constexpr int kMaxReportsPerOrder = 2 + kMaxLevels;

  /// `max_pending`: orders in flight at once (power of two). Cold path.
  SimVenue(int64_t latency_ns, std::size_t max_pending = 1024, std::size_t max_orders = 1u << 16);

  /// The fill model (see above; default Book). Call before the first order. Throws
  /// std::invalid_argument for a slippage outside 0..kMaxSlippageTicks, or a model other
  /// than Book in resting mode. Cold path; never allocates.
  void set_fill_model(const FillModelConfig& m);
  [[nodiscard]] const FillModelConfig& fill_model() const noexcept { return model_; }

  /// Turns resting mode on (see above) for up to `max_resting` resting Day orders at
  /// once (a Day order arriving when that many rest has its remainder cancelled). Call
  /// before the first order. Cold path: reserves the resting list.
  void enable_resting(std::size_t max_resting = 4096);
  [[nodiscard]] bool resting_enabled() const noexcept { return resting_enabled_; }
  /// Day orders resting now.
  [[nodiscard]] std::size_t resting_count() const noexcept { return resting_.size(); }

  /// Resting mode: matches the resting orders against the current book (call after
  /// on_market) and writes their fill reports (venue id only, as every fill) to
  /// out[0..n). Writes fills of whole orders only while at least kMaxLevels slots are
  /// left of `max_out` (>= kMaxLevels): when it returns n > max_out - kMaxLevels, call
  /// it again for the rest. Returns 0 when nothing (more) can fill. Never allocates.
  int match_resting(ExecReport* out, int max_out) noexcept;

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
  /// kMaxReportsPerOrder). Returns n. Precondition: has_pending(). `applied`: the input
  /// applied at its arrival (TradeThrough's window; see InputCursor), none by default.
  /// Never allocates; TradeThrough scans the window's events (a few per ms of latency).
  int process_next(ExecReport* out, const InputCursor& applied = {}) noexcept;

  [[nodiscard]] const SimVenueStats& stats() const noexcept { return stats_; }
  [[nodiscard]] int64_t latency_ns() const noexcept { return latency_ns_; }

 private:
  struct Level {
    Price px;
    Qty qty;
    Qty taken;
  };
  struct Resting {
    OrderRequest o;
    VenueOrderId vid;
    int32_t cum = 0;
  };
  /// Lots of one print our orders of one side have used (TradeThrough).
  struct UsedPrint {
    const InputEvent* ev;
    int32_t lots;
  };
  /// Most prints per side whose use is remembered at once (those still inside the
  /// current window); a print that finds the table full is not counted (conservative).
  static constexpr int kMaxUsedPrints = 64;

  bool seen_before(ClientOrderId id) noexcept;
  int match(const OrderRequest& o, TimeNs arrival, const InputCursor& applied, ExecReport* out) noexcept;
  int cancel_resting(const OrderRequest& o, ExecReport* out) noexcept;
  /// Lots the book offers to `o` at or better than its limit (not yet taken), its asks
  /// moved up and bids down by `shift` ticks.
  int32_t available_for(const OrderRequest& o, int64_t shift = 0) const noexcept;
  /// TradeThrough: unused lots printed at or through `o`'s limit in the window of an
  /// arrival at `arrival`; with `consume` > 0, marks that many of them used (earliest
  /// first; at most what it returned). Returns the lots found (before consuming).
  int32_t window_prints(const OrderRequest& o, TimeNs arrival, const InputCursor& applied,
                        int32_t consume) noexcept;
  /// Takes up to `fill` lots for `o` level by level (one Trade report each, cum_qty
  /// counted from `cum`). Returns the reports written; `cum` is updated.
  int take(const OrderRequest& o, VenueOrderId vid, int32_t fill, int32_t& cum, ExecReport* out) noexcept;

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
  bool resting_enabled_ = false;
  std::vector<Resting> resting_;  ///< time priority (oldest first); capacity reserved
  FillModelConfig model_;
  int64_t shift_ = 0;             ///< ticks the book is moved against us (Slippage)
  UsedPrint used_[2][kMaxUsedPrints] = {};  ///< [0] buys, [1] sells (TradeThrough)
  int nused_[2] = {0, 0};
};

}  // namespace tp
