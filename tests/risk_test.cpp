// The risk stage's pre-trade checks (SPEC §6): kill switch, max position, max order size,
// price band (opening and closing orders), order-rate throttle and daily loss; each refusal
// is journaled as RiskReject with its reason and never reaches the gateway.
//
// A scripted TradingLogic submits the orders a test asks for on the next event, so each
// check is driven through the stage's real submit() path.
#include <gtest/gtest.h>

#include <vector>

#include "tp/engine/config/config.hpp"
#include "tp/engine/pipeline/stages.hpp"

namespace tp {
namespace {

class ScriptedLogic final : public TradingLogic {
 public:
  std::vector<OrderRequest> to_send;   ///< submitted on the next event
  std::vector<RejectReason> results;   ///< what submit() returned, in order
  int lots_open = 0;
  Ticks pnl;

  void on_market(const Event&, StrategySink& sink) override { send(sink); }
  void on_exec(const Event&, StrategySink& sink) override { send(sink); }
  void on_end_of_data(const Event&, StrategySink&) override {}
  int open_lots() const override { return lots_open; }
  Ticks day_pnl() const override { return pnl; }

 private:
  void send(StrategySink& sink) {
    for (OrderRequest& r : to_send) results.push_back(sink.submit(r));
    to_send.clear();
  }
};

class RiskTest : public ::testing::Test {
 protected:
  void SetUp() override {
    cfg = default_config();
    // Every limit off; each test turns on the one it checks.
    cfg.risk.kill_switch = false;
    cfg.risk.max_position_lots = 0;
    cfg.risk.max_order_lots = 0;
    cfg.risk.price_band_points = 0;
    cfg.risk.max_orders_per_sec = 0;
    cfg.risk.max_daily_loss_points = 0;
  }
  void start() {
    resolve(cfg);
    risk = std::make_unique<RiskAgent>(cfg, logic, in, out, journal);
  }
  /// A market event at `t_ms` with a trade at `last` (0: none) and a quote bid/ask (0: none).
  void market(int64_t t_ms, int64_t last, int64_t bid = 0, int64_t ask = 0) {
    Event e;
    e.seq = ++seq;
    e.event_time = TimeNs{t_ms * kNsPerMs};
    e.kind = EventKind::Market;
    if (last != 0) {
      e.u.md.last = Price{last};
      e.u.md.last_qty = Qty{1};
      e.u.md.flags |= kMdHasTrade;
    }
    if (bid != 0) {
      e.u.md.bid = Price{bid};
      e.u.md.flags |= kMdHasBid;
    }
    if (ask != 0) {
      e.u.md.ask = Price{ask};
      e.u.md.flags |= kMdHasAsk;
    }
    ASSERT_TRUE(in.try_push(e));
    run();
  }
  void run() {
    while (risk->do_work() > 0) {
    }
  }
  static OrderRequest order(uint64_t id, int64_t px, int32_t qty = 1, OpenClose oc = OpenClose::Open) {
    OrderRequest r;
    r.client_id = ClientOrderId{id};
    r.limit = Price{px};
    r.qty = Qty{qty};
    r.side = Side::Buy;
    r.tif = Tif::Fok;
    r.open_close = oc;
    r.action = OrderAction::New;
    return r;
  }
  /// Submits `o` on a market event (trade at `last`) and returns the stage's verdict.
  RejectReason submit(const OrderRequest& o, int64_t t_ms = 1000, int64_t last = 17500) {
    logic.to_send.push_back(o);
    market(t_ms, last);
    EXPECT_FALSE(logic.results.empty());
    return logic.results.empty() ? RejectReason::None : logic.results.back();
  }
  std::vector<OrderRequest> forwarded() {
    std::vector<OrderRequest> v;
    OrderRequest o;
    while (out.try_pop(o)) v.push_back(o);
    return v;
  }
  std::vector<JournalRecord> rejects() {
    std::vector<JournalRecord> v;
    JournalRecord r;
    while (journal.try_pop(r)) {
      if (r.type == JournalType::RiskReject) v.push_back(r);
    }
    return v;
  }
  /// The refusal is journaled with its reason and the order never reaches the gateway.
  void expect_refused(RejectReason why, uint64_t id) {
    EXPECT_TRUE(forwarded().empty()) << "a refused order reached the gateway";
    const auto r = rejects();
    ASSERT_EQ(r.size(), 1u);
    EXPECT_EQ(r[0].u.order.reason, why);
    EXPECT_EQ(r[0].u.order.client_id, ClientOrderId{id});
    EXPECT_EQ(risk->stats().rejects_by_reason[static_cast<uint8_t>(why)], 1u);
  }

  Config cfg;
  ScriptedLogic logic;
  EventRing in{64};
  OrderRing out{64};
  JournalRing journal{256};
  std::unique_ptr<RiskAgent> risk;
  uint64_t seq = 0;
};

TEST_F(RiskTest, EveryLimitOffLetsAnOrderThrough) {
  start();
  EXPECT_EQ(submit(order(1, 17501)), RejectReason::None);
  const auto f = forwarded();
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].client_id, ClientOrderId{1});
  EXPECT_TRUE(rejects().empty());
}

TEST_F(RiskTest, KillSwitchRefusesOpeningOrdersButNotClosingOnes) {
  cfg.risk.kill_switch = true;
  start();
  EXPECT_EQ(submit(order(1, 17501)), RejectReason::KillSwitch);
  expect_refused(RejectReason::KillSwitch, 1);
  EXPECT_EQ(submit(order(2, 17499, 1, OpenClose::Close)), RejectReason::None) << "reducing risk is allowed";
  EXPECT_EQ(forwarded().size(), 1u);
}

