// Strategy (SPEC §4): opening range, breakout entries, chase, FIFO lot rules, per-lot
// exits (initial / trailing / protective / take profit / end of day), journal records,
// counters, and zero allocation on plain ticks.
//
// Conventions of this file (every expected number below is derived from them):
//   * Trading day 2024-01-02 (a Tuesday), times are Asia/Taipei local time.
//   * trade(t, p) sends a market event with a trade at p and a fresh quote
//     bid = p - 1, ask = p + 1 (quote_time = event time).
//   * make_range() builds the default opening range from the 08:45:00-08:47:00 window:
//     trades 17480 (08:45:00, the opening price), 17490 (08:45:30), 17470 (08:46:00),
//     17485 (08:46:30); the event at 08:47:00 (trade 17485, inside the range) completes
//     it: range_high 17490, range_low 17470, opening 17480.
//   * A LONG breakout is trade(08:50:00, 17499): 17499 > 17490, ask = 17500, so every
//     entry order is a FOK Buy at 17500. A SHORT breakout is trade(08:50:00, 17461):
//     17461 < 17470, bid = 17460, so a FOK Sell at 17460.
//   * The fake sink records every submitted order in `sink.orders` (index = send order)
//     and every journal record in `sink.records`.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <memory>
#include <new>
#include <vector>

#include "tp/engine/config/config.hpp"
#include "tp/engine/instrument.hpp"
#include "tp/engine/journal.hpp"
#include "tp/engine/strategy/strategy.hpp"
#include "tp/engine/strategy/lot_assignment.hpp"

// ------------------------------------------------------------------ counting operator new
// Replaced for the whole test binary; counts only while g_count_allocs is set.
namespace {
std::atomic<bool> g_count_allocs{false};
std::atomic<uint64_t> g_allocs{0};
void* counted_alloc(std::size_t n) {
  if (g_count_allocs.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* counted_alloc_aligned(std::size_t n, std::align_val_t al) {
  if (g_count_allocs.load(std::memory_order_relaxed)) g_allocs.fetch_add(1, std::memory_order_relaxed);
  void* p = nullptr;
  const std::size_t a = static_cast<std::size_t>(al) < sizeof(void*) ? sizeof(void*) : static_cast<std::size_t>(al);
  if (posix_memalign(&p, a, n == 0 ? 1 : n) != 0) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { return counted_alloc(n); }
void* operator new[](std::size_t n) { return counted_alloc(n); }
void* operator new(std::size_t n, std::align_val_t a) { return counted_alloc_aligned(n, a); }
void* operator new[](std::size_t n, std::align_val_t a) { return counted_alloc_aligned(n, a); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

namespace tp {
namespace {

constexpr int32_t kDay = 20240102;

constexpr int32_t hms(int h, int m, int s) { return h * 3600 + m * 60 + s; }

class FakeSink final : public StrategySink {
 public:
  std::vector<OrderRequest> orders;
  std::vector<JournalRecord> records;
  int reject_next = 0;  ///< refuse the next N submits
  RejectReason reject_reason = RejectReason::Throttle;
  int max_orders_in_one_event = 0;
  int max_journal_in_one_event = 0;
  int orders_this_event = 0;
  int journal_this_event = 0;

  RejectReason submit(OrderRequest& req) override {
    orders.push_back(req);
    max_orders_in_one_event = std::max(max_orders_in_one_event, ++orders_this_event);
    if (reject_next > 0) {
      --reject_next;
      return reject_reason;
    }
    return RejectReason::None;
  }
  void journal(JournalRecord& rec) override {
    records.push_back(rec);
    max_journal_in_one_event = std::max(max_journal_in_one_event, ++journal_this_event);
  }
  void new_event() {
    orders_this_event = 0;
    journal_this_event = 0;
  }
};

class StrategyTest : public ::testing::Test {
 protected:
  void SetUp() override { cfg = default_config(); }

  void start(uint32_t run_id = 1, GroupFloor floor = {}) {
    resolve(cfg);
    run = run_id;
    strat = std::make_unique<Strategy>(cfg, run_id, sink, std::move(floor));
  }

  [[nodiscard]] TimeNs at(int32_t sec, int64_t ms = 0) const {
    TimeNs t;
    EXPECT_TRUE(make_time(day, sec, ms * kNsPerMs, cfg.instrument.utc_offset_ns, t));
    return t;
  }

  /// A market event: last = 0 means no trade; bid/ask = 0 means that side is missing.
  void md(TimeNs t, int64_t last, int64_t bid, int64_t ask, int64_t quote_age_ms = 0,
          Session session = Session::Day) {
    Event ev;
    ev.seq = ++seq;
    ev.event_time = t;
    ev.kind = EventKind::Market;
    MarketData& m = ev.u.md;
    m.trading_day = TradingDay{md_trading_day != 0 ? md_trading_day : day};
    m.session = session;
    if (last != 0) {
      m.last = Price{last};
      m.last_qty = Qty{1};
      m.flags |= kMdHasTrade;
    }
    if (bid != 0) {
      m.bid = Price{bid};
      m.bid_qty = Qty{5};
      m.flags |= kMdHasBid;
    }
    if (ask != 0) {
      m.ask = Price{ask};
      m.ask_qty = Qty{5};
      m.flags |= kMdHasAsk;
    }
    m.quote_time = TimeNs{t.ns - quote_age_ms * kNsPerMs};
    sink.new_event();
    strat->on_market(ev);
  }
  void trade(int32_t sec, int64_t px, int64_t ms = 0) { md(at(sec, ms), px, px - 1, px + 1); }
  void quote(int32_t sec, int64_t bid, int64_t ask, int64_t ms = 0) { md(at(sec, ms), 0, bid, ask); }

  void exec(TimeNs t, std::size_t k, ExecType type, int64_t px = 0, int qty = 0, uint8_t flags = 0) {
    const OrderRequest o = sink.orders.at(k);
    Event ev;
    ev.seq = ++seq;
    ev.event_time = t;
    ev.kind = EventKind::Exec;
    ExecReport& r = ev.u.er;
    r.client_id = o.client_id;
    r.venue_id = VenueOrderId{9'000'000 + k};
    r.limit_price = o.limit;
    r.order_qty = o.qty;
    r.side = o.side;
    r.open_close = o.open_close;
    r.tif = o.tif;
    r.type = type;
    r.flags = flags;
    if (type == ExecType::Trade) {
      r.last_px = Price{px};
      r.last_qty = Qty{qty};
    }
    if (type == ExecType::Rejected) r.reason = RejectReason::InvalidPrice;
    sink.new_event();
    strat->on_exec(ev);
  }
  void fill(std::size_t k, int64_t px, TimeNs t, int qty = 1, uint8_t flags = 0) {
    exec(t, k, ExecType::Trade, px, qty, flags);
  }
  void cancel(std::size_t k, TimeNs t) { exec(t, k, ExecType::Canceled); }
  void venue_reject(std::size_t k, TimeNs t) { exec(t, k, ExecType::Rejected); }
  void end_of_data(TimeNs t) {
    Event ev;
    ev.seq = ++seq;
    ev.event_time = t;
    ev.kind = EventKind::EndOfData;
    sink.new_event();
    strat->on_end_of_data(ev);
  }

  /// Opening range 17470..17490, opening 17480 (see the file comment).
  void make_range() {
    trade(hms(8, 45, 0), 17480);
    trade(hms(8, 45, 30), 17490);
    trade(hms(8, 46, 0), 17470);
    trade(hms(8, 46, 30), 17485);
    trade(hms(8, 47, 0), 17485);
  }
  void set_lots(int groups, int lots_per_group) {
    cfg.strategy.groups = groups;
    cfg.strategy.lots_per_group = lots_per_group;
  }

  // journal queries
  [[nodiscard]] int count_signals(SignalKind k) const {
    int n = 0;
    for (const JournalRecord& r : sink.records) n += r.type == JournalType::Signal && r.u.signal.kind == k;
    return n;
  }
  [[nodiscard]] const JrSignal* find_signal(SignalKind k) const {
    for (const JournalRecord& r : sink.records) {
      if (r.type == JournalType::Signal && r.u.signal.kind == k) return &r.u.signal;
    }
    return nullptr;
  }
  [[nodiscard]] std::vector<JrChase> chases(ChaseEvent e) const {
    std::vector<JrChase> out;
    for (const JournalRecord& r : sink.records) {
      if (r.type == JournalType::Chase && r.u.chase.event == e) out.push_back(r.u.chase);
    }
    return out;
  }
  [[nodiscard]] std::vector<JrGroup> groups(GroupEvent e) const {
    std::vector<JrGroup> out;
    for (const JournalRecord& r : sink.records) {
      if (r.type == JournalType::Group && r.u.group.event == e) out.push_back(r.u.group);
    }
    return out;
  }
  /// The last Position record journaled for a lot.
  [[nodiscard]] const JrPosition* last_position(PositionId id) const {
    const JrPosition* p = nullptr;
    for (const JournalRecord& r : sink.records) {
      if (r.type == JournalType::Position && r.u.position.id == id) p = &r.u.position;
    }
    return p;
  }
  [[nodiscard]] uint64_t cid(uint64_t n) const { return (uint64_t{run} << 32) | n; }
  [[nodiscard]] uint64_t pid(uint64_t m) const { return (uint64_t{run} << 32) | m; }

  /// One lot (1 group x 1 lot), LONG entry filled at 17500: orders[0] is the entry.
  void long_one_lot_filled() {
    set_lots(1, 1);
    start();
    make_range();
    trade(hms(8, 50, 0), 17499);
    ASSERT_EQ(sink.orders.size(), 1u);
    fill(0, 17500, at(hms(8, 50, 0), 5));
    ASSERT_EQ(strat->lots().at(0).state, PositionState::Active);
  }

  Config cfg;
  FakeSink sink;
  std::unique_ptr<Strategy> strat;
  uint64_t seq = 0;
  int32_t day = kDay;
  int32_t md_trading_day = 0;  ///< != 0: trading day stamped on market events (night session)
  uint32_t run = 1;
};

// ================================================================== opening range

TEST_F(StrategyTest, OpeningRangeUsesTradesInWindowAndJournalsRangeSet) {
  start();
  trade(hms(8, 44, 59), 17600);  // before range_start: ignored
  make_range();
  ASSERT_EQ(strat->days().size(), 1u);
  const DayResult& d = strat->days()[0];
  EXPECT_EQ(d.day, TradingDay{kDay});
  EXPECT_TRUE(d.has_range);
  EXPECT_EQ(d.range_high, Price{17490});  // max of 17480, 17490, 17470, 17485 (17600 is before 08:45)
  EXPECT_EQ(d.range_low, Price{17470});   // min of the same
  EXPECT_EQ(count_signals(SignalKind::RangeSet), 1);
  const JrSignal* s = find_signal(SignalKind::RangeSet);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->range_high, Price{17490});
  EXPECT_EQ(s->range_low, Price{17470});
  EXPECT_EQ(s->day, TradingDay{kDay});
  EXPECT_TRUE(sink.orders.empty());  // 17485 at 08:47:00 is inside the range
}

TEST_F(StrategyTest, TradeAtRangeEndIsNotInTheRangeButCanBreakOut) {
  start();
  trade(hms(8, 45, 0), 17480);
  trade(hms(8, 46, 59), 17490);
  trade(hms(8, 47, 0), 17495);  // range_end is exclusive: completes the range, then breaks out
  EXPECT_EQ(strat->days()[0].range_high, Price{17490});
  ASSERT_EQ(sink.orders.size(), 3u);  // default 1 group x 3 lots
  EXPECT_EQ(sink.orders[0].limit, Price{17496});  // ask = 17495 + 1
}

TEST_F(StrategyTest, NoTradesInWindowSkipsDayNoRangeData) {
  start();
  trade(hms(8, 47, 0), 17485);  // first event already at range_end
  trade(hms(8, 50, 0), 17600);
  EXPECT_FALSE(strat->days()[0].has_range);
  EXPECT_EQ(strat->days()[0].skipped, SkipReason::NoRangeData);
  const JrSignal* s = find_signal(SignalKind::DaySkipped);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->skip, SkipReason::NoRangeData);
  EXPECT_TRUE(sink.orders.empty());
}

TEST_F(StrategyTest, RangeTooWideSkipsDay) {
  cfg.strategy.max_range_points = 15;  // range 17490 - 17470 = 20 > 15
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_EQ(strat->days()[0].skipped, SkipReason::RangeTooWide);
  EXPECT_EQ(count_signals(SignalKind::RangeSet), 1);
  const JrSignal* s = find_signal(SignalKind::DaySkipped);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->skip, SkipReason::RangeTooWide);
  EXPECT_TRUE(sink.orders.empty());
}

TEST_F(StrategyTest, RangeEqualToMaxIsNotTooWide) {
  cfg.strategy.max_range_points = 20;  // 20 > 20 is false
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_EQ(strat->days()[0].skipped, SkipReason::None);
  EXPECT_EQ(sink.orders.size(), 3u);
}

TEST_F(StrategyTest, ZeroWidthRangeOnLimitUpDayProducesNoEntry) {
  // 2025-04-10: the market opened limit-up at 18902 and never left it.
  day = 20250410;
  start();
  for (int32_t t = hms(8, 45, 0); t <= hms(13, 45, 0); t += 60) md(at(t), 18902, 18902, 0);
  end_of_data(at(hms(13, 45, 1)));
  const DayResult& d = strat->days()[0];
  EXPECT_TRUE(d.has_range);
  EXPECT_EQ(d.range_high, Price{18902});
  EXPECT_EQ(d.range_low, Price{18902});
  EXPECT_TRUE(d.entries.empty());
  EXPECT_EQ(d.skipped, SkipReason::NoBreakout);  // no trade strictly above/below 18902
  EXPECT_TRUE(sink.orders.empty());
  EXPECT_EQ(count_signals(SignalKind::Entry), 0);
}

// ================================================================== entries

TEST_F(StrategyTest, LongBreakoutSendsOneFokBuyPerLotAtAsk) {
  start(7);  // run id 7: ids are 7 << 32 | n
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 3u);  // 1 group x 3 lots, one order per lot
  for (std::size_t k = 0; k < 3; ++k) {
    const OrderRequest& o = sink.orders[k];
    EXPECT_EQ(o.client_id.v, cid(k + 1));
    EXPECT_EQ(o.position.v, pid(k + 1));  // the lot the order was sent for
    EXPECT_EQ(o.side, Side::Buy);
    EXPECT_EQ(o.tif, Tif::Fok);
    EXPECT_EQ(o.open_close, OpenClose::Open);
    EXPECT_EQ(o.purpose, OrderPurpose::Entry);
    EXPECT_EQ(o.limit, Price{17500});  // ask of the breakout event
    EXPECT_EQ(o.qty, Qty{1});
    EXPECT_EQ(o.chase_n, 0);
  }
  const JrSignal* s = find_signal(SignalKind::Entry);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->side, PosSide::Long);
  EXPECT_EQ(s->trigger_px, Price{17499});
  EXPECT_EQ(s->lots, Qty{3});
  const auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0].group_id, 1);
  ASSERT_EQ(strat->lots().size(), 3u);
  for (const LotResult& l : strat->lots()) {
    EXPECT_EQ(l.state, PositionState::PendingEntry);
    EXPECT_EQ(l.entry_ref, Price{17500});
    const JrPosition* p = last_position(l.id);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->state, PositionState::PendingEntry);
  }
  const DayResult& d = strat->days()[0];
  ASSERT_EQ(d.entries.size(), 1u);
  EXPECT_EQ(d.entries[0].side, PosSide::Long);
  EXPECT_EQ(d.entries[0].target, Qty{3});
  EXPECT_EQ(d.entries[0].trigger_px, Price{17499});
}

