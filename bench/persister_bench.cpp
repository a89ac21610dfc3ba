// Persister throughput (SPEC §8 "Persister records/s"; issue #3 §4): journal records per
// second from the three journal rings into LMDB through tp::storage::Persister, for
// batch sizes 1, 16, 128, 512, 4096 and both sync policies.
//
//   BM_PersisterNoSync/batch:N    MDB_NOSYNC (replay's default): commits reach the page
//                                 cache; nothing is fsynced
//   BM_PersisterDurable/batch:N   an fsync per write transaction (live trading)
//
// The records are the pipeline's mix, in the pipeline's key order: a stream of one-lot
// round trips, each 26 events and 36 records - entry: risk Position + gateway OrderSent;
// ack: tracker ExecReport + OrderUpdate; fill: tracker ExecReport + OrderUpdate + Fill +
// risk Position; 20 market events each moving the lot's stop (risk Position); exit
// trigger: risk Position + gateway OrderSent (close); exit ack and exit fill as above.
// Per round trip: 24 Position, 4 ExecReport, 4 OrderUpdate, 2 Fill, 2 OrderSent (67%
// Position; the real 2021-07-26 day journals 74% Position). Every order has its own client
// id (a new orders row, two fills rows); every lot its own position id (24 upserts).
//
// One iteration = the producer side pushes 4096 records (a multiple of every batch size)
// into the rings - tracker, risk and gateway ring, as each stage would - then the
// persister drains them (do_work() until all are committed). Both run on the benchmark
// thread, so the figure is what the persister sustains, not a two-thread handoff; the
// push is a 128-byte copy per record, well under 1% of the cost. The store is a fresh
// LMDB under /tmp per benchmark run (removed afterwards); it grows across iterations as
// a day's journal would. Counter records/s (kIsRate, real time: an fsync blocks without
// using CPU). Validated after the loop: committed == pushed == Store::count(journal),
// every transaction as large as the batch size, no failed commit.
#include <benchmark/benchmark.h>
#include <stdlib.h>

#include <array>
#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "tp/engine/journal.hpp"
#include "tp/engine/pipeline/stages.hpp"
#include "tp/storage/persister.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"

namespace {

constexpr std::size_t kRecordsPerIteration = 4096;

/// The producing side: an endless stream of one-lot round trips (see the top of the
/// file), pushed into the ring of the stage that journals each record.
class RecordStream {
 public:
  explicit RecordStream(uint32_t run_id) : run_id_(run_id) {}

  /// Pushes the next `n` records of the stream. Returns false if a ring was full.
  bool push(std::size_t n, tp::JournalRing& tracker, tp::JournalRing& risk, tp::JournalRing& gateway) {
    for (std::size_t i = 0; i < n; ++i) {
      if (step_ == kSteps) next_round_trip();
      tp::JournalRecord r;
      const Step& s = kPlan[static_cast<std::size_t>(step_++)];
      fill(r, s);
      tp::JournalRing& ring = s.stage == tp::Stage::Tracker ? tracker : s.stage == tp::Stage::Risk ? risk : gateway;
      if (!ring.try_push(r)) return false;
    }
    return true;
  }