TEST_F(RiskTest, MaxOrderSizeRefusesOpeningAndClosingOrders) {
  cfg.risk.max_order_lots = 3;
  start();
  EXPECT_EQ(submit(order(1, 17501, 3)), RejectReason::None);  // equal to the cap: allowed
  forwarded();
  EXPECT_EQ(submit(order(2, 17501, 4)), RejectReason::MaxOrderSize);
  expect_refused(RejectReason::MaxOrderSize, 2);
  EXPECT_EQ(submit(order(3, 17499, 4, OpenClose::Close)), RejectReason::MaxOrderSize);
}

TEST_F(RiskTest, NonPositiveQuantityOrPriceIsRefused) {
  start();
  EXPECT_EQ(submit(order(1, 17501, 0)), RejectReason::InvalidQty);
  EXPECT_EQ(submit(order(2, 0)), RejectReason::InvalidPrice);
  EXPECT_EQ(submit(order(3, -17500, 1, OpenClose::Close)), RejectReason::InvalidPrice);
  EXPECT_TRUE(forwarded().empty());
}

// max_position 3: 2 lots open + a working opening order of 1 lot = 3; one more lot is 4.
TEST_F(RiskTest, MaxPositionCountsOpenLotsAndWorkingOpeningOrders) {
  cfg.risk.max_position_lots = 3;
  start();
  logic.lots_open = 2;
  EXPECT_EQ(submit(order(1, 17501)), RejectReason::None);  // 2 + 0 + 1 = 3
  forwarded();
  EXPECT_EQ(submit(order(2, 17501)), RejectReason::MaxPosition);  // 2 + 1 working + 1 = 4
  expect_refused(RejectReason::MaxPosition, 2);
  EXPECT_EQ(submit(order(3, 17499, 1, OpenClose::Close)), RejectReason::None);
  // The working order is cancelled: its lot no longer counts.
  Event e;
  e.seq = ++seq;
  e.event_time = TimeNs{2000 * kNsPerMs};
  e.kind = EventKind::Exec;
  e.u.er.type = ExecType::Canceled;
  e.u.er.client_id = ClientOrderId{1};
  ASSERT_TRUE(in.try_push(e));
  run();
  EXPECT_EQ(submit(order(4, 17501), 3000), RejectReason::None);
}

TEST_F(RiskTest, DailyLossRefusesOpeningOrdersAtTheLimit) {
  cfg.risk.max_daily_loss_points = 30;
  start();
  logic.pnl = Ticks{-29};
  EXPECT_EQ(submit(order(1, 17501)), RejectReason::None);
  forwarded();
  logic.pnl = Ticks{-30};  // <= -30: refused
  EXPECT_EQ(submit(order(2, 17501)), RejectReason::DailyLoss);
  expect_refused(RejectReason::DailyLoss, 2);
  EXPECT_EQ(submit(order(3, 17499, 1, OpenClose::Close)), RejectReason::None);
}

// Throttle 2 orders/s of event time: orders at 1.000 s and 1.500 s pass, 1.900 s is
// refused, 2.000 s passes (the 1.000 s order left the rolling second). Closing orders
// count and are throttled too.
TEST_F(RiskTest, ThrottleIsARollingSecondOfEventTime) {
  cfg.risk.max_orders_per_sec = 2;
  start();
  EXPECT_EQ(submit(order(1, 17501), 1000), RejectReason::None);
  EXPECT_EQ(submit(order(2, 17501), 1500), RejectReason::None);
  forwarded();
  EXPECT_EQ(submit(order(3, 17499, 1, OpenClose::Close), 1900), RejectReason::Throttle);
  expect_refused(RejectReason::Throttle, 3);
  EXPECT_EQ(submit(order(4, 17501), 2000), RejectReason::None);
}

// Band 100 points around the last trade 17500: 17600 passes, 17601 does not, for opening
// and for closing orders alike (an exit at an absurd price is refused).
TEST_F(RiskTest, PriceBandAppliesToOpeningAndClosingOrders) {
  cfg.risk.price_band_points = 100;
  start();
  EXPECT_EQ(submit(order(1, 17600)), RejectReason::None);
  EXPECT_EQ(submit(order(2, 17400, 1, OpenClose::Close)), RejectReason::None);
  forwarded();
  EXPECT_EQ(submit(order(3, 17601)), RejectReason::PriceBand);
  expect_refused(RejectReason::PriceBand, 3);
  EXPECT_EQ(submit(order(4, 17399, 1, OpenClose::Close)), RejectReason::PriceBand);
  EXPECT_EQ(submit(order(5, 1, 1, OpenClose::Close)), RejectReason::PriceBand);
}

// Before any trade the reference is the mid of a two-sided quote; with neither the band
// cannot vouch for a price and refuses.
TEST_F(RiskTest, PriceBandReferenceIsQuoteMidBeforeTheFirstTradeAndRefusesWithNone) {
  cfg.risk.price_band_points = 10;
  start();
  logic.to_send.push_back(order(1, 17500));
  market(1000, 0);  // no trade, no quote
  ASSERT_EQ(logic.results.size(), 1u);
  EXPECT_EQ(logic.results[0], RejectReason::PriceBand);
  logic.to_send.push_back(order(2, 17510));
  market(1100, 0, 17498, 17502);  // mid 17500: 17510 is 10 away, allowed
  EXPECT_EQ(logic.results.back(), RejectReason::None);
  logic.to_send.push_back(order(3, 17511));
  market(1200, 0, 17498, 17502);
  EXPECT_EQ(logic.results.back(), RejectReason::PriceBand);
}

}  // namespace
}  // namespace tp