TEST_F(StrategyTest, ShortBreakoutSendsFokSellAtBid) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17461);
  ASSERT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(sink.orders[0].side, Side::Sell);
  EXPECT_EQ(sink.orders[0].limit, Price{17460});  // bid = 17461 - 1
  fill(0, 17460, at(hms(8, 50, 0), 5));
  const LotResult& l = strat->lots()[0];
  EXPECT_EQ(l.side, PosSide::Short);
  EXPECT_EQ(l.state, PositionState::Active);
  EXPECT_EQ(l.entry_px, Price{17460});
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17490});  // SHORT range boundary = range_high
}

TEST_F(StrategyTest, DirectionLongOnlyIgnoresDownsideBreakout) {
  cfg.strategy.direction = DirectionMode::LongOnly;
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17461);
  EXPECT_TRUE(sink.orders.empty());
  trade(hms(8, 51, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(sink.orders[0].side, Side::Buy);
}

TEST_F(StrategyTest, DirectionShortOnlyIgnoresUpsideBreakout) {
  cfg.strategy.direction = DirectionMode::ShortOnly;
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_TRUE(sink.orders.empty());
  trade(hms(8, 51, 0), 17461);
  ASSERT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(sink.orders[0].side, Side::Sell);
}

TEST_F(StrategyTest, NoEntryAtOrAfterEntryEnd) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(13, 0, 0), 17499);  // entry_end 13:00:00 is exclusive
  EXPECT_TRUE(sink.orders.empty());
}

TEST_F(StrategyTest, EntryJustBeforeEntryEnd) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(12, 59, 59), 17499);
  EXPECT_EQ(sink.orders.size(), 1u);
}

TEST_F(StrategyTest, OncePerDayBlocksSecondEntry) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17470);  // <= initial stop 17470: exit Sell at 17469
  ASSERT_EQ(sink.orders.size(), 2u);
  fill(1, 17469, at(hms(9, 0, 0), 5));
  EXPECT_EQ(strat->lots()[0].state, PositionState::Closed);
  trade(hms(9, 10, 0), 17499);  // a second breakout the same day
  trade(hms(9, 11, 0), 17461);
  EXPECT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(strat->days()[0].entries.size(), 1u);
}

TEST_F(StrategyTest, RepeatableAllowsNewEntryOnlyAfterPreviousEntryIsFlat) {
  cfg.strategy.frequency = FrequencyMode::Repeatable;
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17499);  // lot still open: no new entry
  EXPECT_EQ(sink.orders.size(), 1u);
  trade(hms(9, 1, 0), 17470);  // initial stop: exit Sell at 17469
  ASSERT_EQ(sink.orders.size(), 2u);
  trade(hms(9, 2, 0), 17499);  // exit still in flight: no new entry
  EXPECT_EQ(sink.orders.size(), 2u);
  fill(1, 17469, at(hms(9, 2, 0), 5));
  trade(hms(9, 3, 0), 17499);  // flat again: second entry, Buy at 17500
  ASSERT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(sink.orders[2].purpose, OrderPurpose::Entry);
  EXPECT_EQ(strat->days()[0].entries.size(), 2u);
  // each entry allocates its own groups: the second entry's group is 2
  const auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[1].group_id, 2);
}

// LossLimit: rule FixedPoints 10 -> stop 17490; exit at 17489 gives pnl 17489 - 17500 = -11.
TEST_F(StrategyTest, LossLimitBlocksNewEntriesInRepeatableMode) {
  cfg.strategy.frequency = FrequencyMode::Repeatable;
  cfg.strategy.daily_loss_limit_points = 10;
  cfg.strategy.initial_stop = InitialStopMode::FixedPoints;
  cfg.strategy.initial_stop_points = 10;
  long_one_lot_filled();
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17490});  // 17500 - 10
  trade(hms(9, 0, 0), 17490);                        // <= stop: Sell at bid 17489
  ASSERT_EQ(sink.orders.size(), 2u);
  fill(1, 17489, at(hms(9, 0, 0), 5));
  EXPECT_EQ(strat->day_pnl(), Ticks{-11});
  trade(hms(9, 1, 0), 17499);  // breakout again, but -11 <= -10
  EXPECT_EQ(sink.orders.size(), 2u);
  const JrSignal* s = find_signal(SignalKind::DaySkipped);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->skip, SkipReason::LossLimit);
  EXPECT_EQ(strat->days()[0].skipped, SkipReason::None);  // the day did trade
  trade(hms(9, 2, 0), 17499);
  EXPECT_EQ(count_signals(SignalKind::DaySkipped), 1);  // journaled once per day
}