 private:
  enum class Leg : uint8_t { Entry, Exit };
  struct Step {
    uint16_t event;  ///< event index within the round trip (0..25)
    tp::Stage stage;
    tp::JournalType type;
    Leg leg;
    uint8_t sub;
    uint8_t pos_state;  ///< Position: tp::PositionState
  };
  static constexpr int kSteps = 36;
  static constexpr int kEvents = 26;
  static constexpr std::array<Step, kSteps> kPlan = [] {
    using tp::JournalType;
    using tp::Stage;
    constexpr auto kPending = static_cast<uint8_t>(tp::PositionState::PendingEntry);
    constexpr auto kActive = static_cast<uint8_t>(tp::PositionState::Active);
    constexpr auto kClosing = static_cast<uint8_t>(tp::PositionState::PendingClosing);
    constexpr auto kClosed = static_cast<uint8_t>(tp::PositionState::Closed);
    std::array<Step, kSteps> p{};
    std::size_t k = 0;
    auto add = [&](uint16_t ev, Stage st, JournalType t, Leg leg, uint8_t sub, uint8_t ps = 0) {
      p[k++] = Step{ev, st, t, leg, sub, ps};
    };
    // entry signal, ack, fill
    add(0, Stage::Risk, JournalType::Position, Leg::Entry, 0, kPending);
    add(0, Stage::Gateway, JournalType::OrderSent, Leg::Entry, 0);
    add(1, Stage::Tracker, JournalType::ExecReport, Leg::Entry, 0);
    add(1, Stage::Tracker, JournalType::OrderUpdate, Leg::Entry, 1);
    add(2, Stage::Tracker, JournalType::ExecReport, Leg::Entry, 0);
    add(2, Stage::Tracker, JournalType::OrderUpdate, Leg::Entry, 1);
    add(2, Stage::Tracker, JournalType::Fill, Leg::Entry, 2);
    add(2, Stage::Risk, JournalType::Position, Leg::Entry, 0, kActive);
    // the stop follows the market
    for (uint16_t e = 3; e < 23; ++e) add(e, Stage::Risk, JournalType::Position, Leg::Entry, 0, kActive);
    // exit trigger, ack, fill
    add(23, Stage::Risk, JournalType::Position, Leg::Exit, 0, kClosing);
    add(23, Stage::Gateway, JournalType::OrderSent, Leg::Exit, 0);
    add(24, Stage::Tracker, JournalType::ExecReport, Leg::Exit, 0);
    add(24, Stage::Tracker, JournalType::OrderUpdate, Leg::Exit, 1);
    add(25, Stage::Tracker, JournalType::ExecReport, Leg::Exit, 0);
    add(25, Stage::Tracker, JournalType::OrderUpdate, Leg::Exit, 1);
    add(25, Stage::Tracker, JournalType::Fill, Leg::Exit, 2);
    add(25, Stage::Risk, JournalType::Position, Leg::Exit, 0, kClosed);
    return p;
  }();

  void next_round_trip() {
    step_ = 0;
    ++trip_;
    base_seq_ += kEvents;
  }

