// The simulated venue: FOK/IOC matching against the recorded book, ids, rejects, and the
// fill models (book, trade_through, slippage) on hand-built event sequences.
#include <gtest/gtest.h>

#include <stdexcept>
#include <vector>

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


// ---- fill models (docs/DESIGN.md "Fill models")

constexpr int64_t kT0 = 1'000'000'000;  // the order's send time (origin), ns
constexpr int64_t kMs = kNsPerMs;

/// A trade print (no book), as a trades-only file has after the tick rule minus its book.
InputEvent print(int64_t ts, int64_t px, int32_t qty, uint8_t extra_flags = 0) {
  InputEvent e{};
  e.ts = TimeNs{ts};
  e.flags = static_cast<uint8_t>(kInTrade | extra_flags);
  e.last = Price{px};
  e.last_qty = Qty{qty};
  return e;
}

/// A venue with a model over a hand-built event sequence. The venue's book is set
/// directly (on_market); `events` are the prints, and `applied(k)` says the first k of
/// them have been applied at the arrival.
class FillModelTest : public ::testing::Test {
 protected:
  // The venue remembers prints by address: appending must never move the events.
  FillModelTest() { events.reserve(16); }
  void use(FillModel m, int32_t slippage = 0, int64_t latency = kLatency) {
    venue = SimVenue(latency);
    venue.set_fill_model(FillModelConfig{m, slippage});
  }
  InputCursor applied(std::size_t k) {
    segs = InputSegments{std::span<const InputEvent>(events)};
    return InputCursor{&segs, k == events.size() ? 1u : 0u, k == events.size() ? 0u : k};
  }
  InputCursor all() { return applied(events.size()); }
  int run(const OrderRequest& o, const InputCursor& c) {
    EXPECT_TRUE(venue.accept(o));
    return venue.process_next(out, c);
  }
  SimVenue venue{kLatency};
  std::vector<InputEvent> events;
  InputSegments segs;
  ExecReport out[SimVenue::kMaxReportsPerOrder];
};

TEST_F(FillModelTest, BookIsTheDefaultAndReadsNoPrints) {
  EXPECT_EQ(venue.fill_model().model, FillModel::Book);
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  events = {print(kT0 + 1 * kMs, 101, 1)};  // nothing at the limit: irrelevant to the book
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_px, Price{100});
  EXPECT_EQ(out[1].last_qty, Qty{3});
  EXPECT_EQ(venue.stats().model_refusals, 0u);
}