// ProfitTarget: fixed take profit 10 on rule 1. Trade 17510 >= 17500 + 10 triggers the
// TakeProfit exit (Sell at bid 17509); the venue fills it at 17511 (price improvement), so
// the day's PnL is 17511 - 17500 = +11 >= 10 and the next breakout is blocked.
TEST_F(StrategyTest, ProfitTargetBlocksNewEntriesInRepeatableMode) {
  cfg.strategy.frequency = FrequencyMode::Repeatable;
  cfg.strategy.profit_target_points = 10;
  cfg.strategy.rules[0].fixed_tp_points = 10;
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17510);  // TP: Sell at 17509
  ASSERT_EQ(sink.orders.size(), 2u);
  fill(1, 17511, at(hms(9, 0, 0), 5));  // price improvement: pnl = 17511 - 17500 = 11
  EXPECT_EQ(strat->day_pnl(), Ticks{11});
  trade(hms(9, 1, 0), 17499);  // 11 >= 10: blocked
  EXPECT_EQ(sink.orders.size(), 2u);
  const JrSignal* s = find_signal(SignalKind::DaySkipped);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->skip, SkipReason::ProfitTarget);
}

TEST_F(StrategyTest, TestFrequencyIgnoresLossFilter) {
  cfg.strategy.frequency = FrequencyMode::Test;
  cfg.strategy.daily_loss_limit_points = 10;
  cfg.strategy.initial_stop = InitialStopMode::FixedPoints;
  cfg.strategy.initial_stop_points = 10;
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17490);
  ASSERT_EQ(sink.orders.size(), 2u);
  fill(1, 17489, at(hms(9, 0, 0), 5));  // pnl -11 <= -10, ignored in test mode
  trade(hms(9, 1, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(sink.orders[2].purpose, OrderPurpose::Entry);
  EXPECT_EQ(count_signals(SignalKind::DaySkipped), 0);
}

TEST_F(StrategyTest, CumulativeScopeCarriesLossIntoNextDay) {
  cfg.strategy.pnl_scope = PnlScope::Cumulative;
  cfg.strategy.daily_loss_limit_points = 10;
  cfg.strategy.initial_stop = InitialStopMode::FixedPoints;
  cfg.strategy.initial_stop_points = 10;
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17490);
  fill(1, 17489, at(hms(9, 0, 0), 5));  // cumulative -11
  day = 20240103;
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(strat->days()[1].skipped, SkipReason::LossLimit);  // no entry at all that day
  EXPECT_EQ(strat->cumulative_pnl(), Ticks{-11});
  EXPECT_EQ(strat->day_pnl(), Ticks{0});
}

// ================================================================== stale quotes

TEST_F(StrategyTest, StaleQuoteHoldsEntryAndSendsOnFreshQuote) {
  set_lots(1, 1);
  start();
  make_range();
  md(at(hms(8, 50, 0)), 17499, 17498, 17500, 10'001);  // quote 10.001 s old > 10 s
  EXPECT_TRUE(sink.orders.empty());
  EXPECT_EQ(strat->counters().stale_quote_holds, 1u);
  EXPECT_EQ(count_signals(SignalKind::StaleQuote), 1);
  md(at(hms(8, 50, 1)), 17499, 0, 0);  // ask missing: still held, not journaled again
  EXPECT_TRUE(sink.orders.empty());
  EXPECT_EQ(strat->counters().stale_quote_holds, 1u);
  EXPECT_EQ(count_signals(SignalKind::StaleQuote), 1);
  md(at(hms(8, 50, 2)), 0, 17501, 17503, 10'000);  // exactly 10 s old: fresh (stale is > 10 s)
  ASSERT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(sink.orders[0].limit, Price{17503});
  EXPECT_EQ(strat->lots()[0].entry_ref, Price{17503});
}

TEST_F(StrategyTest, StaleQuoteHoldsExitAndSendsOnFreshQuote) {
  long_one_lot_filled();
  md(at(hms(9, 0, 0)), 17470, 17469, 17471, 20'000);  // stop hit, quote stale
  EXPECT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(strat->counters().stale_quote_holds, 1u);
  // The exit is decided (PENDING_CLOSING, the decision stands) but no order is working.
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);
  EXPECT_EQ(strat->lot_risk(0).flags & kPosExitInFlight, 0);
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::InitialStop);  // decision is sticky
  md(at(hms(9, 0, 1)), 17480, 17479, 17481, 20'000);  // back above the stop, still stale
  EXPECT_EQ(sink.orders.size(), 1u);
  quote(hms(9, 0, 2), 17478, 17480);  // fresh: the held exit goes out at bid 17478
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].side, Side::Sell);
  EXPECT_EQ(sink.orders[1].limit, Price{17478});
  // A stop exit's decision price is the stop level (SPEC §4 slippage), not the bid.
  EXPECT_EQ(strat->lots()[0].exit_ref, Price{17470});
  fill(1, 17478, at(hms(9, 0, 2), 5));
  EXPECT_EQ(strat->lots()[0].exit_slippage, Ticks{-8});  // sold 8 above the stop: better
}

// ================================================================== initial stops

struct StopCase {
  InitialStopMode mode;
  bool is_long;
  int64_t expected;
};

class InitialStopTest : public StrategyTest, public ::testing::WithParamInterface<StopCase> {};

// Range for these cases: opening 17485 (08:45:00), high 17490, low 17471 (hi + lo = 34961,
// odd, so floor and ceil of the midpoint differ). LONG fills at 17495, SHORT at 17465;
// FixedPoints distance 12.
TEST_P(InitialStopTest, StopFromMode) {
  const StopCase c = GetParam();
  cfg.strategy.initial_stop = c.mode;
  cfg.strategy.initial_stop_points = 12;
  set_lots(1, 1);
  start();
  trade(hms(8, 45, 0), 17485);
  trade(hms(8, 45, 30), 17490);
  trade(hms(8, 46, 0), 17471);
  trade(hms(8, 47, 0), 17480);
  trade(hms(8, 50, 0), c.is_long ? 17494 : 17466);
  ASSERT_EQ(sink.orders.size(), 1u);
  fill(0, c.is_long ? 17495 : 17465, at(hms(8, 50, 0), 5));
  EXPECT_EQ(strat->lot_risk(0).stop, Price{c.expected});
}

INSTANTIATE_TEST_SUITE_P(
    Modes, InitialStopTest,
    ::testing::Values(StopCase{InitialStopMode::RangeBoundary, true, 17471},   // range_low
                      StopCase{InitialStopMode::RangeBoundary, false, 17490},  // range_high
                      StopCase{InitialStopMode::RangeMid, true, 17480},        // floor(34961 / 2)
                      StopCase{InitialStopMode::RangeMid, false, 17481},       // ceil(34961 / 2)
                      StopCase{InitialStopMode::FixedPoints, true, 17483},     // 17495 - 12
                      StopCase{InitialStopMode::FixedPoints, false, 17477},    // 17465 + 12
                      StopCase{InitialStopMode::OpeningPrice, true, 17485},    // first trade at 08:45:00
                      StopCase{InitialStopMode::OpeningPrice, false, 17485}));

TEST_F(StrategyTest, InitialStopExitsWithReasonInitialStop) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17471);  // above the stop 17470
  EXPECT_EQ(sink.orders.size(), 1u);
  trade(hms(9, 0, 1), 17470);  // <= 17470: exit Sell at 17469
  ASSERT_EQ(sink.orders.size(), 2u);
  fill(1, 17469, at(hms(9, 0, 1), 5));
  const LotResult& l = strat->lots()[0];
  EXPECT_EQ(l.exit_reason, ExitReason::InitialStop);
  EXPECT_EQ(l.pnl, Ticks{-31});  // 17469 - 17500
}

// ================================================================== trailing stop

// Required: 15-point activation with 10% pullback. Entry 17500; peak 17515 activates
// (17515 >= 17500 + 15); stop = 17515 - ceil(15 * 0.10) = 17515 - ceil(1.5) = 17513.
TEST_F(StrategyTest, TrailingActivatesAt15PointsWith10PercentPullback) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17510);  // peak 17510: +10 < 15, not active
  EXPECT_EQ(strat->lot_risk(0).peak, Price{17510});
  EXPECT_EQ(strat->lot_risk(0).flags & kPosTrailingActive, 0);
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17470});  // still the initial stop (range_low)
  trade(hms(9, 0, 1), 17515);
  EXPECT_EQ(strat->lot_risk(0).peak, Price{17515});
  EXPECT_NE(strat->lot_risk(0).flags & kPosTrailingActive, 0);
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17513});
  const JrPosition* p = last_position(strat->lots()[0].id);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->stop, Price{17513});
  EXPECT_EQ(p->peak, Price{17515});
  EXPECT_NE(p->flags & kPosTrailingActive, 0);
  trade(hms(9, 0, 2), 17514);  // 17514 > 17513: no exit
  EXPECT_EQ(sink.orders.size(), 1u);
  trade(hms(9, 0, 3), 17513);  // 17513 <= 17513: exit
  ASSERT_EQ(sink.orders.size(), 2u);
  const OrderRequest& x = sink.orders[1];
  EXPECT_EQ(x.side, Side::Sell);
  EXPECT_EQ(x.limit, Price{17512});  // bid = 17513 - 1
  EXPECT_EQ(x.open_close, OpenClose::Close);
  EXPECT_EQ(x.purpose, OrderPurpose::Exit);
  EXPECT_EQ(x.position, strat->lots()[0].id);
  EXPECT_EQ(x.tif, Tif::Fok);
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);
  EXPECT_NE(strat->lot_risk(0).flags & kPosExitInFlight, 0);
  fill(1, 17512, at(hms(9, 0, 3), 5));
  const LotResult& l = strat->lots()[0];
  EXPECT_EQ(l.state, PositionState::Closed);
  EXPECT_EQ(l.exit_reason, ExitReason::TrailingStop);
  EXPECT_EQ(l.exit_px, Price{17512});
  EXPECT_EQ(l.exit_ref, Price{17513});    // the trailing stop level at the decision
  EXPECT_EQ(l.pnl, Ticks{12});  // 17512 - 17500
  EXPECT_EQ(l.exit_slippage, Ticks{1});   // sold at 17512, one below the stop
  EXPECT_EQ(strat->open_lots(), 0);
  EXPECT_EQ(strat->day_pnl(), Ticks{12});
}

TEST_F(StrategyTest, TrailingStopFollowsPeak) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17530);  // gain 30: stop = 17530 - ceil(3.0) = 17527
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17527});
  trade(hms(9, 0, 1), 17541);  // gain 41: stop = 17541 - ceil(4.1) = 17536
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17536});
  trade(hms(9, 0, 2), 17537);  // above 17536, peak unchanged
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17536});
  EXPECT_EQ(sink.orders.size(), 1u);
}