  void fill(tp::JournalRecord& r, const Step& s) const {
    const uint64_t n = trip_ + 1;
    const tp::ClientOrderId cid{(uint64_t{run_id_} << 32) | (2 * n - (s.leg == Leg::Entry ? 1 : 0))};
    const tp::VenueOrderId vid{9'000'000 + 2 * n - (s.leg == Leg::Entry ? 1 : 0)};
    const tp::PositionId pid{(uint64_t{run_id_} << 32) | n};
    const tp::Side side = s.leg == Leg::Entry ? tp::Side::Buy : tp::Side::Sell;
    const tp::OpenClose oc = s.leg == Leg::Entry ? tp::OpenClose::Open : tp::OpenClose::Close;
    const tp::Price entry_px{17'452};
    const tp::Price px{s.leg == Leg::Entry ? 17'452 : 17'480};
    r.seq = base_seq_ + s.event;
    r.event_time = tp::TimeNs{1'627'260'420'000'000'000 + static_cast<int64_t>(r.seq) * 50'000'000};
    r.stage = s.stage;
    r.sub = s.sub;
    r.type = s.type;
    switch (s.type) {
      case tp::JournalType::OrderSent:
        r.u.order = tp::JrOrder{cid, tp::VenueOrderId{}, pid, px, tp::Qty{1}, tp::OrderAction::New, side,
                                tp::Tif::Fok, oc, s.leg == Leg::Entry ? tp::OrderPurpose::Entry : tp::OrderPurpose::Exit,
                                0, tp::RejectReason::None};
        break;
      case tp::JournalType::ExecReport: {
        tp::ExecReport& er = r.u.exec;
        const bool fill = s.event == 2 || s.event == 25;
        er.client_id = cid;
        er.venue_id = vid;
        er.limit_price = px;
        er.last_px = fill ? px : tp::Price{};
        er.order_qty = tp::Qty{1};
        er.last_qty = tp::Qty{fill ? 1 : 0};
        er.cum_qty = tp::Qty{fill ? 1 : 0};
        er.leaves_qty = tp::Qty{fill ? 0 : 1};
        er.type = fill ? tp::ExecType::Trade : tp::ExecType::New;
        er.side = side;
        er.open_close = oc;
        er.tif = tp::Tif::Fok;
        break;
      }
      case tp::JournalType::OrderUpdate: {
        const bool fill = s.event == 2 || s.event == 25;
        r.u.order_update = tp::JrOrderUpdate{cid, vid, px, tp::Price{fill ? px.ticks * 100 : 0}, tp::Qty{1},
                                             tp::Qty{fill ? 1 : 0}, tp::Qty{fill ? 0 : 1},
                                             fill ? tp::OrderState::Filled : tp::OrderState::New, side, oc,
                                             tp::Tif::Fok, tp::RejectReason::None, 0};
        break;
      }
      case tp::JournalType::Fill:
        r.u.fill = tp::JrFill{cid, vid, px, tp::Qty{1}, tp::Qty{1}, 1, side, oc, 0};
        break;
      case tp::JournalType::Position: {
        tp::JrPosition& p = r.u.position;
        p.id = pid;
        p.entry_time = tp::TimeNs{1'627'260'420'000'000'000 + static_cast<int64_t>(base_seq_ + 2) * 50'000'000};
        p.entry_px = s.pos_state == static_cast<uint8_t>(tp::PositionState::PendingEntry) ? tp::Price{} : entry_px;
        p.entry_ref = entry_px;
        p.peak = tp::Price{entry_px.ticks + s.event};
        p.stop = tp::Price{entry_px.ticks - 27 + s.event};
        p.day = tp::TradingDay{20210726};
        p.group = static_cast<uint16_t>(n);
        p.rule = static_cast<uint8_t>(1 + n % 3);
        p.side = tp::PosSide::Long;
        p.state = static_cast<tp::PositionState>(s.pos_state);
        if (p.state == tp::PositionState::Closed) {
          p.exit_time = r.event_time;
          p.exit_px = px;
          p.exit_ref = px;
          p.exit_reason = tp::ExitReason::TrailingStop;
        }
        p.flags = s.event >= 10 ? tp::kPosTrailingActive : 0;
        break;
      }
      default:
        break;
    }
  }

  uint32_t run_id_;
  uint64_t trip_ = 0;
  uint64_t base_seq_ = 1;
  int step_ = 0;
};


void run_persister(benchmark::State& state, tp::storage::Durability sync) {
  const int batch = static_cast<int>(state.range(0));
  tp::storage::TempDir dir("tp-persister-bench");
  uint64_t pushed = 0;
  uint64_t committed = 0, stored = 0, batches = 0, max_batch = 0, failed = 0;
  {
    tp::storage::StoreOptions so;
    so.dir = dir.path();
    so.sync = sync;
    so.map_size_mb = 8192;  // sparse; a NoSync run writes a few hundred MB at most
    tp::storage::Store store(so);
    const uint32_t run_id = store.begin_run("persister bench");
    // Each ring can take a whole iteration's records (the tracker's share is the largest).
    tp::JournalRing tracker(kRecordsPerIteration), risk(kRecordsPerIteration), gateway(kRecordsPerIteration);
    tp::storage::Persister pers(store, run_id, {&tracker, &risk, &gateway}, batch);
    RecordStream stream(run_id);

    for (auto _ : state) {
      if (!stream.push(kRecordsPerIteration, tracker, risk, gateway)) {
        state.SkipWithError("a journal ring was full");
        break;
      }
      pushed += kRecordsPerIteration;
      while (pers.committed() < pushed) benchmark::DoNotOptimize(pers.do_work());
    }
    pers.on_close();
    committed = pers.committed();
    stored = store.count(tp::storage::Table::Journal);
    batches = pers.stats().batches;
    max_batch = pers.stats().max_batch;
    failed = pers.stats().failed_commits;
  }
  if (committed != pushed) state.SkipWithError("committed != records pushed");
  if (stored != pushed) state.SkipWithError("Store::count(journal) != records pushed");
  if (failed != 0) state.SkipWithError("a commit failed");
  if (pushed != 0 && (max_batch != static_cast<uint64_t>(batch) || batches * static_cast<uint64_t>(batch) != pushed)) {
    state.SkipWithError("a transaction was not batch-sized");
  }
  state.SetLabel(sync == tp::storage::Durability::Durable ? "Durable" : "NoSync");
  state.counters["records/s"] = benchmark::Counter(static_cast<double>(pushed), benchmark::Counter::kIsRate);
}

void BM_PersisterNoSync(benchmark::State& state) { run_persister(state, tp::storage::Durability::NoSync); }
void BM_PersisterDurable(benchmark::State& state) { run_persister(state, tp::storage::Durability::Durable); }

BENCHMARK(BM_PersisterNoSync)
    ->ArgName("batch")
    ->Arg(1)->Arg(16)->Arg(128)->Arg(512)->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();
BENCHMARK(BM_PersisterDurable)
    ->ArgName("batch")
    ->Arg(1)->Arg(16)->Arg(128)->Arg(512)->Arg(4096)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
