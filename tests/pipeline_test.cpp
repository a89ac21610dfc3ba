// The one pipeline (PipelineT) with the injected-quote feed: every layout of the ring
// pipeline and the mutex-queue baseline carry every quote to an order and every order's
// reports back to the tracker, and every journal record reaches the journal sink. The
// replay feed in the same PipelineT is covered by replay_test (determinism across layouts).
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "tp/engine/pipeline/injected_feed.hpp"

namespace tp {
namespace {

/// Sends one FOK buy at the ask for every quote (the latency harness's logic).
class OrderPerQuote final : public TradingLogic {
 public:
  void on_market(const Event& ev, StrategySink& sink) override {
    OrderRequest r;
    r.client_id = ClientOrderId{++next_};
    r.limit = ev.u.md.ask;
    r.qty = Qty{1};
    r.side = Side::Buy;
    r.tif = Tif::Fok;
    r.action = OrderAction::New;
    r.open_close = OpenClose::Open;
    (void)sink.submit(r);
  }
  void on_exec(const Event&, StrategySink&) override {}
  void on_end_of_data(const Event&, StrategySink&) override {}
  int open_lots() const override { return 0; }
  Ticks day_pnl() const override { return Ticks{}; }

 private:
  uint64_t next_ = 0;
};

Config no_limits() {
  Config cfg = default_config();
  cfg.risk.max_position_lots = 0;
  cfg.risk.max_order_lots = 0;
  cfg.risk.max_orders_per_sec = 0;
  cfg.risk.price_band_points = 0;
  resolve(cfg);
  return cfg;
}

template <template <class> class Q>
void carries_every_quote(Layout layout) {
  constexpr uint64_t kQuotes = 2000;
  const Config cfg = no_limits();
  OrderPerQuote logic;
  PipelineOptions po;
  po.layout = layout;
  po.idle.kind = IdleKind::Backoff;  // never busy-spin more threads than this machine's cores
  const auto p = make_live_pipeline<Q>(cfg, logic, po, 64);
  JournalDiscardT<Q> sink(p->journal_rings());
  p->start(&sink);
  for (uint64_t k = 0; k < kQuotes; ++k) {
    InboundQuote q;
    const int64_t px = 17'000 + static_cast<int64_t>(k % 7);
    q.md.bid = Price{px - 1};
    q.md.ask = Price{px};
    q.md.bid_qty = Qty{5};
    q.md.ask_qty = Qty{5};
    q.md.last = Price{px};
    q.md.last_qty = Qty{1};
    q.md.flags = kMdHasBid | kMdHasAsk | kMdHasTrade;
    q.md.session = Session::Day;
    q.event_time = TimeNs{static_cast<int64_t>(k + 1) * kNsPerMs};
    q.md.quote_time = q.event_time;
    while (!p->feed().try_inject(q)) std::this_thread::yield();  // back-pressure: retry
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  // Done when the tracker has handled every quote and both reports of every order, the
  // risk stage everything the tracker forwarded, and the sink every journal record.
  auto done = [&] {
    const uint64_t tracked = p->tracker().counters().handled.load(std::memory_order_acquire);
    const uint64_t risked = p->risk().counters().handled.load(std::memory_order_acquire);
    return p->orders_sent() == kQuotes && tracked == 3 * kQuotes && risked == 3 * kQuotes &&
           sink.consumed() == p->journaled();
  };
  while (!done() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  p->stop();
  EXPECT_EQ(p->orders_sent(), kQuotes);
  EXPECT_EQ(p->feed().stats().quotes, kQuotes);
  // Each FOK gets an ack and a fill (the ask is the order's limit): 2 reports per order.
  EXPECT_EQ(p->feed().stats().exec_reports, 2 * kQuotes);
  EXPECT_EQ(p->tracker().stats().reports, 2 * kQuotes);
  EXPECT_EQ(p->tracker().stats().unknown_reports, 0u);
  EXPECT_EQ(sink.consumed(), p->journaled()) << "every journal record reached the sink";
  EXPECT_GT(p->threads_used(), 0);
}

TEST(PipelineInjectedFeed, FusedCarriesEveryQuote) { carries_every_quote<SpscRing>(Layout::Fused); }
TEST(PipelineInjectedFeed, InlineCarriesEveryQuote) { carries_every_quote<SpscRing>(Layout::Inline); }
TEST(PipelineInjectedFeed, PairsCarriesEveryQuote) { carries_every_quote<SpscRing>(Layout::Pairs); }
TEST(PipelineInjectedFeed, ThreadsCarriesEveryQuote) { carries_every_quote<SpscRing>(Layout::Threads); }
TEST(PipelineInjectedFeed, MutexQueueBaselineCarriesEveryQuote) { carries_every_quote<MutexQueue>(Layout::Threads); }

TEST(PipelineInjectedFeed, MutexQueueRefusesALayoutOtherThanThreads) {
  const Config cfg = no_limits();
  OrderPerQuote logic;
  PipelineOptions po;
  po.layout = Layout::Fused;
  const auto p = make_live_pipeline<MutexQueue>(cfg, logic, po);
  EXPECT_THROW(p->start(), std::invalid_argument);
}

}  // namespace
}  // namespace tp