// SHORT mirror: entry 17460; peak 17445 (17460 - 15) activates; stop = 17445 + ceil(1.5) = 17447.
TEST_F(StrategyTest, ShortTrailingMirrorsLong) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17461);  // Sell at bid 17460
  fill(0, 17460, at(hms(8, 50, 0), 5));
  trade(hms(9, 0, 0), 17450);  // gain 10 < 15
  EXPECT_EQ(strat->lot_risk(0).flags & kPosTrailingActive, 0);
  trade(hms(9, 0, 1), 17445);
  EXPECT_NE(strat->lot_risk(0).flags & kPosTrailingActive, 0);
  EXPECT_EQ(strat->lot_risk(0).peak, Price{17445});
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17447});
  trade(hms(9, 0, 2), 17446);  // 17446 < 17447: no exit
  EXPECT_EQ(sink.orders.size(), 1u);
  trade(hms(9, 0, 3), 17447);  // >= 17447: exit Buy at ask 17448
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].side, Side::Buy);
  EXPECT_EQ(sink.orders[1].limit, Price{17448});
  EXPECT_EQ(sink.orders[1].open_close, OpenClose::Close);
  fill(1, 17449, at(hms(9, 0, 3), 5));  // one tick worse than the limit would allow in a real
                                        // venue, used here to check the slippage sign
  const LotResult& l = strat->lots()[0];
  EXPECT_EQ(l.exit_reason, ExitReason::TrailingStop);
  EXPECT_EQ(l.pnl, Ticks{11});            // 17460 - 17449
  EXPECT_EQ(l.exit_ref, Price{17447});    // the trailing stop level at the decision
  EXPECT_EQ(l.exit_slippage, Ticks{2});   // SHORT: exit_px - exit_ref = 17449 - 17447
  EXPECT_EQ(l.entry_slippage, Ticks{0});  // SHORT: entry_ref - entry_px = 17460 - 17460
}

TEST_F(StrategyTest, FixedTakeProfitExitsWithoutTrailing) {
  cfg.strategy.rules[0].fixed_tp_points = 20;
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17519);  // +19 < 20; above activation 15 but this rule does not trail
  EXPECT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(strat->lot_risk(0).flags & kPosTrailingActive, 0);
  EXPECT_EQ(strat->lot_risk(0).stop, Price{17470});
  trade(hms(9, 0, 1), 17515);  // a pullback does not exit a fixed-TP lot
  EXPECT_EQ(sink.orders.size(), 1u);
  trade(hms(9, 0, 2), 17520);  // >= 17500 + 20: take profit, Sell at bid 17519
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].limit, Price{17519});
  fill(1, 17519, at(hms(9, 0, 2), 5));
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::TakeProfit);
  EXPECT_EQ(strat->lots()[0].pnl, Ticks{19});
}

// ================================================================== protective stop

// Required: default 1 group x 3 lots (rule 1: 15 / 10%; rule 2: 40 / 10% / x2.0; rule 3:
// 41 / 20% / x2.0). All three fill at 17500. Lot 1 trails out at 17512 (pnl +12), so the
// group's realized PnL P = 12 and lot 2 (rule 2, multiplier 2.0, trailing not active
// because 17515 < 17500 + 40) gets stop = 17500 - ceil(12 * 2.0) = 17476. Lot 3 is not
// touched (only rule k+1 = 2 follows rule 1).
TEST_F(StrategyTest, ProtectiveStopAfterLot1TakesProfit) {
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 3u);
  for (std::size_t k = 0; k < 3; ++k) fill(k, 17500, at(hms(8, 50, 0), 5 + static_cast<int64_t>(k)));
  EXPECT_EQ(strat->lots()[0].rule, 1);
  EXPECT_EQ(strat->lots()[1].rule, 2);
  EXPECT_EQ(strat->lots()[2].rule, 3);
  trade(hms(9, 0, 0), 17515);  // lot 1: stop 17513
  trade(hms(9, 0, 1), 17513);  // lot 1 exits: Sell at 17512
  ASSERT_EQ(sink.orders.size(), 4u);
  EXPECT_EQ(sink.orders[3].position, strat->lots()[0].id);
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17470});  // unchanged until lot 1 is filled
  fill(3, 17512, at(hms(9, 0, 1), 5));
  EXPECT_EQ(strat->lots()[0].pnl, Ticks{12});
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17476});
  EXPECT_NE(strat->lot_risk(1).flags & kPosProtectiveActive, 0);
  EXPECT_EQ(strat->lot_risk(2).stop, Price{17470});
  EXPECT_EQ(strat->lot_risk(2).flags & kPosProtectiveActive, 0);
  const JrPosition* p = last_position(strat->lots()[1].id);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->stop, Price{17476});
  EXPECT_NE(p->flags & kPosProtectiveActive, 0);
  trade(hms(9, 1, 0), 17477);  // above 17476
  EXPECT_EQ(sink.orders.size(), 4u);
  trade(hms(9, 1, 1), 17476);  // lot 2 exits ProtectiveStop; lot 3 (stop 17470) stays
  ASSERT_EQ(sink.orders.size(), 5u);
  EXPECT_EQ(sink.orders[4].position, strat->lots()[1].id);
  EXPECT_EQ(sink.orders[4].limit, Price{17475});
  fill(4, 17475, at(hms(9, 1, 1), 5));
  EXPECT_EQ(strat->lots()[1].exit_reason, ExitReason::ProtectiveStop);
  EXPECT_EQ(strat->lots()[1].pnl, Ticks{-25});  // 17475 - 17500
  // a protective exit is not a take profit: lot 3 keeps its initial stop
  EXPECT_EQ(strat->lot_risk(2).stop, Price{17470});
  EXPECT_EQ(strat->lots()[2].state, PositionState::Active);
}

// Only a take-profit exit (TrailingStop / TakeProfit) funds the next lot. Lot 1 (rule 1)
// hits its initial stop at 17470 but the venue fills it far better, at 17501: pnl +1 > 0,
// yet the reason is InitialStop, so lot 2 keeps its initial stop 17470 (range_low).
TEST_F(StrategyTest, NoProtectiveStopAfterNonTakeProfitExit) {
  set_lots(1, 2);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  fill(0, 17500, at(hms(8, 50, 0), 5));
  fill(1, 17500, at(hms(8, 50, 0), 6));
  trade(hms(9, 0, 0), 17470);  // both lots hit 17470: two exits at 17469
  ASSERT_EQ(sink.orders.size(), 4u);
  fill(2, 17501, at(hms(9, 0, 0), 5));  // lot 1 closes InitialStop with pnl +1
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::InitialStop);
  EXPECT_EQ(strat->lots()[0].pnl, Ticks{1});
  EXPECT_EQ(strat->lot_risk(1).flags & kPosProtectiveActive, 0);
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17470});
}

// Rule 2 made to trail early (activation 15, pullback 50%): at peak 17515 lot 2's stop is
// 17515 - ceil(15 * 0.5) = 17507 and trailing is active, so lot 1's take profit (+12) does
// not give lot 2 a protective stop.
TEST_F(StrategyTest, NoProtectiveStopWhenNextLotAlreadyTrailing) {
  cfg.strategy.rules[1].trailing_activation_points = 15;
  cfg.strategy.rules[1].trailing_pullback = 0.5;
  set_lots(1, 2);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  fill(0, 17500, at(hms(8, 50, 0), 5));
  fill(1, 17500, at(hms(8, 50, 0), 6));
  trade(hms(9, 0, 0), 17515);
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17507});
  trade(hms(9, 0, 1), 17513);  // lot 1 exits (17513 <= 17513); lot 2 does not (> 17507)
  ASSERT_EQ(sink.orders.size(), 3u);
  fill(2, 17512, at(hms(9, 0, 1), 5));
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::TrailingStop);
  EXPECT_EQ(strat->lot_risk(1).flags & kPosProtectiveActive, 0);
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17507});
}

// Multiplier 0 on rule 2: no protective stop even after a take profit.
TEST_F(StrategyTest, NoProtectiveStopWithZeroMultiplier) {
  cfg.strategy.rules[1].protective_multiplier = 0;
  set_lots(1, 2);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  fill(0, 17500, at(hms(8, 50, 0), 5));
  fill(1, 17500, at(hms(8, 50, 0), 6));
  trade(hms(9, 0, 0), 17515);
  trade(hms(9, 0, 1), 17513);
  fill(2, 17512, at(hms(9, 0, 1), 5));
  EXPECT_EQ(strat->lot_risk(1).flags & kPosProtectiveActive, 0);
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17470});
}

// SHORT protective: both lots sold at 17460; lot 1 trails (peak 17445, stop 17447) and is
// bought back at 17448: pnl 17460 - 17448 = +12, so lot 2's stop = 17460 + ceil(12 * 2.0) = 17484.
TEST_F(StrategyTest, ShortProtectiveStopMirrorsLong) {
  set_lots(1, 2);
  start();
  make_range();
  trade(hms(8, 50, 0), 17461);
  fill(0, 17460, at(hms(8, 50, 0), 5));
  fill(1, 17460, at(hms(8, 50, 0), 6));
  trade(hms(9, 0, 0), 17445);
  trade(hms(9, 0, 1), 17447);  // lot 1: Buy at ask 17448
  ASSERT_EQ(sink.orders.size(), 3u);
  fill(2, 17448, at(hms(9, 0, 1), 5));
  EXPECT_EQ(strat->lot_risk(1).stop, Price{17484});
  EXPECT_NE(strat->lot_risk(1).flags & kPosProtectiveActive, 0);
}

// ================================================================== chase

// Required (a): stops at 5 retries. Slippage limit widened so only the retry count can
// stop it. First send Buy 17500; chases at ask 17500 + n = 17501..17505 (n = 1..5);
// the 6th cancel would need n = 6 > 5.
TEST_F(StrategyTest, EntryChaseStopsAfterFiveRetries) {
  cfg.strategy.chase.max_slippage_points = 100;
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 1u);
  for (int n = 1; n <= 5; ++n) {
    cancel(static_cast<std::size_t>(n - 1), at(hms(8, 50, 0), 5 * n));
    ASSERT_EQ(sink.orders.size(), static_cast<std::size_t>(n + 1));
    const OrderRequest& o = sink.orders.back();
    EXPECT_EQ(o.purpose, OrderPurpose::EntryChase);
    EXPECT_EQ(o.chase_n, n);
    EXPECT_EQ(o.limit, Price{17500 + n});
    EXPECT_EQ(o.qty, Qty{1});
  }
  cancel(5, at(hms(8, 50, 0), 30));
  EXPECT_EQ(sink.orders.size(), 6u);  // no 6th chase
  EXPECT_EQ(chases(ChaseEvent::Resend).size(), 5u);
  ASSERT_EQ(chases(ChaseEvent::GiveUpRetries).size(), 1u);
  EXPECT_EQ(chases(ChaseEvent::GiveUpRetries)[0].n, 6);
  EXPECT_EQ(strat->lots()[0].state, PositionState::EntryFailed);
  EXPECT_EQ(count_signals(SignalKind::EntryGaveUp), 1);
  const StrategyCounters& c = strat->counters();
  EXPECT_EQ(c.sent, 6u);
  EXPECT_EQ(c.cancelled, 6u);
  EXPECT_EQ(c.chased, 5u);
  EXPECT_EQ(c.chase_gave_up, 1u);
  EXPECT_EQ(c.filled, 0u);
  trade(hms(8, 51, 0), 17499);  // once per day: nothing more
  EXPECT_EQ(sink.orders.size(), 6u);
}

