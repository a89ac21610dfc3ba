// The simulated venue: FOK/IOC matching against the recorded book, ids, rejects.
#include <gtest/gtest.h>

#include "tp/engine/venue/sim_venue.hpp"

namespace tp {
namespace {

constexpr int64_t kLatency = 5 * kNsPerMs;

InputEvent book(std::initializer_list<std::pair<int64_t, int32_t>> bids,
                std::initializer_list<std::pair<int64_t, int32_t>> asks, int64_t ts = 1'000) {
  InputEvent e{};
  e.ts = TimeNs{ts};
  e.flags = kInQuote;
  for (auto [px, q] : bids) {
    e.bid_px[e.bid_levels] = Price{px};
    e.bid_qty[e.bid_levels] = Qty{q};
    ++e.bid_levels;
  }
  for (auto [px, q] : asks) {
    e.ask_px[e.ask_levels] = Price{px};
    e.ask_qty[e.ask_levels] = Qty{q};
    ++e.ask_levels;
  }
  return e;
}

OrderRequest order(uint64_t id, Side side, int64_t limit, int32_t qty, Tif tif = Tif::Fok, int64_t t = 1'000) {
  OrderRequest o;
  o.client_id = ClientOrderId{id};
  o.side = side;
  o.limit = Price{limit};
  o.qty = Qty{qty};
  o.tif = tif;
  o.origin_time = TimeNs{t};
  return o;
}

class SimVenueTest : public ::testing::Test {
 protected:
  SimVenue venue{kLatency};
  ExecReport out[SimVenue::kMaxReportsPerOrder];
  int run(const OrderRequest& o) {
    EXPECT_TRUE(venue.accept(o));
    return venue.process_next(out);
  }
};

TEST_F(SimVenueTest, ArrivalIsOriginTimePlusLatency) {
  ASSERT_TRUE(venue.accept(order(1, Side::Buy, 100, 1, Tif::Fok, 42)));
  ASSERT_TRUE(venue.has_pending());
  EXPECT_EQ(venue.next_arrival().ns, 42 + kLatency);
}

TEST_F(SimVenueTest, FokBuyFillsAtTheAskWithBothIdsOnlyOnTheAck) {
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  const int n = run(order(7, Side::Buy, 101, 2));  // marketable: fills at the resting 100
  ASSERT_EQ(n, 2);
  EXPECT_EQ(out[0].type, ExecType::New);
  EXPECT_EQ(out[0].client_id, ClientOrderId{7});
  EXPECT_EQ(out[0].venue_id, VenueOrderId{9'000'001});
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_FALSE(out[1].client_id.valid()) << "fills carry only the venue id";
  EXPECT_EQ(out[1].venue_id, VenueOrderId{9'000'001});
  EXPECT_EQ(out[1].last_px, Price{100});
  EXPECT_EQ(out[1].last_qty, Qty{2});
  EXPECT_EQ(out[1].cum_qty, Qty{2});
  EXPECT_EQ(out[1].leaves_qty, Qty{0});
}

TEST_F(SimVenueTest, FokSellFillsAtTheBid) {
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  ASSERT_EQ(run(order(1, Side::Sell, 99, 1)), 2);
  EXPECT_EQ(out[1].last_px, Price{99});
}

TEST_F(SimVenueTest, FokCancelledWhenLimitBelowAsk) {
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 99, 1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
  EXPECT_FALSE(out[1].client_id.valid()) << "cancels carry only the venue id";
  EXPECT_EQ(out[1].cum_qty, Qty{0});
}

TEST_F(SimVenueTest, FokCancelledWhenSizeInsufficientAndNothingIsTaken) {
  venue.on_market(book({{99, 5}}, {{100, 2}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
  // The two lots are still there for the next order.
  ASSERT_EQ(run(order(2, Side::Buy, 100, 2)), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
}

TEST_F(SimVenueTest, FokSweepsSeveralLevelsWithOneFillPerLevel) {
  venue.on_market(book({{99, 5}}, {{100, 1}, {101, 1}, {102, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 102, 3)), 4);
  EXPECT_EQ(out[1].last_px, Price{100});
  EXPECT_EQ(out[2].last_px, Price{101});
  EXPECT_EQ(out[3].last_px, Price{102});
  EXPECT_EQ(out[3].cum_qty, Qty{3});
}

TEST_F(SimVenueTest, LevelsBeyondTheLimitAreNotUsed) {
  venue.on_market(book({{99, 5}}, {{100, 1}, {101, 9}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 2)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
}

TEST_F(SimVenueTest, IocFillsWhatIsThereAndCancelsTheRest) {
  venue.on_market(book({{99, 5}}, {{100, 2}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 5, Tif::Ioc)), 3);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_qty, Qty{2});
  EXPECT_EQ(out[2].type, ExecType::Canceled);
  EXPECT_EQ(out[2].cum_qty, Qty{2});
}

TEST_F(SimVenueTest, TakenSizeIsRememberedUntilTheNextQuote) {
  venue.on_market(book({{99, 5}}, {{100, 1}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  ASSERT_EQ(run(order(2, Side::Buy, 100, 1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "the displayed lot was already taken";
  venue.on_market(book({{99, 5}}, {{100, 1}}, 2'000));
  ASSERT_EQ(run(order(3, Side::Buy, 100, 1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
}

TEST_F(SimVenueTest, EmptyBookCancelsFok) {
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
}

TEST_F(SimVenueTest, RejectsDuplicateClientOrderId) {
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1)), 2);
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1)), 1);
  EXPECT_EQ(out[0].type, ExecType::Rejected);
  EXPECT_EQ(out[0].reason, RejectReason::DuplicateId);
  EXPECT_EQ(out[0].client_id, ClientOrderId{1}) << "rejects carry the client id";
  EXPECT_FALSE(out[0].venue_id.valid());
}

TEST_F(SimVenueTest, RejectsInvalidQtyPriceDayOrdersAndCancels) {
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 0)), 1);
  EXPECT_EQ(out[0].reason, RejectReason::InvalidQty);
  ASSERT_EQ(run(order(2, Side::Buy, 0, 1)), 1);
  EXPECT_EQ(out[0].reason, RejectReason::InvalidPrice);
  ASSERT_EQ(run(order(3, Side::Buy, 100, 1, Tif::Day)), 1);
  EXPECT_EQ(out[0].reason, RejectReason::Unsupported);
  OrderRequest c = order(4, Side::Buy, 100, 1);
  c.action = OrderAction::Cancel;
  ASSERT_EQ(run(c), 1);
  EXPECT_EQ(out[0].reason, RejectReason::UnknownOrder);
  EXPECT_EQ(venue.stats().rejects, 4u);
}

TEST_F(SimVenueTest, QueueFullIsBackPressureNotADrop) {
  SimVenue small(kLatency, 2);
  EXPECT_TRUE(small.accept(order(1, Side::Buy, 100, 1)));
  EXPECT_TRUE(small.accept(order(2, Side::Buy, 100, 1)));
  EXPECT_FALSE(small.accept(order(3, Side::Buy, 100, 1)));
  ExecReport r[SimVenue::kMaxReportsPerOrder];
  small.process_next(r);
  EXPECT_TRUE(small.accept(order(3, Side::Buy, 100, 1)));
}

TEST_F(SimVenueTest, VenueIdsAreASeparateIncreasingNumbering) {
  venue.on_market(book({{99, 50}}, {{100, 50}}));
  run(order(11, Side::Buy, 100, 1));
  const VenueOrderId first = out[0].venue_id;
  run(order(12, Side::Buy, 100, 1));
  EXPECT_EQ(out[0].venue_id.v, first.v + 1);
}


// ---- resting mode (tickpipe venue): Day orders rest, match later books, cancel.

class SimVenueRestingTest : public SimVenueTest {
 protected:
  SimVenueRestingTest() { venue.enable_resting(8); }
  ExecReport rest_out[4 * kMaxLevels];
  int match_resting() { return venue.match_resting(rest_out, 4 * kMaxLevels); }
  OrderRequest cancel(uint64_t id, VenueOrderId vid) {
    OrderRequest c = order(id, Side::Buy, 100, 1);
    c.action = OrderAction::Cancel;
    c.venue_id = vid;
    return c;
  }
};

TEST_F(SimVenueRestingTest, DayOrderNotMarketableRestsWithoutACancel) {
  venue.on_market(book({{99, 5}}, {{101, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 2, Tif::Day)), 1);
  EXPECT_EQ(out[0].type, ExecType::New);
  EXPECT_EQ(out[0].leaves_qty, Qty{2});
  EXPECT_EQ(venue.resting_count(), 1u);
  EXPECT_EQ(match_resting(), 0) << "the same book cannot fill it";
}

TEST_F(SimVenueRestingTest, DayOrderTakesWhatIsThereAndRestsTheRest) {
  venue.on_market(book({{99, 5}}, {{100, 1}, {101, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3, Tif::Day)), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_qty, Qty{1});
  EXPECT_EQ(out[1].leaves_qty, Qty{2});
  EXPECT_EQ(venue.resting_count(), 1u);
}

TEST_F(SimVenueRestingTest, RestingBuyFillsAtTheLaterBooksPriceUpToItsSize) {
  venue.on_market(book({{99, 5}}, {{102, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3, Tif::Day)), 1);
  const VenueOrderId vid = out[0].venue_id;
  // The offer comes down through the limit: the resting buy takes the book's price.
  venue.on_market(book({{98, 5}}, {{99, 2}, {100, 4}}, 2'000));
  ASSERT_EQ(match_resting(), 2);
  EXPECT_EQ(rest_out[0].type, ExecType::Trade);
  EXPECT_EQ(rest_out[0].venue_id, vid);
  EXPECT_FALSE(rest_out[0].client_id.valid()) << "fills carry only the venue id";
  EXPECT_EQ(rest_out[0].last_px, Price{99}) << "at the book price, better than the limit";
  EXPECT_EQ(rest_out[0].last_qty, Qty{2});
  EXPECT_EQ(rest_out[1].last_px, Price{100});
  EXPECT_EQ(rest_out[1].last_qty, Qty{1});
  EXPECT_EQ(rest_out[1].cum_qty, Qty{3});
  EXPECT_EQ(rest_out[1].leaves_qty, Qty{0});
  EXPECT_EQ(venue.resting_count(), 0u);
  // The size it took is gone for an IOC on the same book.
  ASSERT_EQ(run(order(2, Side::Buy, 100, 5, Tif::Ioc, 2'000)), 3);
  EXPECT_EQ(out[1].last_qty, Qty{3});
}

TEST_F(SimVenueRestingTest, RestingSellFillsPartlyAndKeepsResting) {
  venue.on_market(book({{99, 5}}, {{102, 5}}));
  ASSERT_EQ(run(order(1, Side::Sell, 101, 4, Tif::Day)), 1);
  venue.on_market(book({{101, 1}, {100, 9}}, {{103, 5}}, 2'000));
  ASSERT_EQ(match_resting(), 1);
  EXPECT_EQ(rest_out[0].last_px, Price{101});
  EXPECT_EQ(rest_out[0].cum_qty, Qty{1});
  EXPECT_EQ(rest_out[0].leaves_qty, Qty{3});
  EXPECT_EQ(venue.resting_count(), 1u);
  venue.on_market(book({{102, 9}}, {{103, 5}}, 3'000));
  ASSERT_EQ(match_resting(), 1);
  EXPECT_EQ(rest_out[0].last_px, Price{102});
  EXPECT_EQ(rest_out[0].cum_qty, Qty{4});
  EXPECT_EQ(venue.resting_count(), 0u);
}

TEST_F(SimVenueRestingTest, OlderRestingOrdersFillFirst) {
  venue.on_market(book({{99, 5}}, {{102, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1, Tif::Day)), 1);
  const VenueOrderId first = out[0].venue_id;
  ASSERT_EQ(run(order(2, Side::Buy, 100, 1, Tif::Day)), 1);
  venue.on_market(book({{98, 5}}, {{100, 1}}, 2'000));
  ASSERT_EQ(match_resting(), 1);
  EXPECT_EQ(rest_out[0].venue_id, first);
  EXPECT_EQ(venue.resting_count(), 1u);
}

TEST_F(SimVenueRestingTest, CancelRemovesARestingOrder) {
  venue.on_market(book({{99, 5}}, {{100, 1}, {102, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3, Tif::Day)), 2);
  const VenueOrderId vid = out[0].venue_id;
  ASSERT_EQ(run(cancel(2, vid)), 1);
  EXPECT_EQ(out[0].type, ExecType::Canceled);
  EXPECT_EQ(out[0].venue_id, vid);
  EXPECT_EQ(out[0].cum_qty, Qty{1});
  EXPECT_EQ(out[0].leaves_qty, Qty{0});
  EXPECT_EQ(venue.resting_count(), 0u);
  venue.on_market(book({{98, 5}}, {{99, 5}}, 2'000));
  EXPECT_EQ(match_resting(), 0) << "a cancelled order does not fill";
  // A second cancel, or one of an unknown id, is rejected.
  ASSERT_EQ(run(cancel(3, vid)), 1);
  EXPECT_EQ(out[0].type, ExecType::Rejected);
  EXPECT_EQ(out[0].reason, RejectReason::UnknownOrder);
}

TEST_F(SimVenueRestingTest, FokAndIocUnchangedInRestingMode) {
  venue.on_market(book({{99, 5}}, {{100, 2}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
  ASSERT_EQ(run(order(2, Side::Buy, 100, 3, Tif::Ioc)), 3);
  EXPECT_EQ(out[1].last_qty, Qty{2});
  EXPECT_EQ(out[2].type, ExecType::Canceled);
  EXPECT_EQ(venue.resting_count(), 0u);
}

TEST_F(SimVenueRestingTest, FullRestingListCancelsTheRemainder) {
  SimVenue one(0);
  one.enable_resting(1);
  one.on_market(book({{99, 5}}, {{102, 5}}));
  ExecReport r[SimVenue::kMaxReportsPerOrder];
  ASSERT_TRUE(one.accept(order(1, Side::Buy, 100, 1, Tif::Day)));
  ASSERT_EQ(one.process_next(r), 1);
  ASSERT_TRUE(one.accept(order(2, Side::Buy, 100, 1, Tif::Day)));
  ASSERT_EQ(one.process_next(r), 2);
  EXPECT_EQ(r[1].type, ExecType::Canceled);
  EXPECT_EQ(one.resting_count(), 1u);
}

TEST_F(SimVenueRestingTest, MatchRestingStopsWhenTheOutputIsFullAndResumes) {
  venue.on_market(book({{90, 5}}, {{102, 5}}));
  for (uint64_t id = 1; id <= 3; ++id) ASSERT_EQ(run(order(id, Side::Buy, 100, 1, Tif::Day)), 1);
  venue.on_market(book({{90, 5}}, {{100, 9}}, 2'000));
  ExecReport small[kMaxLevels + 1];
  EXPECT_EQ(venue.match_resting(small, kMaxLevels + 1), 2) << "room for whole orders only";
  EXPECT_EQ(venue.match_resting(small, kMaxLevels + 1), 1);
  EXPECT_EQ(venue.match_resting(small, kMaxLevels + 1), 0);
}

}  // namespace
}  // namespace tp
