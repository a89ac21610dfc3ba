// tp::storage::Store: open/create/reopen, runs, the effect of every journal record type
// on the tables, idempotency, group floors, meta, and every StorageError.
#include <gtest/gtest.h>
#include <lmdb.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <thread>

#include "storage_test_util.hpp"
#include "tp/storage/store.hpp"

namespace tp::storage {
namespace {

using namespace tp::storage::testing;

class StoreTest : public ::testing::Test {
 protected:
  TempDir tmp_;
  std::string dir_ = tmp_.sub("db");
};

// ------------------------------------------------------------------ open / reopen

TEST_F(StoreTest, CreatesMissingDirectoryAndEmptyTables) {
  const std::string nested = tmp_.sub("a/b/db");
  Store s(options(nested));
  EXPECT_TRUE(std::filesystem::is_directory(nested));
  EXPECT_TRUE(std::filesystem::exists(nested + "/data.mdb"));
  EXPECT_EQ(s.dir(), nested);
  EXPECT_FALSE(s.read_only());
  for (Table t : {Table::Journal, Table::Orders, Table::Fills, Table::Positions, Table::Groups}) {
    EXPECT_EQ(s.count(t), 0u) << to_string(t);
  }
  std::string schema;
  EXPECT_TRUE(s.get_meta("schema", schema));
  EXPECT_NE(schema.find("record=128"), std::string::npos) << schema;
  EXPECT_EQ(s.count(Table::Meta), 1u);
}

TEST_F(StoreTest, ReopenKeepsCommittedData) {
  const auto recs = sample_run();
  {
    Store s(options(dir_));
    s.write_batch(1, recs);
    s.put_meta("note", "kept");
  }
  Store s(options(dir_));
  EXPECT_EQ(s.count(Table::Journal), recs.size());
  EXPECT_EQ(s.count(Table::Orders), 2u);
  EXPECT_EQ(s.count(Table::Fills), 1u);
  EXPECT_EQ(s.count(Table::Positions), 1u);
  EXPECT_EQ(s.count(Table::Groups), 1u);
  std::string v;
  ASSERT_TRUE(s.get_meta("note", v));
  EXPECT_EQ(v, "kept");
  JournalRecord r;
  ASSERT_TRUE(s.get_journal(1, 4, Stage::Tracker, 0, r));
  EXPECT_EQ(r.type, JournalType::Fill);
  EXPECT_EQ(std::memcmp(&r, &recs[6], sizeof r), 0);
}

TEST_F(StoreTest, BeginRunStartsAtOneAndIncrementsAcrossReopen) {
  {
    Store s(options(dir_));
    EXPECT_EQ(s.begin_run("first"), 1u);
    EXPECT_EQ(s.begin_run("second"), 2u);
  }
  Store s(options(dir_));
  EXPECT_EQ(s.begin_run("third, after reopen"), 3u);
  std::string v;
  ASSERT_TRUE(s.get_meta("run/1/description", v));
  EXPECT_EQ(v, "first");
  ASSERT_TRUE(s.get_meta("run/3/description", v));
  EXPECT_EQ(v, "third, after reopen");
  EXPECT_EQ(s.get_counter("next_run_id"), 4u);
}

TEST_F(StoreTest, DurableDurabilityWritesAndReopens) {
  {
    Store s(options(dir_, Durability::Durable));
    const uint32_t run = s.begin_run("durable");
    std::vector<JournalRecord> batch;
    for (uint64_t i = 1; i <= 200; ++i) batch.push_back(signal(i, static_cast<int64_t>(i)));
    for (int b = 0; b < 5; ++b) s.write_batch(run, std::span(batch).subspan(static_cast<std::size_t>(b) * 40, 40));
    s.sync();
  }
  Store s(options(dir_, Durability::Durable));
  EXPECT_EQ(s.count(Table::Journal), 200u);
}

// ------------------------------------------------------------------ effects per record type

TEST_F(StoreTest, OrderSentCreatesPendingNewOrder) {
  Store s(options(dir_));
  s.write_batch(3, std::vector{order_sent(10, 5'000, 42, 17000, 2)});
  OrderRow o{};
  ASSERT_TRUE(s.get_order(ClientOrderId(42), o));
  EXPECT_EQ(o.run_id, 3u);
  EXPECT_EQ(o.state, OrderState::PendingNew);
  EXPECT_EQ(o.sent_time, TimeNs(5'000));
  EXPECT_EQ(o.update_time, TimeNs(5'000));
  EXPECT_EQ(o.limit, Price(17000));
  EXPECT_EQ(o.qty, Qty(2));
  EXPECT_EQ(o.leaves_qty, Qty(2));
  EXPECT_EQ(o.cum_qty, Qty(0));
  EXPECT_EQ(o.position, PositionId(142));
  EXPECT_EQ(o.purpose, OrderPurpose::Entry);
  EXPECT_EQ(o.side, Side::Buy);
  EXPECT_EQ(o.tif, Tif::Fok);
  EXPECT_EQ(s.count(Table::Journal), 1u);
}

TEST_F(StoreTest, CancelRequestIsJournalOnly) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{order_sent(10, 5'000, 42, 17000, 2, OrderAction::Cancel)});
  OrderRow o{};
  EXPECT_FALSE(s.get_order(ClientOrderId(42), o));
  EXPECT_EQ(s.count(Table::Orders), 0u);
  EXPECT_EQ(s.count(Table::Journal), 1u);
}

TEST_F(StoreTest, RiskRejectCreatesRejectedOrderWithReason) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{risk_reject(7, 7'000, 55, RejectReason::MaxPosition)});
  OrderRow o{};
  ASSERT_TRUE(s.get_order(ClientOrderId(55), o));
  EXPECT_EQ(o.state, OrderState::Rejected);
  EXPECT_EQ(o.reason, RejectReason::MaxPosition);
  EXPECT_EQ(o.purpose, OrderPurpose::ExitChase);
  EXPECT_EQ(o.chase_n, 2);
  EXPECT_EQ(o.flags, kExecRiskReject);
  EXPECT_EQ(o.leaves_qty, Qty(0));
}

TEST_F(StoreTest, OrderUpdateAdvancesTheOrder) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{order_sent(1, 1'000, 42, 17000, 2)});
  s.write_batch(1, std::vector{order_update(2, 2'000, 42, 9'000'001, OrderState::New, 2, 0, 0)});
  s.write_batch(1, std::vector{order_update(3, 3'000, 42, 0, OrderState::Filled, 2, 2, 1'700'050)});
  OrderRow o{};
  ASSERT_TRUE(s.get_order(ClientOrderId(42), o));
  EXPECT_EQ(o.state, OrderState::Filled);
  EXPECT_EQ(o.venue_id, VenueOrderId(9'000'001)) << "a report without the venue id keeps the known one";
  EXPECT_EQ(o.cum_qty, Qty(2));
  EXPECT_EQ(o.leaves_qty, Qty(0));
  EXPECT_EQ(o.avg_px_x100, Price(1'700'050));
  EXPECT_EQ(o.sent_time, TimeNs(1'000));
  EXPECT_EQ(o.update_time, TimeNs(3'000));
  EXPECT_EQ(o.purpose, OrderPurpose::Entry);
  EXPECT_EQ(s.count(Table::Orders), 1u);
}

TEST_F(StoreTest, OrderUpdateForUnknownOrderCreatesTheRow) {
  Store s(options(dir_));
  s.write_batch(2, std::vector{order_update(2, 2'000, 99, 9'000'005, OrderState::Cancelled, 1, 0, 0)});
  OrderRow o{};
  ASSERT_TRUE(s.get_order(ClientOrderId(99), o));
  EXPECT_EQ(o.run_id, 2u);
  EXPECT_EQ(o.state, OrderState::Cancelled);
  EXPECT_EQ(o.venue_id, VenueOrderId(9'000'005));
  EXPECT_EQ(o.sent_time, TimeNs(0));
  EXPECT_EQ(static_cast<int>(o.purpose), 0);
}

TEST_F(StoreTest, OrderRowDoesNotDependOnWhichRingWasDrainedFirst) {
  // The gateway's OrderSent and the tracker's reports travel on different rings; the
  // persister may commit the reports first. Both orders must give the same row.
  const auto sent = order_sent(1, 1'000, 42, 17000, 2);
  const auto ack = order_update(2, 2'000, 42, 9'000'001, OrderState::New, 2, 0, 0);
  const auto done = order_update(3, 3'000, 42, 0, OrderState::Filled, 2, 2, 1'700'050);
  Store a(options(tmp_.sub("a")));
  a.write_batch(1, std::vector{sent});
  a.write_batch(1, std::vector{ack, done});
  Store b(options(tmp_.sub("b")));
  b.write_batch(1, std::vector{ack, done});
  b.write_batch(1, std::vector{sent});
  OrderRow ra{}, rb{};
  ASSERT_TRUE(a.get_order(ClientOrderId(42), ra));
  ASSERT_TRUE(b.get_order(ClientOrderId(42), rb));
  EXPECT_EQ(std::memcmp(&ra, &rb, sizeof ra), 0);
  EXPECT_EQ(rb.state, OrderState::Filled);
  EXPECT_EQ(rb.sent_time, TimeNs(1'000));
  EXPECT_EQ(rb.position, PositionId(142));
}

TEST_F(StoreTest, SecondSendWithTheSameClientIdDoesNotResetTheOrder) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{order_sent(1, 1'000, 42, 17000, 2),
                               order_update(2, 2'000, 42, 9'000'001, OrderState::New, 2, 0, 0)});
  s.write_batch(1, std::vector{order_sent(3, 3'000, 42, 17005, 2)});
  OrderRow o{};
  ASSERT_TRUE(s.get_order(ClientOrderId(42), o));
  EXPECT_EQ(o.state, OrderState::New);
  EXPECT_EQ(o.sent_time, TimeNs(1'000));
  EXPECT_EQ(s.count(Table::Journal), 3u) << "the second send is still journaled";
}

TEST_F(StoreTest, FillWritesOnlyTheFillsTable) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{fill(4, 4'000, 42, 1, 17001, 1, 1), fill(5, 5'000, 42, 2, 17003, 1, 2)});
  EXPECT_EQ(s.count(Table::Fills), 2u);
  EXPECT_EQ(s.count(Table::Orders), 0u);
  FillRow f{};
  ASSERT_TRUE(s.get_fill(ClientOrderId(42), 2, f));
  EXPECT_EQ(f.run_id, 1u);
  EXPECT_EQ(f.fill_no, 2u);
  EXPECT_EQ(f.px, Price(17003));
  EXPECT_EQ(f.qty, Qty(1));
  EXPECT_EQ(f.cum_qty, Qty(2));
  EXPECT_EQ(f.time, TimeNs(5'000));
  EXPECT_EQ(f.side, Side::Sell);
  EXPECT_EQ(f.open_close, OpenClose::Close);
  EXPECT_EQ(f.flags, kExecLate);
  EXPECT_FALSE(s.get_fill(ClientOrderId(42), 3, f));
}

TEST_F(StoreTest, UnknownReportIsJournaledAndCounted) {
  Store s(options(dir_));
  EXPECT_EQ(s.get_counter("unknown_reports"), 0u);
  s.write_batch(1, std::vector{exec(5, 5'000, JournalType::UnknownReport, 1),
                               exec(6, 6'000, JournalType::UnknownReport, 2)});
  EXPECT_EQ(s.get_counter("unknown_reports"), 2u);
  EXPECT_EQ(s.count(Table::Journal), 2u);
  EXPECT_EQ(s.count(Table::Orders), 0u);
  EXPECT_EQ(s.count(Table::Fills), 0u);
}

TEST_F(StoreTest, PositionIsUpsertedWholeWithUpdateTime) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{position(4, 4'000, 111, PositionState::Active, 17020)});
  s.write_batch(1, std::vector{position(9, 9'000, 111, PositionState::Closed, 17040)});
  EXPECT_EQ(s.count(Table::Positions), 1u);
  PositionRow p{};
  ASSERT_TRUE(s.get_position(PositionId(111), p));
  EXPECT_EQ(p.update_time, TimeNs(9'000));
  EXPECT_EQ(p.pos.state, PositionState::Closed);
  EXPECT_EQ(p.pos.peak, Price(17040));
  EXPECT_EQ(p.pos.exit_px, Price(17030));
  EXPECT_EQ(p.pos.exit_reason, ExitReason::TrailingStop);
  EXPECT_EQ(p.pos.flags, kPosTrailingActive | kPosExitInFlight);
}

TEST_F(StoreTest, GroupIsUpsertedByDayAndId) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{group(1, 1'000, 20240102, 1, GroupEvent::Created, 0),
                               group(1, 1'000, 20240102, 2, GroupEvent::Created, 0, 1),
                               group(1, 1'000, 20240103, 1, GroupEvent::Created, 0, 2)});
  s.write_batch(1, std::vector{group(8, 8'000, 20240102, 1, GroupEvent::Completed, 3)});
  EXPECT_EQ(s.count(Table::Groups), 3u);
  GroupRow g{};
  ASSERT_TRUE(s.get_group(TradingDay(20240102), 1, g));
  EXPECT_EQ(g.group.event, GroupEvent::Completed);
  EXPECT_EQ(g.group.filled, Qty(3));
  EXPECT_FALSE(s.get_group(TradingDay(20240104), 1, g));
}

TEST_F(StoreTest, SignalChaseAndExecReportAreJournalOnly) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{signal(1, 1'000), chase(2, 2'000), exec(3, 3'000, JournalType::ExecReport, 1)});
  EXPECT_EQ(s.count(Table::Journal), 3u);
  for (Table t : {Table::Orders, Table::Fills, Table::Positions, Table::Groups}) EXPECT_EQ(s.count(t), 0u);
  EXPECT_EQ(s.get_counter("unknown_reports"), 0u);
}

// ------------------------------------------------------------------ journal keys and idempotency

TEST_F(StoreTest, JournalIsOrderedByRunSeqStageSubWhateverTheWriteOrder) {
  Store s(options(dir_));
  // Two rings' worth of records, interleaved the way a persister might drain them.
  s.write_batch(2, std::vector{signal(5, 5, 0), signal(6, 6, 0)});
  s.write_batch(2, std::vector{order_update(3, 3, 1, 1, OrderState::New, 1, 0, 0),
                               order_update(7, 7, 1, 1, OrderState::Filled, 1, 1, 100)});
  s.write_batch(1, std::vector{signal(9, 9, 0)});  // an older run written later
  std::vector<std::tuple<uint32_t, uint64_t, Stage>> seen;
  s.for_each_journal(0, [&](uint32_t run, const JournalRecord& r) { seen.emplace_back(run, r.seq, r.stage); });
  const std::vector<std::tuple<uint32_t, uint64_t, Stage>> want = {
      {1, 9, Stage::Risk}, {2, 3, Stage::Tracker}, {2, 5, Stage::Risk}, {2, 6, Stage::Risk}, {2, 7, Stage::Tracker}};
  EXPECT_EQ(seen, want);
  seen.clear();
  s.for_each_journal(2, [&](uint32_t run, const JournalRecord& r) { seen.emplace_back(run, r.seq, r.stage); });
  EXPECT_EQ(seen.size(), 4u);
  JournalRecord r;
  EXPECT_TRUE(s.get_journal(2, 3, Stage::Tracker, 0, r));
  EXPECT_FALSE(s.get_journal(2, 3, Stage::Risk, 0, r));
}

TEST_F(StoreTest, WritingTheSameBatchTwiceIsIdempotent) {
  Store s(options(dir_));
  const auto recs = sample_run();
  s.write_batch(1, recs);
  std::string before;
  for (Table t : {Table::Journal, Table::Orders, Table::Fills, Table::Positions, Table::Groups, Table::Meta}) {
    before += dump_string(s, t, false);
  }
  // A later update, then the whole first batch again (a retry after a crash).
  s.write_batch(1, std::vector{order_update(20, 20'000, 11, 0, OrderState::Filled, 2, 2, 1'700'100)});
  s.write_batch(1, recs);
  s.write_batch(1, recs);
  OrderRow o{};
  ASSERT_TRUE(s.get_order(ClientOrderId(11), o));
  EXPECT_EQ(o.update_time, TimeNs(20'000)) << "an old record written again must not roll the row back";
  EXPECT_EQ(s.get_counter("unknown_reports"), 1u);
  EXPECT_EQ(s.count(Table::Journal), recs.size() + 1);

  Store fresh(options(tmp_.sub("fresh")));
  fresh.write_batch(1, recs);
  fresh.write_batch(1, recs);
  std::string again;
  for (Table t : {Table::Journal, Table::Orders, Table::Fills, Table::Positions, Table::Groups, Table::Meta}) {
    again += dump_string(fresh, t, false);
  }
  EXPECT_EQ(before, again);
}

TEST_F(StoreTest, GarbageInUnusedRecordBytesIsNotStored) {
  Store s(options(dir_));
  JournalRecord a = fill(4, 4'000, 42, 1, 17001, 1, 1);
  JournalRecord b = a;
  auto* tail = reinterpret_cast<unsigned char*>(&b.u) + offsetof(JrFill, flags) + 1;
  std::memset(tail, 0xAB, sizeof(b.u) - (offsetof(JrFill, flags) + 1));
  b.pad_ = 7;
  s.write_batch(1, std::vector{b});
  s.write_batch(1, std::vector{a});  // same record, clean bytes: a duplicate, not a conflict
  JournalRecord r;
  ASSERT_TRUE(s.get_journal(1, 4, Stage::Tracker, 0, r));
  EXPECT_EQ(std::memcmp(&r, &a, sizeof r), 0);
  EXPECT_EQ(s.count(Table::Journal), 1u);
}

TEST_F(StoreTest, DifferentRecordUnderAnExistingKeyThrowsKeyExistAndRollsBack) {
  Store s(options(dir_));
  s.write_batch(1, std::vector{signal(5, 5'000), signal(6, 6'000)});
  JournalRecord other = signal(5, 5'000);
  other.u.signal.lots = Qty(9);
  EXPECT_TRUE(throws_storage([&] { s.write_batch(1, std::vector{signal(7, 7'000), other}); }, MDB_KEYEXIST,
                             {"seq 5", "different record", "begin_run"}));
  EXPECT_EQ(s.count(Table::Journal), 2u) << "the whole batch was rolled back";
  s.write_batch(1, std::vector{signal(7, 7'000)});  // the store is still usable
  EXPECT_EQ(s.count(Table::Journal), 3u);
}

TEST_F(StoreTest, EmptyBatchDoesNothing) {
  Store s(options(dir_));
  s.write_batch(1, std::span<const JournalRecord>());
  EXPECT_EQ(s.count(Table::Journal), 0u);
}

// ------------------------------------------------------------------ group floor, meta

TEST_F(StoreTest, GroupFloorIsTheHighestIdPerDayAscending) {
  Store s(options(dir_));
  EXPECT_TRUE(s.group_floor().empty());
  s.write_batch(1, std::vector{group(1, 1, 20240103, 2, GroupEvent::Created, 0),
                               group(1, 1, 20240103, 1, GroupEvent::Created, 0, 1),
                               group(2, 2, 20240102, 3, GroupEvent::Created, 0),
                               group(3, 3, 20240103, 300, GroupEvent::Created, 0)});
  const auto floor = s.group_floor();
  ASSERT_EQ(floor.size(), 2u);
  EXPECT_EQ(floor[0], std::make_pair(TradingDay(20240102), uint32_t{3}));
  EXPECT_EQ(floor[1], std::make_pair(TradingDay(20240103), uint32_t{300}));
}

TEST_F(StoreTest, GroupIdsPast16BitsKeepTheirOwnRows) {
  // 16-bit ids wrapped at 65,536 and overwrote group 0 / 1 (issue: group ids past 65,535).
  Store s(options(dir_));
  s.write_batch(1, std::vector{group(1, 1, 20240102, 1, GroupEvent::Created, 0),
                               group(2, 2, 20240102, 65537, GroupEvent::Created, 0),
                               group(3, 3, 20240102, 4'000'000'000u, GroupEvent::Created, 0)});
  EXPECT_EQ(s.count(Table::Groups), 3u);
  GroupRow g;
  ASSERT_TRUE(s.get_group(TradingDay(20240102), 1, g));
  EXPECT_EQ(g.group.group_id, 1u);
  ASSERT_TRUE(s.get_group(TradingDay(20240102), 65537, g));
  EXPECT_EQ(g.group.group_id, 65537u);
  const auto floor = s.group_floor();
  ASSERT_EQ(floor.size(), 1u);
  EXPECT_EQ(floor[0].second, 4'000'000'000u);
}

TEST_F(StoreTest, MetaRoundTripsAndReportsAbsentKeys) {
  Store s(options(dir_));
  std::string v = "untouched";
  EXPECT_FALSE(s.get_meta("missing", v));
  EXPECT_EQ(v, "untouched");
  s.put_meta("k", "v1");
  s.put_meta("k", "v2");
  ASSERT_TRUE(s.get_meta("k", v));
  EXPECT_EQ(v, "v2");
  s.put_meta("empty", "");
  ASSERT_TRUE(s.get_meta("empty", v));
  EXPECT_EQ(v, "");
}

TEST_F(StoreTest, BadMetaKeysThrowEinval) {
  Store s(options(dir_));
  std::string v;
  EXPECT_TRUE(throws_storage([&] { s.put_meta("", "x"); }, EINVAL, {"meta key"}));
  EXPECT_TRUE(throws_storage([&] { (void)s.get_meta(std::string(512, 'k'), v); }, EINVAL));
  EXPECT_TRUE(throws_storage([&] { (void)s.get_counter(""); }, EINVAL));
}

TEST_F(StoreTest, NonNumericCounterThrowsIncompatible) {
  Store s(options(dir_));
  s.put_meta("next_run_id", "twelve");
  EXPECT_TRUE(throws_storage([&] { (void)s.begin_run("x"); }, MDB_INCOMPATIBLE, {"next_run_id"}));
  EXPECT_TRUE(throws_storage([&] { (void)s.get_counter("next_run_id"); }, MDB_INCOMPATIBLE));
  s.put_meta("next_run_id", "4294967296");
  EXPECT_TRUE(throws_storage([&] { (void)s.begin_run("x"); }, MDB_INCOMPATIBLE, {"2^32"}));
}

// ------------------------------------------------------------------ errors at open

TEST_F(StoreTest, ReadOnlyOpenOfMissingDirectoryThrowsEnoent) {
  StoreOptions o = options(tmp_.sub("nowhere"));
  o.read_only = true;
  EXPECT_TRUE(throws_storage([&] { Store s(o); }, ENOENT, {"read-only", "nowhere", "does not exist"}));
  EXPECT_FALSE(std::filesystem::exists(tmp_.sub("nowhere"))) << "read-only never creates";
}

TEST_F(StoreTest, ReadOnlyOpenOfEmptyDirectoryThrowsEnoent) {
  std::filesystem::create_directory(dir_);
  StoreOptions o = options(dir_);
  o.read_only = true;
  EXPECT_TRUE(throws_storage([&] { Store s(o); }, ENOENT));
}

TEST_F(StoreTest, ReadOnlyStoreReadsButRefusesWrites) {
  {
    Store w(options(dir_));
    w.write_batch(w.begin_run("r"), sample_run());
  }
  StoreOptions o = options(dir_);
  o.read_only = true;
  Store s(o);
  EXPECT_TRUE(s.read_only());
  EXPECT_EQ(s.count(Table::Journal), sample_run().size());
  EXPECT_FALSE(dump_string(s, Table::Orders, false).empty());
  const auto recs = sample_run();
  EXPECT_TRUE(throws_storage([&] { s.write_batch(1, recs); }, EACCES, {"read-only"}));
  EXPECT_TRUE(throws_storage([&] { (void)s.begin_run("x"); }, EACCES));
  EXPECT_TRUE(throws_storage([&] { s.put_meta("a", "b"); }, EACCES));
  EXPECT_TRUE(throws_storage([&] { s.sync(); }, EACCES));
  EXPECT_TRUE(throws_storage([&] { s.set_map_size(1 << 20); }, EACCES));
}

TEST_F(StoreTest, PathThatIsAFileThrows) {
  { std::ofstream(tmp_.sub("file")) << "x"; }
  EXPECT_TRUE(throws_storage([&] { Store s(options(tmp_.sub("file"))); }, ENOTDIR, {"not a directory"}));
  StoreOptions o = options(tmp_.sub("file"));
  o.read_only = true;
  EXPECT_TRUE(throws_storage([&] { Store s(o); }, ENOTDIR));
  // A directory below a file cannot be created.
  try {
    Store s(options(tmp_.sub("file/db")));
    ADD_FAILURE() << "no exception";
  } catch (const StorageError& e) {
    EXPECT_TRUE(e.code() == ENOTDIR || e.code() == EEXIST) << e.what();
  }
}

TEST_F(StoreTest, GarbageDataFileThrowsInvalid) {
  std::filesystem::create_directory(dir_);
  {
    std::ofstream f(dir_ + "/data.mdb", std::ios::binary);
    const std::string junk(16384, 'j');
    f << junk;
  }
  EXPECT_TRUE(throws_storage([&] { Store s(options(dir_)); }, MDB_INVALID, {"not an LMDB environment"}));
}

TEST_F(StoreTest, BadOptionsThrowEinval) {
  EXPECT_TRUE(throws_storage([&] { Store s(options("")); }, EINVAL, {"empty directory"}));
  StoreOptions o = options(dir_);
  o.map_size_mb = 0;
  EXPECT_TRUE(throws_storage([&] { Store s(o); }, EINVAL, {"map size"}));
}

TEST_F(StoreTest, DifferentSchemaThrowsIncompatible) {
  {
    Store s(options(dir_));
    s.put_meta("schema", "tickpipe/0 order=12");
  }
  EXPECT_TRUE(throws_storage([&] { Store s(options(dir_)); }, MDB_INCOMPATIBLE, {"tickpipe/0", "new directory"}));
}

TEST_F(StoreTest, ReadOnlyOpenOfForeignEnvironmentThrowsNotFound) {
  // An LMDB environment without our tables.
  std::filesystem::create_directory(dir_);
  MDB_env* env = nullptr;
  ASSERT_EQ(mdb_env_create(&env), 0);
  ASSERT_EQ(mdb_env_open(env, dir_.c_str(), 0, 0644), 0);
  mdb_env_close(env);
  StoreOptions o = options(dir_);
  o.read_only = true;
  EXPECT_TRUE(throws_storage([&] { Store s(o); }, MDB_NOTFOUND, {"table journal", "not a tickpipe database"}));
}

TEST_F(StoreTest, RowOfTheWrongSizeThrowsIncompatible) {
  { Store s(options(dir_)); }
  {  // plant a 3-byte orders row for client id 1 behind the Store's back
    MDB_env* env = nullptr;
    ASSERT_EQ(mdb_env_create(&env), 0);
    ASSERT_EQ(mdb_env_set_maxdbs(env, 8), 0);
    ASSERT_EQ(mdb_env_open(env, dir_.c_str(), 0, 0644), 0);
    MDB_txn* txn = nullptr;
    ASSERT_EQ(mdb_txn_begin(env, nullptr, 0, &txn), 0);
    MDB_dbi dbi;
    ASSERT_EQ(mdb_dbi_open(txn, "orders", 0, &dbi), 0);
    unsigned char key[8] = {0, 0, 0, 0, 0, 0, 0, 1};
    char val[3] = {1, 2, 3};
    MDB_val k{8, key}, v{3, val};
    ASSERT_EQ(mdb_put(txn, dbi, &k, &v, 0), 0);
    ASSERT_EQ(mdb_txn_commit(txn), 0);
    mdb_env_close(env);
  }
  Store s(options(dir_));
  OrderRow o{};
  EXPECT_TRUE(throws_storage([&] { (void)s.get_order(ClientOrderId(1), o); }, MDB_INCOMPATIBLE, {"3 bytes"}));
  EXPECT_TRUE(throws_storage([&] { s.write_batch(1, std::vector{order_sent(1, 1, 1, 1, 1)}); }, MDB_INCOMPATIBLE));
  std::ostringstream os;
  EXPECT_TRUE(throws_storage([&] { s.dump(Table::Orders, false, os); }, MDB_INCOMPATIBLE));
}

// ------------------------------------------------------------------ map full

TEST_F(StoreTest, MapFullThrowsWithAdviceAndKeepsEarlierBatches) {
  StoreOptions o = options(dir_);
  o.map_size_mb = 1;
  Store s(o);
  std::vector<JournalRecord> batch(512);
  uint64_t seq = 1;
  uint64_t written = 0;
  bool full = false;
  for (int b = 0; b < 100 && !full; ++b) {
    for (auto& r : batch) r = signal(seq++, 1);
    try {
      s.write_batch(1, batch);
      written += batch.size();
    } catch (const StorageError& e) {
      full = true;
      EXPECT_EQ(e.code(), MDB_MAP_FULL) << e.what();
      EXPECT_NE(std::string(e.what()).find("map_size_mb"), std::string::npos) << e.what();
      EXPECT_NE(std::string(e.what()).find(dir_), std::string::npos) << e.what();
    }
  }
  ASSERT_TRUE(full) << "a 1 MiB map must fill up";
  EXPECT_GT(written, 0u);
  EXPECT_EQ(s.count(Table::Journal), written) << "committed batches are intact, the failed one is gone";
  // Growing the map lets the same batch through.
  s.set_map_size(int64_t{16} << 20);
  s.write_batch(1, batch);
  EXPECT_EQ(s.count(Table::Journal), written + batch.size());
  EXPECT_TRUE(throws_storage([&] { s.set_map_size(0); }, EINVAL));
}

TEST_F(StoreTest, MapSizeInBytesOverridesMegabytes) {
  StoreOptions o = options(dir_);
  o.map_size_mb = 1024;
  o.map_size_bytes = 256 * 1024;
  Store s(o);
  std::vector<JournalRecord> batch;
  for (uint64_t i = 1; i <= 4096; ++i) batch.push_back(signal(i, 1));
  EXPECT_TRUE(throws_storage([&] { s.write_batch(1, batch); }, MDB_MAP_FULL));
}

// ------------------------------------------------------------------ threads

TEST_F(StoreTest, ReadersOnOtherThreadsSeeCommittedBatches) {
  Store s(options(dir_));
  std::atomic<bool> done{false};
  std::atomic<uint64_t> max_seen{0};
  std::thread reader([&] {
    uint64_t last = 0;
    while (!done.load(std::memory_order_acquire)) {
      const uint64_t n = s.count(Table::Journal);
      EXPECT_GE(n, last) << "counts never go back";
      last = n;
      std::ostringstream os;
      s.dump(Table::Groups, true, os);
      std::this_thread::yield();
    }
    max_seen.store(last);
  });
  uint64_t seq = 1;
  for (int b = 0; b < 50; ++b) {
    std::vector<JournalRecord> batch;
    for (int i = 0; i < 100; ++i, ++seq) batch.push_back(group(seq, 1, 20240102, static_cast<uint32_t>(seq), GroupEvent::Created, 0));
    s.write_batch(1, batch);
  }
  done.store(true, std::memory_order_release);
  reader.join();
  EXPECT_EQ(s.count(Table::Journal), 5000u);
  EXPECT_LE(max_seen.load(), 5000u);
}

// ------------------------------------------------------------------ names and messages

TEST(StorageNames, TablesRoundTrip) {
  for (Table t : {Table::Journal, Table::Orders, Table::Fills, Table::Positions, Table::Groups, Table::Meta}) {
    Table back = Table::Meta;
    ASSERT_TRUE(parse_table(to_string(t), back));
    EXPECT_EQ(back, t);
  }
  Table t = Table::Orders;
  EXPECT_FALSE(parse_table("order", t));
  EXPECT_FALSE(parse_table("", t));
  EXPECT_EQ(t, Table::Orders);
}

TEST(StorageError, MessageNamesOperationCauseAndAdvice) {
  const StorageError e("write_batch [/db]", MDB_MAP_FULL);
  EXPECT_EQ(e.code(), MDB_MAP_FULL);
  const std::string m = e.what();
  EXPECT_EQ(m.rfind("write_batch [/db]: ", 0), 0u) << m;
  EXPECT_NE(m.find("MDB_MAP_FULL"), std::string::npos) << m;
  EXPECT_NE(m.find("raise persist.map_size_mb"), std::string::npos) << m;
  const StorageError c("op", ENOSPC, "custom advice");
  EXPECT_NE(std::string(c.what()).find("custom advice"), std::string::npos);
  const StorageError plain("op", 12345);
  EXPECT_EQ(std::string(plain.what()).find(" - "), std::string::npos) << plain.what();
}

}  // namespace
}  // namespace tp::storage