// Required (b): stops at 5 points of slippage from the first price 17500. The ask moves to
// 17503: chase 1 = 17504 (|4| <= 5, sent); the ask moves to 17504: chase 2 = 17506 (|6| > 5).
TEST_F(StrategyTest, EntryChaseStopsAtFivePointsOfSlippage) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  quote(hms(8, 50, 1), 17502, 17503);
  cancel(0, at(hms(8, 50, 1), 5));
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].limit, Price{17504});
  quote(hms(8, 50, 2), 17503, 17504);
  cancel(1, at(hms(8, 50, 2), 5));
  EXPECT_EQ(sink.orders.size(), 2u);
  const auto g = chases(ChaseEvent::GiveUpSlippage);
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].first_px, Price{17500});
  EXPECT_EQ(g[0].new_px, Price{17506});
  EXPECT_EQ(strat->counters().chase_gave_up, 1u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::EntryFailed);
}

// Required (c): stops 30 s after the first send (08:50:00.000). A cancel at 08:50:29.5
// still chases (29.5 s); the cancel at 08:50:30.000 (30 s >= 30 s) gives up.
TEST_F(StrategyTest, EntryChaseStopsThirtySecondsAfterFirstSend) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  cancel(0, at(hms(8, 50, 0), 5));
  ASSERT_EQ(sink.orders.size(), 2u);  // chase 1 at 17501
  quote(hms(8, 50, 29), 17499, 17500);
  cancel(1, at(hms(8, 50, 29), 500));
  ASSERT_EQ(sink.orders.size(), 3u);  // chase 2 at 17502
  EXPECT_EQ(sink.orders[2].limit, Price{17502});
  quote(hms(8, 50, 30), 17499, 17500);
  cancel(2, at(hms(8, 50, 30)));
  EXPECT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(chases(ChaseEvent::GiveUpTimeout).size(), 1u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::EntryFailed);
}

TEST_F(StrategyTest, ChaseHeldOnStaleQuoteThenSent) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);     // quote at 08:50:00
  cancel(0, at(hms(8, 50, 11)));   // 11 s after the last quote: chase held
  EXPECT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(strat->counters().stale_quote_holds, 1u);
  quote(hms(8, 50, 12), 17500, 17501);  // fresh: chase 1 at 17501 + 1
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].limit, Price{17502});
  EXPECT_EQ(sink.orders[1].chase_n, 1);
}

// SPEC §4 per-lot chase: a cancelled lot alone is resent at once at ask1 + n with its own
// retry number; it never waits for another lot's chase. Lots 0, 1, 2 go out at 17500
// (orders 0, 1, 2). Order 0 fills. Order 1 cancels: lot 1 chase 1 at 17501 (order 3).
// Order 2 cancels while order 3 is working: lot 2 chase 1 at 17501 at once (order 4), not
// 17502 after waiting. Order 3 cancels: lot 1 chase 2 at 17502 (order 5).
TEST_F(StrategyTest, EachCancelledLotIsChasedAtOnceWithItsOwnRetryNumber) {
  set_lots(1, 3);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 3u);
  fill(0, 17500, at(hms(8, 50, 0), 5));
  cancel(1, at(hms(8, 50, 0), 5));
  ASSERT_EQ(sink.orders.size(), 4u);
  EXPECT_EQ(sink.orders[3].limit, Price{17501});
  EXPECT_EQ(sink.orders[3].chase_n, 1);
  EXPECT_EQ(sink.orders[3].position, strat->lots()[1].id);
  cancel(2, at(hms(8, 50, 0), 6));
  ASSERT_EQ(sink.orders.size(), 5u) << "lot 2 does not wait for lot 1's chase";
  EXPECT_EQ(sink.orders[4].limit, Price{17501});
  EXPECT_EQ(sink.orders[4].chase_n, 1) << "lot 2's own first retry";
  EXPECT_EQ(sink.orders[4].position, strat->lots()[2].id);
  cancel(3, at(hms(8, 50, 0), 10));
  ASSERT_EQ(sink.orders.size(), 6u);
  EXPECT_EQ(sink.orders[5].limit, Price{17502});
  EXPECT_EQ(sink.orders[5].chase_n, 2);
  EXPECT_EQ(sink.orders[5].position, strat->lots()[1].id);
  fill(4, 17501, at(hms(8, 50, 0), 11));
  fill(5, 17502, at(hms(8, 50, 0), 15));
  EXPECT_EQ(strat->open_lots(), 3);
  EXPECT_EQ(strat->days()[0].entries[0].filled, Qty{3});
  // FIFO by fill order: lot 0 rule 1, lot 2 rule 2 (second fill), lot 1 rule 3.
  EXPECT_EQ(strat->lots()[2].rule, 2);
  EXPECT_EQ(strat->lots()[1].rule, 3);
  EXPECT_EQ(strat->lots()[2].entry_slippage, Ticks{1});  // 17501 - entry_ref 17500
  EXPECT_EQ(strat->lots()[1].entry_slippage, Ticks{2});  // 17502 - 17500
  EXPECT_EQ(strat->counters().chased, 3u);
  EXPECT_EQ(strat->counters().entry.chased, 3u);
  const auto r = chases(ChaseEvent::Resend);
  ASSERT_EQ(r.size(), 3u);
  EXPECT_EQ(r[1].position, strat->lots()[2].id);
}

// The new-user case: 9 lots (3 x 3), all 9 FOKs cancelled at the same instant.
// Every lot is chased at once at n = 1 (ask 17500 + 1), none waits and none skips to n = 2.
TEST_F(StrategyTest, NineLotsCancelledAtOnceAreAllChasedAtRetryOne) {
  set_lots(3, 3);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 9u);
  for (std::size_t k = 0; k < 9; ++k) cancel(k, at(hms(8, 50, 1)));
  ASSERT_EQ(sink.orders.size(), 18u);
  for (std::size_t k = 9; k < 18; ++k) {
    EXPECT_EQ(sink.orders[k].chase_n, 1) << k;
    EXPECT_EQ(sink.orders[k].limit, Price{17501}) << k;
    EXPECT_EQ(sink.orders[k].purpose, OrderPurpose::EntryChase);
  }
  // Each lot's second cancel: n = 2 for every lot.
  for (std::size_t k = 9; k < 18; ++k) cancel(k, at(hms(8, 50, 2)));
  ASSERT_EQ(sink.orders.size(), 27u);
  for (std::size_t k = 18; k < 27; ++k) EXPECT_EQ(sink.orders[k].chase_n, 2) << k;
  EXPECT_EQ(strat->counters().chased, 18u);
}

// Exits chase per lot the same way: two lots exit at the same instant, both cancelled;
// each is resent at once at bid - 1 with n = 1.
TEST_F(StrategyTest, ExitChasesOfTwoLotsDoNotWaitForEachOther) {
  set_lots(1, 2);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  fill(0, 17500, at(hms(8, 50, 0), 5));
  fill(1, 17500, at(hms(8, 50, 0), 5));
  trade(hms(9, 0, 0), 17470);  // both at the initial stop 17470: Sells at bid 17469
  ASSERT_EQ(sink.orders.size(), 4u);
  cancel(2, at(hms(9, 0, 0), 5));
  cancel(3, at(hms(9, 0, 0), 5));
  ASSERT_EQ(sink.orders.size(), 6u);
  EXPECT_EQ(sink.orders[4].chase_n, 1);
  EXPECT_EQ(sink.orders[5].chase_n, 1);
  EXPECT_EQ(sink.orders[4].limit, Price{17468});
  EXPECT_EQ(sink.orders[5].limit, Price{17468});
  EXPECT_NE(sink.orders[4].position, sink.orders[5].position);
  EXPECT_EQ(strat->counters().exit.chased, 2u);
}

// ================================================================== FIFO lot rules

// Required: 2 groups x 3 lots fill as rules 1,2,3,1,2,3 and groups 1,1,1,2,2,2.
TEST_F(StrategyTest, FifoRulesForTwoGroupsOfThree) {
  set_lots(2, 3);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 6u);
  const auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].group_id, 1);
  EXPECT_EQ(created[1].group_id, 2);
  for (std::size_t k = 0; k < 6; ++k) fill(k, 17500, at(hms(8, 50, 0), 5 + static_cast<int64_t>(k)));
  const int rules[] = {1, 2, 3, 1, 2, 3};
  const int groups_expected[] = {1, 1, 1, 2, 2, 2};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(strat->lots()[i].rule, rules[i]) << "lot " << i;
    EXPECT_EQ(strat->lots()[i].group, groups_expected[i]) << "lot " << i;
    const JrPosition* p = last_position(strat->lots()[i].id);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->rule, rules[i]);
    EXPECT_EQ(p->group, groups_expected[i]);
  }
}

TEST_F(StrategyTest, FifoFollowsFillOrderNotSendOrder) {
  set_lots(2, 3);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  for (std::size_t k = 6; k-- > 0;) fill(k, 17500, at(hms(8, 50, 0), 5));  // reverse order
  // lot 6 filled first -> rule 1 group 1, ..., lot 1 filled last -> rule 3 group 2
  const int rules[] = {3, 2, 1, 3, 2, 1};
  const int groups_expected[] = {2, 2, 2, 1, 1, 1};
  for (std::size_t i = 0; i < 6; ++i) {
    EXPECT_EQ(strat->lots()[i].rule, rules[i]) << "lot " << i;
    EXPECT_EQ(strat->lots()[i].group, groups_expected[i]) << "lot " << i;
  }
}