TEST_F(FillModelTest, TradeThroughFillsWhenEnoughPrintsAtOrThroughTheLimitInFlight) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  events = {print(kT0, 100, 5),             // the print that caused the order: at send time, not in (send, arrival]
            print(kT0 + 1 * kMs, 100, 1),   // at the limit
            print(kT0 + 3 * kMs, 99, 1),    // through it
            print(kT0 + 4 * kMs, 101, 7)};  // above a buy's limit: does not count
  ASSERT_EQ(run(order(1, Side::Buy, 100, 2, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_qty, Qty{2});
  EXPECT_EQ(out[1].last_px, Price{100}) << "at the book's price, never the better print's 99";
  EXPECT_EQ(venue.stats().model_refusals, 0u);
}

TEST_F(FillModelTest, TradeThroughCancelsWhenThePrintedVolumeIsShort) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  events = {print(kT0 + 1 * kMs, 100, 1), print(kT0 + 3 * kMs, 99, 1)};
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
  EXPECT_EQ(out[1].cum_qty, Qty{0});
  EXPECT_EQ(venue.stats().model_refusals, 1u) << "the book alone would have filled it";
  // Nothing was used: the two lots still serve a 2-lot order of the same window.
  ASSERT_EQ(run(order(2, Side::Buy, 100, 2, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
}

TEST_F(FillModelTest, TradeThroughIgnoresPrintsOutsideTheWindow) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  const int64_t arrival = kT0 + kLatency;
  events = {print(kT0 - 1 * kMs, 100, 9),  // before the send
            print(kT0, 100, 9),            // at the send: the window is open there
            print(arrival + 1, 100, 9)};   // after the arrival (the cursor says applied anyway)
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "no print in (send, arrival]";
  // The same print at the arrival instant itself is inside (the window is closed there).
  events.back() = print(arrival, 100, 1);
  ASSERT_EQ(run(order(2, Side::Buy, 100, 1, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
}

TEST_F(FillModelTest, TradeThroughReadsOnlyWhatTheCursorSaysIsApplied) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  events = {print(kT0 + 1 * kMs, 100, 1), print(kT0 + 2 * kMs, 100, 1)};
  ASSERT_EQ(run(order(1, Side::Buy, 100, 2, Tif::Fok, kT0), applied(1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "the second print is not applied yet: no lookahead";
  ASSERT_EQ(run(order(2, Side::Buy, 100, 1, Tif::Fok, kT0), applied(1)), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  // No cursor at all: nothing printed, nothing fills.
  ASSERT_EQ(run(order(3, Side::Buy, 100, 1, Tif::Fok, kT0), InputCursor{}), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
}

TEST_F(FillModelTest, TradeThroughNeedsThePrintOnTheRightSideOfTheLimit) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{100, 10}}, {{101, 10}}));
  events = {print(kT0 + 1 * kMs, 102, 5),  // above 101: a sell at 100 counts it, a buy at 101 does not
            print(kT0 + 2 * kMs, 99, 5)};  // below 100: a buy at 101 counts it, a sell at 100 does not
  // A buy at 101 sees only the 99 print.
  ASSERT_EQ(run(order(1, Side::Buy, 101, 6, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "only 5 lots printed at or below 101";
  ASSERT_EQ(run(order(2, Side::Buy, 101, 5, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_px, Price{101});
  // A sell at 100 sees only the 102 print (5 lots); a sell at 103 sees nothing.
  ASSERT_EQ(run(order(3, Side::Sell, 103, 1, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "book bid 100 < 103 and nothing printed at >= 103";
  ASSERT_EQ(run(order(4, Side::Sell, 100, 6, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "only 5 lots printed at or above 100";
  ASSERT_EQ(run(order(5, Side::Sell, 100, 5, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_px, Price{100});
  EXPECT_EQ(venue.stats().model_refusals, 2u) << "orders 1 and 4; order 3 the book refused too";
}

TEST_F(FillModelTest, TradeThroughIocFillsAtMostThePrintedVolume) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  events = {print(kT0 + 1 * kMs, 100, 1), print(kT0 + 2 * kMs, 98, 1)};
  ASSERT_EQ(run(order(1, Side::Buy, 100, 5, Tif::Ioc, kT0), all()), 3);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_qty, Qty{2});
  EXPECT_EQ(out[1].last_px, Price{100});
  EXPECT_EQ(out[2].type, ExecType::Canceled);
  EXPECT_EQ(out[2].cum_qty, Qty{2});
  EXPECT_EQ(venue.stats().model_refusals, 1u);
  // And never more than the book: 1 lot offered, 2 printed (a fresh venue: new input).
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 1}}, 2'000));
  events = {print(kT0 + 11 * kMs, 100, 2)};
  ASSERT_EQ(run(order(2, Side::Buy, 100, 5, Tif::Ioc, kT0 + 10 * kMs), all()), 3);
  EXPECT_EQ(out[1].last_qty, Qty{1});
}

TEST_F(FillModelTest, TradeThroughUsesEachPrintedLotOncePerSide) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  events = {print(kT0 + 1 * kMs, 100, 1), print(kT0 + 2 * kMs, 100, 1)};
  // Three one-lot buys in the same window: two lots printed, two fill.
  for (uint64_t id = 1; id <= 2; ++id) {
    ASSERT_EQ(run(order(id, Side::Buy, 100, 1, Tif::Fok, kT0), all()), 2);
    EXPECT_EQ(out[1].type, ExecType::Trade) << id;
  }
  ASSERT_EQ(run(order(3, Side::Buy, 100, 1, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "both printed lots are used";
  // A sell sees the same prints (another counterparty side).
  venue.on_market(book({{100, 10}}, {{101, 10}}, 2'000));
  ASSERT_EQ(run(order(4, Side::Sell, 100, 2, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  // A later window no longer holds those prints; a new one serves a new order.
  events.push_back(print(kT0 + 9 * kMs, 100, 1));
  ASSERT_EQ(run(order(5, Side::Buy, 101, 1, Tif::Fok, kT0 + 5 * kMs), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
}

TEST_F(FillModelTest, TradeThroughAtLatencyZeroIsTheArrivalInstant) {
  use(FillModel::TradeThrough, 0, 0);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  events = {print(kT0 - 1, 100, 5), print(kT0, 100, 2)};  // the causing print is at the arrival
  ASSERT_EQ(run(order(1, Side::Buy, 100, 3, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "only the 2 lots printed at the instant count";
  ASSERT_EQ(run(order(2, Side::Buy, 100, 2, Tif::Fok, kT0), all()), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
}

TEST_F(FillModelTest, TradeThroughWindowSpansSegmentsAndSkipsAuctionPrints) {
  use(FillModel::TradeThrough);
  venue.on_market(book({{99, 10}}, {{100, 10}}));
  const std::vector<InputEvent> a = {print(kT0 - 5 * kMs, 100, 9), print(kT0 + 1 * kMs, 100, 1)};
  const std::vector<InputEvent> empty;
  const std::vector<InputEvent> b = {print(kT0 + 2 * kMs, 100, 5, kInAuction), print(kT0 + 3 * kMs, 100, 1)};
  segs = InputSegments{std::span<const InputEvent>(a), std::span<const InputEvent>(empty),
                       std::span<const InputEvent>(b)};
  ASSERT_TRUE(venue.accept(order(1, Side::Buy, 100, 3, Tif::Fok, kT0)));
  ASSERT_EQ(venue.process_next(out, InputCursor{&segs, 3, 0}), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled) << "1 + 1 lots: the auction print does not count";
  ASSERT_TRUE(venue.accept(order(2, Side::Buy, 100, 2, Tif::Fok, kT0)));
  ASSERT_EQ(venue.process_next(out, InputCursor{&segs, 3, 0}), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade) << "one lot from each file";
}

TEST_F(FillModelTest, SlippageCancelsAFokAtTheBestPriceAndFillsOneAtBestPlusN) {
  use(FillModel::Slippage, 2);
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  for (int64_t limit : {100, 101}) {
    ASSERT_EQ(run(order(static_cast<uint64_t>(limit), Side::Buy, limit, 1, Tif::Fok, kT0), {}), 2);
    EXPECT_EQ(out[1].type, ExecType::Canceled) << limit;
  }
  EXPECT_EQ(venue.stats().model_refusals, 2u);
  ASSERT_EQ(run(order(1, Side::Buy, 102, 1, Tif::Fok, kT0), {}), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_px, Price{102});
  ASSERT_EQ(run(order(2, Side::Buy, 110, 1, Tif::Fok, kT0), {}), 2);
  EXPECT_EQ(out[1].last_px, Price{102}) << "at the moved book's price, not the limit";
  // Sells: bid 99 - 2.
  ASSERT_EQ(run(order(3, Side::Sell, 99, 1, Tif::Fok, kT0), {}), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
  ASSERT_EQ(run(order(4, Side::Sell, 97, 1, Tif::Fok, kT0), {}), 2);
  EXPECT_EQ(out[1].type, ExecType::Trade);
  EXPECT_EQ(out[1].last_px, Price{97});
  EXPECT_EQ(venue.stats().model_refusals, 3u);
}

TEST_F(FillModelTest, SlippageMovesEveryLevelAndKeepsTheSizes) {
  use(FillModel::Slippage, 2);
  venue.on_market(book({{99, 5}}, {{100, 1}, {101, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 103, 3, Tif::Fok, kT0), {}), 3);
  EXPECT_EQ(out[1].last_px, Price{102});
  EXPECT_EQ(out[1].last_qty, Qty{1});
  EXPECT_EQ(out[2].last_px, Price{103});
  EXPECT_EQ(out[2].last_qty, Qty{2});
  // IOC: what the moved book offers within the limit (the 1 lot at 102 is taken; 3 left at 103).
  ASSERT_EQ(run(order(2, Side::Buy, 103, 5, Tif::Ioc, kT0), {}), 3);
  EXPECT_EQ(out[1].last_qty, Qty{3});
  EXPECT_EQ(out[1].last_px, Price{103});
  // A bid moved below one tick offers nothing.
  venue.on_market(book({{1, 5}}, {{2, 5}}, 2'000));
  ASSERT_EQ(run(order(3, Side::Sell, 1, 1, Tif::Fok, kT0), {}), 2);
  EXPECT_EQ(out[1].type, ExecType::Canceled);
}

TEST_F(FillModelTest, SlippageZeroIsTheBook) {
  use(FillModel::Slippage, 0);
  venue.on_market(book({{99, 5}}, {{100, 5}}));
  ASSERT_EQ(run(order(1, Side::Buy, 100, 1, Tif::Fok, kT0), {}), 2);
  EXPECT_EQ(out[1].last_px, Price{100});
  EXPECT_EQ(venue.stats().model_refusals, 0u);
}

TEST(FillModelConfigTest, BadSlippageAndRestingModeAreRefused) {
  SimVenue v(kLatency);
  EXPECT_THROW(v.set_fill_model(FillModelConfig{FillModel::Slippage, kMaxSlippageTicks + 1}), std::invalid_argument);
  EXPECT_THROW(v.set_fill_model(FillModelConfig{FillModel::Slippage, -1}), std::invalid_argument);
  v.set_fill_model(FillModelConfig{FillModel::Slippage, kMaxSlippageTicks});
  EXPECT_THROW(v.enable_resting(4), std::invalid_argument) << "resting mode matches with the book only";
  SimVenue r(0);
  r.enable_resting(4);
  EXPECT_THROW(r.set_fill_model(FillModelConfig{FillModel::TradeThrough, 0}), std::invalid_argument);
  EXPECT_NO_THROW(r.set_fill_model(FillModelConfig{}));
  EXPECT_STREQ(to_string(FillModel::TradeThrough), "trade_through");
}

}  // namespace
}  // namespace tp
