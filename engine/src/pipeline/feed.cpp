#include <algorithm>
#include <limits>

#include "tp/engine/pipeline/stages.hpp"

namespace tp {

void apply_input_event(MarketData& md, const InputEvent& in) noexcept {
  md.trading_day = in.day;
  md.session = in.session;
  md.flags = static_cast<uint8_t>(md.flags & (kMdHasBid | kMdHasAsk | kMdSynthetic));
  if (in.flags & kInQuote) {
    md.flags = static_cast<uint8_t>(md.flags & ~(kMdHasBid | kMdHasAsk | kMdSynthetic));
    if (in.bid_levels > 0) {
      md.bid = in.bid_px[0];
      md.bid_qty = in.bid_qty[0];
      md.flags |= kMdHasBid;
    }
    if (in.ask_levels > 0) {
      md.ask = in.ask_px[0];
      md.ask_qty = in.ask_qty[0];
      md.flags |= kMdHasAsk;
    }
    if (in.flags & kInSynthetic) md.flags |= kMdSynthetic;
    md.quote_time = in.ts;
  }
  if (in.flags & kInTrade) {
    md.last = in.last;
    md.last_qty = in.last_qty;
    md.flags |= kMdHasTrade;
    if (in.flags & kInAuction) md.flags |= kMdAuction;
  }
}

FeedAgent::FeedAgent(InputSegments input, int64_t latency_ns, EventRing& out, OrderRing& venue_in,
                     PipelineProbe probe, bool stamp_ingress, const FillModelConfig& fill)
    : input_(std::move(input)),
      venue_(latency_ns),
      latency_ns_(latency_ns),
      out_(out),
      venue_in_(venue_in),
      probe_(probe),
      stamp_ingress_(stamp_ingress) {
  std::erase_if(input_, [](std::span<const InputEvent> s) { return s.empty(); });
  venue_.set_fill_model(fill);
}

void FeedAgent::collect_orders() noexcept {
  if (has_pending_order_) {
    if (!venue_.accept(pending_order_)) return;
    has_pending_order_ = false;
  }
  OrderRequest o;
  while (venue_in_.try_pop(o)) {
    if (!venue_.accept(o)) {  // venue queue full: keep it, retry later (never dropped)
      pending_order_ = o;
      has_pending_order_ = true;
      return;
    }
  }
}

Event* FeedAgent::claim(TimeNs t, EventKind kind) noexcept {
  Event* e = out_.try_claim();  // room was checked by the caller
  e->seq = ++seq_;
  e->event_time = t;
  e->ingress_ns = stamp_ingress_ ? wall_now_ns() : 0;
  e->kind = kind;
  return e;
}

void FeedAgent::publish(TimeNs t) noexcept {
  out_.commit();
  last_time_ = t;
  emitted_pub_.store(seq_, std::memory_order_release);
  if (!unsettled_) {
    unsettled_ = true;
    first_unsettled_ = t;
  }
}

int FeedAgent::do_work() {
  if (finished_.load(std::memory_order_relaxed)) return 0;
  collect_orders();
  constexpr int64_t kNever = std::numeric_limits<int64_t>::max();
  int work = 0;
  for (int budget = kStageBatch; budget > 0; --budget) {
    // Room for the largest thing we may emit (one order's reports).
    if (out_.free_slots(SimVenue::kMaxReportsPerOrder) < static_cast<std::size_t>(SimVenue::kMaxReportsPerOrder)) {
      ++stats_.backpressure;
      break;
    }
    const int64_t t_in = seg_ < input_.size() ? input_[seg_][next_].ts.ns : kNever;
    const int64_t t_venue = venue_.has_pending() ? venue_.next_arrival().ns : kNever;
    const int64_t t = t_in <= t_venue ? t_in : t_venue;

    // Lookahead: an event still in the pipeline could send an order that reaches the
    // venue before t. Wait for the pipeline to settle, then look again.
    if (unsettled_ && (t == kNever || first_unsettled_.ns + latency_ns_ < t)) {
      if (!probe_.idle(seq_)) {
        if (!waiting_) {
          waiting_ = true;
          ++stats_.idle_waits;
        }
        break;
      }
      waiting_ = false;
      unsettled_ = false;
      collect_orders();
      if (has_pending_order_) break;  // venue queue full; cannot decide yet
      continue;
    }

    if (horizon_ns_ != kNoHorizon && t >= horizon_ns_) break;  // paused at the horizon (step_inline)

    if (t == kNever) {  // input and venue exhausted, pipeline idle
      Event* e = claim(last_time_, EventKind::EndOfData);
      e->u.md = md_;
      publish(e->event_time);
      finished_.store(true, std::memory_order_release);
      ++work;
      break;
    }

    if (t_in <= t_venue) {
      const InputEvent& in = input_[seg_][next_];
      // A quiet day (skip_quiet_days): read the risk stage's word only once the pipeline
      // has handled everything emitted (acquire after its handled counts), and only while
      // nothing is at the venue.
      const bool skip = quiet_ != nullptr && in.day.yyyymmdd == quiet_->load(std::memory_order_relaxed) &&
                        !venue_.has_pending() && !has_pending_order_ && probe_.idle(seq_) &&
                        in.day.yyyymmdd == quiet_->load(std::memory_order_acquire);
      if (++next_ == input_[seg_].size()) {
        ++seg_;
        next_ = 0;
      }
      if (skip) {
        // Nothing is emitted, so the pipeline stays idle and the venue empty: the rest
        // of the day (up to the horizon) goes at once. Events are in time order and
        // trading days only grow, so each segment's part is found by binary search. md_
        // must end as if every skipped event had been applied in order, which is: the
        // run's last trade and last quote (in their order), then its last event.
        struct At {
          const InputEvent* e = nullptr;
          uint64_t pos = 0;  ///< position in the run (orders events across segments)
        };
        const int32_t day = in.day.yyyymmdd;
        At last{&in, 0};
        At quote = (in.flags & kInQuote) ? At{&in, 0} : At{};
        At trade = (in.flags & kInTrade) ? At{&in, 0} : At{};
        uint64_t n = 1;
        while (seg_ < input_.size()) {
          const std::span<const InputEvent> sg = input_[seg_];
          const auto stop = static_cast<std::size_t>(
              std::partition_point(sg.begin() + static_cast<std::ptrdiff_t>(next_), sg.end(),
                                   [&](const InputEvent& e) {
                                     return e.day.yyyymmdd == day && (horizon_ns_ == kNoHorizon || e.ts.ns < horizon_ns_);
                                   }) -
              sg.begin());
          if (stop > next_) {
            const uint64_t base = n - next_;  // run position of sg[k] is base + k
            last = At{&sg[stop - 1], base + stop - 1};
            for (std::size_t k = stop; k-- > next_;) {
              if (!(sg[k].flags & kInQuote)) continue;
              quote = At{&sg[k], base + k};
              break;
            }
            for (std::size_t k = stop; k-- > next_;) {
              if (!(sg[k].flags & kInTrade)) continue;
              trade = At{&sg[k], base + k};
              break;
            }
            n += stop - next_;
          }
          if (stop < sg.size()) {
            next_ = stop;
            break;
          }
          ++seg_;
          next_ = 0;
        }
        At order[3] = {trade, quote, last};
        if (order[0].e != nullptr && order[1].e != nullptr && order[1].pos < order[0].pos) std::swap(order[0], order[1]);
        uint64_t applied = UINT64_MAX;
        for (const At& a : order) {
          if (a.e == nullptr || (applied != UINT64_MAX && a.pos <= applied)) continue;
          apply_input_event(md_, *a.e);
          applied = a.pos;
        }
        if (quote.e != nullptr) last_quote_ = quote.e;
        stats_.skipped_events += n;
        ++work;
        continue;
      }
      // The venue's book is only needed when an order arrives: remember the quote and
      // apply it then (same result as applying every quote, without the per-tick cost).
      if (in.flags & kInQuote) last_quote_ = &in;
      apply_input_event(md_, in);
      Event* e = claim(in.ts, EventKind::Market);
      e->u.md = md_;
      publish(in.ts);
      ++stats_.market_events;
    } else {
      ExecReport reports[SimVenue::kMaxReportsPerOrder];
      const TimeNs when = venue_.next_arrival();
      if (last_quote_ != applied_quote_) {
        venue_.on_market(*last_quote_);
        applied_quote_ = last_quote_;
      }
      // Every input event before the cursor has ts <= when (input first on a tie), none
      // after it: the trade_through window is read from there, causally.
      const int n = venue_.process_next(reports, InputCursor{&input_, seg_, next_});
      for (int i = 0; i < n; ++i) {
        Event* e = claim(when, EventKind::Exec);
        e->u.er = reports[i];
        publish(when);
      }
      stats_.exec_reports += static_cast<uint64_t>(n);
    }
    ++work;
  }
  return work;
}

}  // namespace tp