TEST_F(StrategyTest, MultiLotOrderPartialFillsHandledLotByLot) {
  cfg.strategy.order_per_lot = false;
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(sink.orders[0].qty, Qty{3});
  EXPECT_EQ(sink.orders[0].position, PositionId{});  // multi-lot entry order
  fill(0, 17500, at(hms(8, 50, 0), 5), 2);
  EXPECT_EQ(strat->open_lots(), 2);
  EXPECT_EQ(strat->counters().filled, 0u);  // not fully filled yet
  fill(0, 17501, at(hms(8, 50, 0), 6), 1);
  EXPECT_EQ(strat->open_lots(), 3);
  EXPECT_EQ(strat->counters().filled, 1u);
  EXPECT_EQ(strat->lots()[2].entry_px, Price{17501});
  EXPECT_EQ(strat->lots()[2].rule, 3);
  EXPECT_EQ(sink.orders.size(), 1u);
}

// ================================================================== over-fill

// Required: target 1 lot. Order 0 (17500) is cancelled, chase order 1 (17501) is sent; the
// cancelled order 0 then fills late: filled (1) + in flight (1) >= target, so nothing more
// is sent. When the chase also fills, the extra lot is closed with exactly one Overfill exit.
TEST_F(StrategyTest, NoOverfillWhenLateFillArrivesDuringChase) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  cancel(0, at(hms(8, 50, 0), 5));
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].purpose, OrderPurpose::EntryChase);
  fill(0, 17500, at(hms(8, 50, 0), 6), 1, kExecLate);
  EXPECT_EQ(strat->counters().late_fills, 1u);
  EXPECT_EQ(sink.orders.size(), 2u);  // no further chase
  EXPECT_EQ(strat->lots()[0].state, PositionState::Active);
  EXPECT_EQ(strat->lots()[0].entry_px, Price{17500});
  quote(hms(8, 50, 1), 17499, 17500);
  EXPECT_EQ(sink.orders.size(), 2u);
  fill(1, 17501, at(hms(8, 50, 1), 5));  // the chase fills too: one lot too many
  ASSERT_EQ(sink.orders.size(), 3u);
  const OrderRequest& x = sink.orders[2];
  ASSERT_EQ(strat->lots().size(), 2u);
  const LotResult& extra = strat->lots()[1];
  EXPECT_EQ(x.position, extra.id);
  EXPECT_EQ(x.side, Side::Sell);
  EXPECT_EQ(x.open_close, OpenClose::Close);
  EXPECT_EQ(x.purpose, OrderPurpose::Exit);
  EXPECT_EQ(x.limit, Price{17499});  // bid of the last quote
  EXPECT_EQ(extra.exit_reason, ExitReason::Overfill);
  EXPECT_EQ(extra.entry_px, Price{17501});
  quote(hms(8, 50, 2), 17499, 17500);  // no second exit for the extra lot
  EXPECT_EQ(sink.orders.size(), 3u);
  fill(2, 17499, at(hms(8, 50, 2), 5));
  EXPECT_EQ(strat->open_lots(), 1);  // back to the target
  EXPECT_EQ(strat->lots()[1].state, PositionState::Closed);
  EXPECT_EQ(strat->lots()[1].pnl, Ticks{-2});  // 17499 - 17501
  EXPECT_EQ(strat->days()[0].entries[0].filled, Qty{1});
  int overfill_exits = 0;
  for (const OrderRequest& o : sink.orders) overfill_exits += o.position == extra.id;
  EXPECT_EQ(overfill_exits, 1);
}

TEST_F(StrategyTest, LateFillThenChaseCancelledCompletesEntry) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  cancel(0, at(hms(8, 50, 0), 5));
  fill(0, 17500, at(hms(8, 50, 0), 6), 1, kExecLate);
  cancel(1, at(hms(8, 50, 0), 10));  // the chase is cancelled: nothing missing, no chase
  EXPECT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(strat->open_lots(), 1);
  EXPECT_EQ(strat->counters().chase_gave_up, 0u);
}

// ================================================================== exits

// Required: several triggering trades while the exit is in flight send nothing more.
TEST_F(StrategyTest, NoSecondExitWhileOneIsInFlight) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17470);  // initial stop: exit Sell at 17469
  ASSERT_EQ(sink.orders.size(), 2u);
  trade(hms(9, 0, 1), 17465);
  trade(hms(9, 0, 2), 17460);
  trade(hms(9, 0, 3), 17450);
  quote(hms(9, 0, 4), 17449, 17451);
  EXPECT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);
}

TEST_F(StrategyTest, ExitChaseOnCancelAtBidMinusN) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17515);
  trade(hms(9, 0, 1), 17513);  // trailing stop 17513 hit (exit_ref): exit Sell at bid 17512
  cancel(1, at(hms(9, 0, 1), 5));
  ASSERT_EQ(sink.orders.size(), 3u);
  const OrderRequest& c = sink.orders[2];
  EXPECT_EQ(c.purpose, OrderPurpose::ExitChase);
  EXPECT_EQ(c.chase_n, 1);
  EXPECT_EQ(c.limit, Price{17511});  // bid 17512 - 1
  EXPECT_EQ(c.side, Side::Sell);
  EXPECT_EQ(c.position, strat->lots()[0].id);
  const auto r = chases(ChaseEvent::Resend);
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0].position, strat->lots()[0].id);
  EXPECT_EQ(r[0].purpose, OrderPurpose::ExitChase);
  fill(2, 17511, at(hms(9, 0, 1), 10));
  const LotResult& l = strat->lots()[0];
  EXPECT_EQ(l.exit_px, Price{17511});
  EXPECT_EQ(l.exit_ref, Price{17513});   // the stop level, not the first order's 17512
  EXPECT_EQ(l.exit_slippage, Ticks{2});  // LONG: exit_ref - exit_px
  EXPECT_EQ(l.pnl, Ticks{11});
  EXPECT_EQ(l.exit_reason, ExitReason::TrailingStop);
}

// SPEC §4 "an exit once decided stands": after its chase gives up the lot stays
// PENDING_CLOSING with its reason, and a new chase (n = 0) starts on the next quote,
// whatever the price does; counted and journaled as an alert.
TEST_F(StrategyTest, ExitGiveUpKeepsTheDecisionAndRestartsOnTheNextQuote) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17515);
  trade(hms(9, 0, 1), 17513);  // exit at 17512
  for (int n = 1; n <= 5; ++n) {
    cancel(static_cast<std::size_t>(n), at(hms(9, 0, 1), 5 * n));
    ASSERT_EQ(sink.orders.size(), static_cast<std::size_t>(n + 2));
    EXPECT_EQ(sink.orders.back().limit, Price{17512 - n});
  }
  cancel(6, at(hms(9, 0, 1), 30));  // n = 6 > 5: give up
  EXPECT_EQ(sink.orders.size(), 7u);
  EXPECT_EQ(chases(ChaseEvent::GiveUpRetries).size(), 1u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::TrailingStop);
  EXPECT_EQ(strat->lot_risk(0).flags & kPosExitInFlight, 0);
  EXPECT_EQ(strat->counters().exit_restarts, 1u);
  EXPECT_EQ(strat->counters().exit.chase_gave_up, 1u);
  EXPECT_EQ(count_signals(SignalKind::ExitRestarted), 1);
  trade(hms(9, 0, 2), 17514);  // above the stop 17513, but the exit stands: n = 0 at bid 17513
  ASSERT_EQ(sink.orders.size(), 8u);
  EXPECT_EQ(sink.orders[7].purpose, OrderPurpose::Exit);
  EXPECT_EQ(sink.orders[7].chase_n, 0);
  EXPECT_EQ(sink.orders[7].limit, Price{17513});
  cancel(7, at(hms(9, 0, 2), 5));  // the new chase has its own window and retry numbers
  ASSERT_EQ(sink.orders.size(), 9u);
  EXPECT_EQ(sink.orders[8].chase_n, 1);
  EXPECT_EQ(sink.orders[8].limit, Price{17512});
  fill(8, 17512, at(hms(9, 0, 2), 10));
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::TrailingStop);
  EXPECT_EQ(strat->lots()[0].exit_ref, Price{17513});  // still the original decision price
  EXPECT_EQ(strat->lots()[0].exit_slippage, Ticks{1});
}

// An exit order (17469) is cancelled, its chase (17468) is sent, then the cancelled order
// fills late at 17469: the lot is closed by that fill. When the chase fills as well the
// account is one lot short; that lot is booked as a SHORT Overfill lot (entry 17468) and
// bought back at once (Buy at ask).
TEST_F(StrategyTest, LateExitFillDuringExitChaseClosesLotAndUnwindsDoubleExit) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17470);  // exit Sell at 17469
  cancel(1, at(hms(9, 0, 0), 5));  // chase 1: Sell at 17468
  ASSERT_EQ(sink.orders.size(), 3u);
  fill(1, 17469, at(hms(9, 0, 0), 6), 1, kExecLate);
  EXPECT_EQ(strat->lots()[0].state, PositionState::Closed);
  EXPECT_EQ(strat->lots()[0].exit_px, Price{17469});
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::InitialStop);
  EXPECT_EQ(strat->counters().late_fills, 1u);
  EXPECT_EQ(sink.orders.size(), 3u);
  fill(2, 17468, at(hms(9, 0, 0), 7));  // the chase fills too
  ASSERT_EQ(strat->lots().size(), 2u);
  const LotResult& x = strat->lots()[1];
  EXPECT_EQ(x.side, PosSide::Short);
  EXPECT_EQ(x.entry_px, Price{17468});
  EXPECT_EQ(x.exit_reason, ExitReason::Overfill);
  ASSERT_EQ(sink.orders.size(), 4u);
  EXPECT_EQ(sink.orders[3].side, Side::Buy);
  EXPECT_EQ(sink.orders[3].limit, Price{17471});  // ask of the 09:00:00 quote (17470 + 1)
  EXPECT_EQ(sink.orders[3].position, x.id);
  EXPECT_EQ(strat->open_lots(), 1);
  fill(3, 17471, at(hms(9, 0, 0), 12));
  EXPECT_EQ(strat->open_lots(), 0);
  EXPECT_EQ(strat->lots()[1].pnl, Ticks{-3});  // SHORT 17468 - 17471
}

TEST_F(StrategyTest, EndOfDayFlattensThroughNormalExitPath) {
  long_one_lot_filled();
  quote(hms(13, 43, 59), 17520, 17522);
  EXPECT_EQ(sink.orders.size(), 1u);
  quote(hms(13, 44, 0), 17520, 17522);  // flatten_time: Sell at bid 17520
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].side, Side::Sell);
  EXPECT_EQ(sink.orders[1].limit, Price{17520});
  EXPECT_EQ(sink.orders[1].open_close, OpenClose::Close);
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::EndOfDay);
  quote(hms(13, 44, 1), 17520, 17522);
  EXPECT_EQ(sink.orders.size(), 2u);  // one exit in flight
  fill(1, 17520, at(hms(13, 44, 1), 5));
  EXPECT_EQ(strat->lots()[0].state, PositionState::Closed);
  EXPECT_EQ(strat->lots()[0].pnl, Ticks{20});
  EXPECT_EQ(strat->open_lots(), 0);
}

TEST_F(StrategyTest, EndOfDayStopsPendingEntryAndExitsLateEntryFill) {
  set_lots(1, 3);
  start();
  make_range();
  trade(hms(12, 50, 0), 17499);  // orders 0..2 at 17500
  fill(0, 17500, at(hms(12, 50, 0), 5));
  cancel(1, at(hms(12, 50, 0), 5));  // chase order 3 at 17501
  ASSERT_EQ(sink.orders.size(), 4u);
  // orders 2 and 3 still working at flatten time (an artificial delay)
  quote(hms(13, 44, 0), 17519, 17521);
  ASSERT_EQ(sink.orders.size(), 5u);  // lot 1 flattened
  EXPECT_EQ(sink.orders[4].position, strat->lots()[0].id);
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::EndOfDay);
  cancel(3, at(hms(13, 44, 0), 5));  // no more chasing after flatten_time
  EXPECT_EQ(sink.orders.size(), 5u);
  fill(2, 17500, at(hms(13, 44, 0), 6));  // filled after flatten: exits at once
  ASSERT_EQ(sink.orders.size(), 6u);
  EXPECT_EQ(sink.orders[5].side, Side::Sell);
  EXPECT_EQ(sink.orders[5].limit, Price{17519});
  const auto& lots = strat->lots();
  int failed = 0;
  int closing = 0;
  for (const LotResult& l : lots) {
    failed += l.state == PositionState::EntryFailed;
    closing += l.state == PositionState::PendingClosing && l.exit_reason == ExitReason::EndOfDay;
  }
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(closing, 2);
}

TEST_F(StrategyTest, FlattenRetriggersAfterExitGiveUp) {
  cfg.strategy.chase.max_retries = 1;
  long_one_lot_filled();
  quote(hms(13, 44, 0), 17520, 17522);  // exit at 17520
  cancel(1, at(hms(13, 44, 0), 5));     // chase 1 at 17519
  cancel(2, at(hms(13, 44, 0), 10));    // n = 2 > 1: give up
  EXPECT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);  // the exit stands
  quote(hms(13, 44, 1), 17518, 17520);  // next event after flatten_time: a new EndOfDay exit
  ASSERT_EQ(sink.orders.size(), 4u);
  EXPECT_EQ(sink.orders[3].purpose, OrderPurpose::Exit);
  EXPECT_EQ(sink.orders[3].limit, Price{17518});
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::EndOfDay);
}

// ================================================================== rejects

TEST_F(StrategyTest, RiskRejectedEntryIsNotChased) {
  set_lots(1, 1);
  start();
  make_range();
  sink.reject_next = 1;
  trade(hms(8, 50, 0), 17499);
  ASSERT_EQ(sink.orders.size(), 1u);  // submitted, refused by the risk check
  EXPECT_EQ(strat->counters().rejected, 1u);
  EXPECT_EQ(strat->counters().sent, 0u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::EntryFailed);
  EXPECT_EQ(count_signals(SignalKind::EntryGaveUp), 1);
  trade(hms(8, 50, 1), 17499);
  quote(hms(8, 50, 2), 17499, 17500);
  EXPECT_EQ(sink.orders.size(), 1u);
  EXPECT_EQ(strat->counters().chased, 0u);
}

TEST_F(StrategyTest, VenueRejectedEntryLotIsNotChasedButCancelledLotIs) {
  set_lots(1, 2);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);  // orders 0, 1
  venue_reject(0, at(hms(8, 50, 0), 5));
  EXPECT_EQ(sink.orders.size(), 2u);  // a reject is never chased
  cancel(1, at(hms(8, 50, 0), 6));     // chase 1 lot only (the cancelled one)
  ASSERT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(sink.orders[2].qty, Qty{1});
  EXPECT_EQ(sink.orders[2].limit, Price{17501});
  fill(2, 17501, at(hms(8, 50, 0), 10));
  EXPECT_EQ(sink.orders.size(), 3u);
  int failed = 0;
  for (const LotResult& l : strat->lots()) failed += l.state == PositionState::EntryFailed;
  EXPECT_EQ(failed, 1);
  EXPECT_EQ(strat->open_lots(), 1);
  EXPECT_EQ(strat->counters().rejected, 1u);
  EXPECT_EQ(strat->counters().chased, 1u);
}

// A venue reject of an exit (e.g. a halted market): the exit stands, its next order waits
// chase.reject_retry_ms (1 s) of event time and then goes out on the next market event.
TEST_F(StrategyTest, RejectedExitIsRetriedAfterTheRejectRetryWait) {
  long_one_lot_filled();
  trade(hms(9, 0, 0), 17470);  // exit Sell at 17469
  venue_reject(1, at(hms(9, 0, 0), 5));
  EXPECT_EQ(sink.orders.size(), 2u);  // not chased, not resent on the reject itself
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);  // the decision stands
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::InitialStop);  // decision kept
  quote(hms(9, 0, 1), 17474, 17476);  // 995 ms after the reject: still waiting
  EXPECT_EQ(sink.orders.size(), 2u);
  quote(hms(9, 0, 2), 17475, 17477);  // past the wait: resent (n = 0) at bid 17475
  ASSERT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(sink.orders[2].purpose, OrderPurpose::Exit);
  EXPECT_EQ(sink.orders[2].limit, Price{17475});
  fill(2, 17475, at(hms(9, 0, 2), 5));
  EXPECT_EQ(strat->lots()[0].exit_reason, ExitReason::InitialStop);
  EXPECT_EQ(strat->lots()[0].exit_ref, Price{17470});  // the initial stop level
  EXPECT_EQ(strat->lots()[0].exit_slippage, Ticks{-5});  // 17470 - 17475: better than ref
}

TEST_F(StrategyTest, RiskRejectedExitIsRetriedOnNextMarketEvent) {
  long_one_lot_filled();
  sink.reject_next = 1;
  trade(hms(9, 0, 0), 17470);
  EXPECT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(strat->lots()[0].state, PositionState::PendingClosing);
  quote(hms(9, 0, 1), 17468, 17470);
  ASSERT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(sink.orders[2].limit, Price{17468});
  EXPECT_EQ(strat->counters().rejected, 1u);
}

// ================================================================== groups and days

TEST_F(StrategyTest, GroupIdsContinueFromGroupFloor) {
  set_lots(2, 1);
  start(2, {{TradingDay{kDay}, 4}, {TradingDay{20240101}, 9}});  // ids 1..4 used today
  make_range();
  trade(hms(8, 50, 0), 17499);
  const auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].group_id, 5);
  EXPECT_EQ(created[1].group_id, 6);
  fill(0, 17500, at(hms(8, 50, 0), 5));
  fill(1, 17500, at(hms(8, 50, 0), 6));
  EXPECT_EQ(strat->lots()[0].group, 5);
  EXPECT_EQ(strat->lots()[1].group, 6);
  EXPECT_EQ(strat->lots()[0].id.v, (uint64_t{2} << 32) | 1);  // run id 2, lot 1
}

// Group ids past 16 bits continue (ids were uint16 and wrapped at 65,536), and an
// allocation that would pass kMaxGroupId is refused (DaySkipped GroupIdsExhausted), never
// wrapped onto a stored group.
TEST_F(StrategyTest, GroupIdsPast16BitsContinueAndExhaustedIdsAreRefused) {
  set_lots(2, 1);
  start(1, {{TradingDay{kDay}, 70'000}});
  make_range();
  trade(hms(8, 50, 0), 17499);
  auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].group_id, 70'001u);
  EXPECT_EQ(created[1].group_id, 70'002u);

  sink = FakeSink{};
  seq = 0;
  start(1, {{TradingDay{kDay}, kMaxGroupId - 1}});  // one id left, the entry needs two
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_TRUE(sink.orders.empty());
  EXPECT_TRUE(groups(GroupEvent::Created).empty());
  const JrSignal* skip = find_signal(SignalKind::DaySkipped);
  ASSERT_NE(skip, nullptr);
  EXPECT_EQ(skip->skip, SkipReason::GroupIdsExhausted);
  EXPECT_EQ(strat->days()[0].skipped, SkipReason::GroupIdsExhausted);
}

// SPEC §4 "every entry allocates its own groups": entry 1 (1 x 3) fills one lot, the
// other two give up (venue rejects); after its lot closes, entry 2 gets group 2, and its
// first fill is rule 1 of group 2 -- it does not fill the two empty slots of group 1.
TEST_F(StrategyTest, PartialFillThenSecondEntryGetsItsOwnGroup) {
  cfg.strategy.frequency = FrequencyMode::Repeatable;
  set_lots(1, 3);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);  // orders 0, 1, 2
  fill(0, 17500, at(hms(8, 50, 0), 5));
  venue_reject(1, at(hms(8, 50, 0), 5));
  venue_reject(2, at(hms(8, 50, 0), 5));
  EXPECT_EQ(strat->days()[0].entries[0].filled, Qty{1});
  trade(hms(9, 0, 0), 17470);  // lot 1 at its initial stop: exit (order 3)
  fill(3, 17469, at(hms(9, 0, 0), 5));
  EXPECT_EQ(strat->open_lots(), 0);
  // Entry 1 had a refused (rejected) lot: the signal re-arms inside the range first.
  trade(hms(9, 1, 0), 17480);
  trade(hms(9, 2, 0), 17499);  // entry 2: orders 4, 5, 6
  ASSERT_EQ(sink.orders.size(), 7u);
  const auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[0].group_id, 1u);
  EXPECT_EQ(created[1].group_id, 2u);
  fill(5, 17500, at(hms(9, 2, 0), 5));
  const LotResult& first_of_entry2 = strat->lots().at(4);  // lot of order 5
  EXPECT_EQ(first_of_entry2.state, PositionState::Active);
  EXPECT_EQ(first_of_entry2.group, 2u);
  EXPECT_EQ(first_of_entry2.rule, 1) << "FIFO counts the lots of this entry only";
  EXPECT_EQ(strat->days()[0].entries[1].filled, Qty{1});
}

// No order storm (docs/STRATEGY.md): repeatable mode with every entry refused by the risk
// stage (the kill switch). A refused entry does not re-signal on the next tick: it waits
// for a trade back inside the range, and after kMaxRefusedEntriesPerDay refused entries
// the day stops entering.
TEST_F(StrategyTest, RefusedEntriesDoNotStormAndStopAfterThreePerDay) {
  cfg.strategy.frequency = FrequencyMode::Repeatable;
  set_lots(1, 3);
  start();
  make_range();
  sink.reject_next = 1'000'000;  // the risk stage refuses everything
  trade(hms(8, 50, 0), 17499);    // entry 1: 3 lots refused
  EXPECT_EQ(sink.orders.size(), 3u);
  for (int k = 1; k <= 100; ++k) trade(hms(8, 50, k), 17499);  // still above the range
  EXPECT_EQ(sink.orders.size(), 3u) << "no re-signal while the price stays out of the range";
  trade(hms(8, 52, 0), 17480);  // back inside: re-armed
  trade(hms(8, 52, 1), 17499);  // entry 2
  EXPECT_EQ(sink.orders.size(), 6u);
  trade(hms(8, 52, 2), 17480);
  trade(hms(8, 52, 3), 17460);  // entry 3 (SHORT)
  EXPECT_EQ(sink.orders.size(), 9u);
  for (int k = 0; k < 50; ++k) {
    trade(hms(9, 0, k), 17480);
    trade(hms(9, 1, k), 17499);
  }
  EXPECT_EQ(sink.orders.size(), 9u) << "three refused entries end the day's entries";
  EXPECT_EQ(strat->counters().refused_entries, 3u);
  EXPECT_EQ(strat->counters().rejected, 9u);
  EXPECT_EQ(count_signals(SignalKind::Entry), 3);
  const JrSignal* skip = nullptr;
  for (const JournalRecord& r : sink.records) {
    if (r.type == JournalType::Signal && r.u.signal.kind == SignalKind::DaySkipped) skip = &r.u.signal;
  }
  ASSERT_NE(skip, nullptr);
  EXPECT_EQ(skip->skip, SkipReason::EntriesRefused);
  // The next trading day starts afresh.
  day = 20240103;
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_EQ(sink.orders.size(), 12u);
}

TEST_F(StrategyTest, NewTradingDayResetsDayState) {
  long_one_lot_filled();
  quote(hms(13, 44, 0), 17520, 17522);
  fill(1, 17520, at(hms(13, 44, 0), 5));  // day 1 pnl +20
  EXPECT_EQ(strat->day_pnl(), Ticks{20});
  day = 20240103;
  trade(hms(8, 45, 0), 17600);  // day change
  ASSERT_EQ(strat->days().size(), 2u);
  EXPECT_EQ(strat->day_pnl(), Ticks{0});
  EXPECT_EQ(strat->cumulative_pnl(), Ticks{20});
  trade(hms(8, 46, 0), 17590);
  trade(hms(8, 47, 0), 17595);  // day 2 range 17590..17600
  EXPECT_EQ(strat->days()[1].range_high, Price{17600});
  EXPECT_EQ(strat->days()[1].range_low, Price{17590});
  trade(hms(8, 50, 0), 17601);  // once per day resets: a new entry, group id 1 again
  ASSERT_EQ(sink.orders.size(), 3u);
  EXPECT_EQ(sink.orders[2].limit, Price{17602});
  const auto created = groups(GroupEvent::Created);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(created[1].group_id, 1);
  EXPECT_EQ(created[1].day, TradingDay{20240103});
}

TEST_F(StrategyTest, DayWithoutBreakoutIsNoBreakoutAtDayChange) {
  start();
  make_range();
  day = 20240103;
  trade(hms(8, 45, 0), 17600);
  EXPECT_EQ(strat->days()[0].skipped, SkipReason::NoBreakout);
  const JrSignal* s = find_signal(SignalKind::DaySkipped);
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->skip, SkipReason::NoBreakout);
}

TEST_F(StrategyTest, NightSessionIgnoredByDefault) {
  start();
  md(at(hms(15, 0, 0)), 17480, 17479, 17481, 0, Session::Night);
  EXPECT_TRUE(strat->days().empty());
  EXPECT_TRUE(sink.records.empty());
}

// trade_night (limited): night events manage open lots (stops) but never build a range or
// enter. The night of 2024-01-02 15:00 belongs to trading day 2024-01-03.
TEST_F(StrategyTest, TradeNightManagesOpenLotsOnly) {
  cfg.strategy.trade_night = true;
  long_one_lot_filled();
  md_trading_day = 20240103;
  md(at(hms(15, 0, 0)), 17480, 17479, 17481, 0, Session::Night);
  ASSERT_EQ(strat->days().size(), 2u);  // the night starts the next trading day
  EXPECT_EQ(sink.orders.size(), 1u);
  md(at(hms(15, 1, 0)), 17470, 17469, 17471, 0, Session::Night);  // initial stop 17470
  ASSERT_EQ(sink.orders.size(), 2u);
  EXPECT_EQ(sink.orders[1].limit, Price{17469});
  EXPECT_FALSE(strat->days()[1].has_range);
  EXPECT_EQ(count_signals(SignalKind::RangeSet), 1);  // day 1 only
}

TEST_F(StrategyTest, GroupCompletedWhenAllLotsClosed) {
  long_one_lot_filled();
  EXPECT_TRUE(groups(GroupEvent::Completed).empty());
  trade(hms(9, 0, 0), 17470);
  fill(1, 17469, at(hms(9, 0, 0), 5));
  const auto done = groups(GroupEvent::Completed);
  ASSERT_EQ(done.size(), 1u);
  EXPECT_EQ(done[0].group_id, 1);
  EXPECT_EQ(done[0].filled, Qty{1});
}

// ================================================================== counters

// Entry order cancelled (1 cancel), chased and filled (1 chase, 1 fill); the exit is
// refused once by the risk check (1 reject), resent on the next quote and filled.
// sent = entry + chase + exit resend = 3 (the refused one never left).
TEST_F(StrategyTest, CountersAddUp) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  cancel(0, at(hms(8, 50, 0), 5));
  fill(1, 17501, at(hms(8, 50, 0), 10));
  sink.reject_next = 1;
  trade(hms(9, 0, 0), 17470);
  quote(hms(9, 0, 1), 17468, 17470);
  fill(3, 17468, at(hms(9, 0, 1), 5));
  const StrategyCounters& c = strat->counters();
  EXPECT_EQ(c.sent, 3u);
  EXPECT_EQ(c.filled, 2u);
  EXPECT_EQ(c.cancelled, 1u);
  EXPECT_EQ(c.rejected, 1u);
  EXPECT_EQ(c.chased, 1u);
  EXPECT_EQ(c.chase_gave_up, 0u);
  EXPECT_EQ(c.stale_quote_holds, 0u);
  EXPECT_EQ(c.late_fills, 0u);
  EXPECT_EQ(strat->lots()[0].pnl, Ticks{-33});  // 17468 - 17501
  EXPECT_EQ(strat->lots()[0].entry_slippage, Ticks{1});  // 17501 - 17500
}

TEST_F(StrategyTest, UnknownReportIsIgnoredAndCounted) {
  set_lots(1, 1);
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  OrderRequest bogus = sink.orders[0];
  bogus.client_id = ClientOrderId{(uint64_t{99} << 32) | 1};  // another run's id
  sink.orders.push_back(bogus);
  fill(1, 17500, at(hms(8, 50, 0), 5));
  EXPECT_EQ(strat->unknown_reports(), 1u);
  EXPECT_EQ(strat->open_lots(), 0);
}

TEST_F(StrategyTest, PerEventBoundsRespectedForLargestSize) {
  set_lots(5, 3);  // 15 lots
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  EXPECT_EQ(sink.orders.size(), 15u);
  for (std::size_t k = 0; k < 15; ++k) fill(k, 17500, at(hms(8, 50, 0), 5));
  quote(hms(13, 44, 0), 17519, 17521);
  EXPECT_EQ(sink.orders.size(), 30u);  // 15 EndOfDay exits in one event
  EXPECT_LE(sink.max_orders_in_one_event, kMaxOrdersPerEvent);
  EXPECT_LE(sink.max_journal_in_one_event, kMaxJournalPerEvent);
}

// ================================================================== allocation

TEST_F(StrategyTest, NoAllocationOnPlainMarketTicks) {
  start();
  make_range();
  trade(hms(8, 50, 0), 17499);
  for (std::size_t k = 0; k < 3; ++k) fill(k, 17500, at(hms(8, 50, 0), 5));
  ASSERT_EQ(strat->open_lots(), 3);
  sink.orders.reserve(1000);
  sink.records.reserve(100'000);
  const std::size_t orders_before = sink.orders.size();
  // Pre-build the events (building them is not what is measured).
  std::vector<Event> evs(10'000);
  TimeNs t = at(hms(9, 0, 0));
  for (std::size_t k = 0; k < evs.size(); ++k) {
    Event& ev = evs[k];
    ev.seq = 1000 + k;
    ev.event_time = t + static_cast<int64_t>(k) * kNsPerMs;
    ev.kind = EventKind::Market;
    MarketData& m = ev.u.md;
    m.trading_day = TradingDay{kDay};
    m.session = Session::Day;
    const int64_t px = 17501 + static_cast<int64_t>(k % 5);  // 17501..17505: no exit, no activation
    m.bid = Price{px - 1};
    m.ask = Price{px + 1};
    m.flags = kMdHasBid | kMdHasAsk;
    if (k % 2 == 0) {
      m.last = Price{px};
      m.last_qty = Qty{1};
      m.flags |= kMdHasTrade;
    }
    m.quote_time = ev.event_time;
  }
  g_allocs.store(0);
  g_count_allocs.store(true);
  for (const Event& ev : evs) strat->on_market(ev);
  g_count_allocs.store(false);
  EXPECT_EQ(g_allocs.load(), 0u);
  EXPECT_EQ(sink.orders.size(), orders_before);
  EXPECT_EQ(strat->lot_risk(0).peak, Price{17505});
}

}  // namespace
}  // namespace tp
