// Pipeline tick-to-order latency harness (issue #3 §2, SPEC §8).
//
// An injector thread plays the market-data adapter: it hands quotes to the feed at a
// fixed rate. Every quote makes the risk stage's logic send one IOC order; the gateway
// stamps when that order leaves and records (send time - the quote's SCHEDULED
// injection time) in a log-linear histogram. Measuring from the scheduled time, not
// from when the injector actually got to it, is the correction for coordinated
// omission (as wrk2 does): a stall that delays later quotes shows up in their latency
// instead of silently thinning the sample. The injector's own lateness is reported too.
//
// Compared in the same run, same stage code, same logic:
//   ring/<layout>      the engine: SpscRing between stages (fused = the 2-core default)
//   ring/fused+lmdb    the same with the LMDB persister draining the journal (the
//                      engine's default: normal priority, backoff idle, so it commits
//                      nearly every quote in a small transaction)
//   ring/fused+durable the same, live trading's persistence: fsync per commit and every
//                      input journaled (JournalType::Input, the restart's recovery log)
//   ring/fused+lmdb/linger       persister variant: sleeps 1 ms when the journal is
//                                empty (fewer, larger transactions)
//   ring/fused+lmdb/idle-linger  the same under SCHED_IDLE (AgentRunner::Sched::Background)
//   mutex/threads      the seeds' design: mutex + condition-variable queues, one
//                      blocking thread per stage
//
// Usage: pipeline_latency [--rate N/s] [--quotes N] [--warmup N] [--configs a,b,...]
//                         [--cpus 0,1] [--idle spin|yield|backoff|sleep] [--json FILE]
//                         [--check-ratio X]
// One-hot-thread layouts (fused, inline) busy-spin pinned to the last core by default
// (--idle changes it); layouts with more hot threads use backoff, which turns into
// yielding when they outnumber the cores.
// --check-ratio X: exit 1 unless mutex/threads p50 >= X * ring/fused p50 (a gross
// regression check judged by a ratio within the run, used by CI).
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <time.h>

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <optional>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tp/engine/pipeline/injected_feed.hpp"
#include "tp/storage/persister.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"

namespace {

using namespace tp;

/// Sends one IOC buy at the ask for every quote that carries a trade.
class PingLogic final : public TradingLogic {
 public:
  explicit PingLogic(uint32_t run) : run_(run) {}
  void on_market(const Event& ev, StrategySink& sink) override {
    if (!ev.u.md.has_trade() || !ev.u.md.has_ask()) return;
    OrderRequest o;
    o.client_id = ClientOrderId{(uint64_t{run_} << 32) | ++n_};
    o.side = Side::Buy;
    o.tif = Tif::Ioc;
    o.qty = Qty{1};
    o.limit = ev.u.md.ask;
    o.open_close = OpenClose::Open;
    (void)sink.submit(o);
  }
  void on_exec(const Event&, StrategySink&) override {}
  void on_end_of_data(const Event&, StrategySink&) override {}
  int open_lots() const override { return 0; }
  Ticks day_pnl() const override { return Ticks{0}; }

 private:
  uint32_t run_;
  uint64_t n_ = 0;
};

struct Options {
  double rate = 10'000;
  uint64_t quotes = 50'000;
  uint64_t warmup = 5'000;
  std::vector<std::string> configs = {"ring/fused", "ring/fused+lmdb", "ring/fused+durable", "ring/fused+lmdb/linger",
                                      "ring/fused+lmdb/idle-linger", "ring/inline", "ring/pairs",
                                      "ring/threads", "mutex/threads"};
  IdleKind idle = IdleKind::BusySpin;  ///< one-hot-thread layouts (fused, inline)
  std::vector<int> cpus;
  std::string json;
  double check_ratio = 0;
  int reps = 1;  ///< repetitions of the whole set, interleaved; the median is reported
};

struct Result {
  std::string name;
  int threads = 0;
  LatencyHistogram latency;
  LatencyHistogram injector_late;
  uint64_t orders = 0;
  double seconds = 0;
};

Config harness_config() {
  Config c = default_config();
  c.risk.max_orders_per_sec = 0;  // the harness sends an order per quote on purpose
  c.risk.max_position_lots = 0;
  c.risk.price_band_ticks = Ticks{0};
  return c;
}

void sleep_until_ns(int64_t t_ns) {
  timespec ts{static_cast<time_t>(t_ns / kNsPerSec), static_cast<long>(t_ns % kNsPerSec)};
  clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr);
}

/// Injects `total` quotes at `rate` per second; returns the injector's lateness.
template <class P>
LatencyHistogram inject(P& p, const Options& o, uint64_t total) {
  LatencyHistogram late;
  const int64_t interval = static_cast<int64_t>(1e9 / o.rate);
  const int64_t t0 = wall_now_ns() + 1'000'000;
  int64_t px = 17'000;
  uint32_t rng = 1;
  for (uint64_t k = 0; k < total; ++k) {
    const int64_t due = t0 + static_cast<int64_t>(k) * interval;
    int64_t now = wall_now_ns();
    // Sleep until shortly before the due time, then spin (pause) to it: the injector's
    // own lateness is counted as latency, so it has to be small.
    if (due - now > 80'000) sleep_until_ns(due - 80'000);
    while ((now = wall_now_ns()) < due) tp::detail::cpu_relax();
    rng = rng * 1664525u + 1013904223u;
    px += static_cast<int64_t>(rng >> 31) * 2 - 1;
    InboundQuote q;
    q.md.bid = Price{px - 1};
    q.md.ask = Price{px};
    q.md.bid_qty = Qty{5};
    q.md.ask_qty = Qty{5};
    q.md.last = Price{px};
    q.md.last_qty = Qty{1};
    q.md.flags = kMdHasBid | kMdHasAsk | kMdHasTrade;
    q.md.session = Session::Day;
    q.md.quote_time = TimeNs{due};
    q.event_time = TimeNs{due};
    q.ingress_ns = due;  // scheduled time: coordinated-omission correction
    while (!p.feed().try_inject(q)) std::this_thread::yield();
    late.record(wall_now_ns() - due);
  }
  return late;
}

/// How the journal thread runs, for the persister variants (defaults = the engine's).
struct JournalVariant {
  AgentRunner::Sched sched = AgentRunner::Sched::Normal;
  std::optional<IdleConfig> idle;
  bool durable = false;  ///< fsync per commit (live trading's sync policy)
  bool inputs = false;   ///< the tracker journals every input (live mode's recovery log)
};

template <template <class> class Q>
Result run_config(const std::string& name, Layout layout, bool lmdb, const Options& o, JournalVariant jv = {}) {
  Config cfg = harness_config();
  PingLogic logic(1);
  PipelineOptions lo;
  lo.layout = layout;
  lo.cpus = o.cpus;
  lo.order_ring = 1024;
  lo.persister_sched = jv.sched;
  if (jv.idle) lo.persister_idle = *jv.idle;
  lo.journal_inputs = jv.inputs;
  if (hot_threads(layout) == 1) {
    // One hot thread: it may busy-spin, pinned to the last core; the injector, the
    // persister and the OS keep the other one.
    lo.idle.kind = o.idle;
    const int last = static_cast<int>(std::thread::hardware_concurrency()) - 1;
    if (lo.cpus.empty() && last > 0) lo.cpus = {last};
    // The injector and the persister share the other core (the first one that is not
    // the hot thread's).
    if (!lo.cpus.empty() && last > 0) lo.persister_cpu = lo.cpus[0] == 0 ? 1 : 0;
  }
  const int side_cpu = !lo.cpus.empty() && lo.cpus[0] == 0 ? 1 : 0;
  const auto pipeline = make_live_pipeline<Q>(cfg, logic, lo);
  LivePipelineT<Q>& p = *pipeline;
  p.gateway().skip_latency_samples(o.warmup);

  // Declared in this order so that the persister, then the store, then the directory go.
  std::unique_ptr<storage::TempDir> dir;
  std::unique_ptr<storage::Store> store;
  std::unique_ptr<storage::Persister> pers;
  if constexpr (std::is_same_v<Q<int>, SpscRing<int>>) {
    if (lmdb) {
      dir = std::make_unique<storage::TempDir>("tp-latency");
      storage::StoreOptions so;
      so.dir = dir->path();
      so.sync = jv.durable ? storage::Durability::Durable : storage::Durability::NoSync;
      store = std::make_unique<storage::Store>(so);
      pers = std::make_unique<storage::Persister>(*store, 1, p.journal_rings(), 512, p.journal_done_seq());
    }
  }
  const uint64_t total = o.warmup + o.quotes;
  p.start(pers.get());
  const int64_t t_start = wall_now_ns();
  Result r;
  r.name = name;
  r.threads = p.threads_used() + 1;  // + injector
  // The injector (the market-data adapter) stays off the hot thread's core for this run;
  // its own affinity is restored afterwards, so that the next configuration's pin checks
  // (which read the calling thread's affinity) see every CPU again.
  cpu_set_t injector_cpus;
  CPU_ZERO(&injector_cpus);
  pthread_getaffinity_np(pthread_self(), sizeof(injector_cpus), &injector_cpus);
  {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(side_cpu, &set);
    pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
  }
  r.injector_late = inject(p, o, total);
  const int64_t deadline = wall_now_ns() + 30 * kNsPerSec;
  while (p.orders_sent() < total && wall_now_ns() < deadline) {
    std::this_thread::sleep_for(std::chrono::microseconds(100));
  }
  r.seconds = static_cast<double>(wall_now_ns() - t_start) / 1e9;
  p.stop();
  pthread_setaffinity_np(pthread_self(), sizeof(injector_cpus), &injector_cpus);
  r.orders = p.orders_sent();
  r.latency = p.gateway().latency();
  if (r.orders != total) {
    std::fprintf(stderr, "%s: only %" PRIu64 " of %" PRIu64 " orders left the gateway\n", name.c_str(), r.orders,
                 total);
  }
  return r;
}

Result run_named(const std::string& name, const Options& o) {
  if (name == "ring/fused") return run_config<SpscRing>(name, Layout::Fused, false, o);
  if (name == "ring/fused+lmdb") return run_config<SpscRing>(name, Layout::Fused, true, o);
  if (name == "ring/fused+durable") {
    return run_config<SpscRing>(name, Layout::Fused, true, o, {AgentRunner::Sched::Normal, std::nullopt, true, false});
  }
  if (name == "ring/fused+inputs") {
    return run_config<SpscRing>(name, Layout::Fused, true, o, {AgentRunner::Sched::Normal, std::nullopt, false, true});
  }
  if (name == "ring/fused+live") {
    return run_config<SpscRing>(name, Layout::Fused, true, o, {AgentRunner::Sched::Normal, std::nullopt, true, true});
  }
  IdleConfig linger;
  linger.kind = IdleKind::Sleep;
  linger.sleep_ns = 1'000'000;
  if (name == "ring/fused+durable/linger") {
    return run_config<SpscRing>(name, Layout::Fused, true, o, {AgentRunner::Sched::Normal, linger, true, true});
  }
  if (name == "ring/fused+lmdb/linger") {
    return run_config<SpscRing>(name, Layout::Fused, true, o, {AgentRunner::Sched::Normal, linger});
  }
  if (name == "ring/fused+lmdb/idle-linger") {
    return run_config<SpscRing>(name, Layout::Fused, true, o, {AgentRunner::Sched::Background, linger});
  }
  if (name == "ring/inline") return run_config<SpscRing>(name, Layout::Inline, false, o);
  if (name == "ring/pairs") return run_config<SpscRing>(name, Layout::Pairs, false, o);
  if (name == "ring/threads") return run_config<SpscRing>(name, Layout::Threads, false, o);
  if (name == "mutex/threads") return run_config<MutexQueue>(name, Layout::Threads, false, o);
  throw std::invalid_argument("unknown config " + name);
}

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string x;
  while (std::getline(ss, x, ',')) {
    if (!x.empty()) v.push_back(x);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--rate") o.rate = std::stod(next());
    else if (a == "--quotes") o.quotes = std::stoull(next());
    else if (a == "--warmup") o.warmup = std::stoull(next());
    else if (a == "--configs") o.configs = split(next());
    else if (a == "--cpus") {
      for (auto& c : split(next())) {
        char* end = nullptr;
        const long cpu = std::strtol(c.c_str(), &end, 10);
        const bool number = !c.empty() && *end == '\0' && cpu >= 0 && cpu <= 1'000'000;
        const std::string why =
            !number ? "'" + c + "' is not a CPU number" : cpu_pin_problem(static_cast<int>(cpu));
        if (!why.empty()) {
          std::fprintf(stderr, "--cpus: %s\n", why.c_str());
          return 2;
        }
        o.cpus.push_back(static_cast<int>(cpu));
      }
    }
    else if (a == "--json") o.json = next();
    else if (a == "--idle") {
      if (!parse_idle_kind(next(), o.idle)) return 2;
    }
    else if (a == "--check-ratio") o.check_ratio = std::stod(next());
    else if (a == "--reps") o.reps = std::stoi(next());
    else {
      std::fprintf(stderr, "usage: %s [--rate N] [--quotes N] [--warmup N] [--configs a,b] [--cpus 0,1] "
                   "[--idle K] [--json FILE] [--check-ratio X]\n", argv[0]);
      return 2;
    }
  }
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  std::printf("tick-to-order latency: %.0f quotes/s, %" PRIu64 " measured after %" PRIu64
              " warm-up, %u cores, from the scheduled injection time (CO-corrected)\n",
              o.rate, o.quotes, o.warmup, std::thread::hardware_concurrency());
  std::printf("%-18s %7s %9s %9s %9s %9s %9s %9s   %s\n", "config", "threads", "p50_ns", "p90_ns", "p99_ns",
              "p99.9_ns", "max_ns", "orders", "injector late p50/p99 ns");
  // Each repetition runs every configuration once (interleaved, so that slow drifts of
  // a shared VM hit all of them alike); the summary is the median over repetitions.
  struct Summary {
    std::string name;
    int threads = 0;
    std::vector<int64_t> p[5];  // p50 p90 p99 p99.9 max per repetition
    uint64_t orders_short = 0;  // repetitions that lost orders (must stay 0)
    /// The q-quantile (nearest rank) of percentile k over the repetitions.
    int64_t over_reps(int k, double q) const {
      std::vector<int64_t> v = p[k];
      if (v.empty()) return 0;
      std::sort(v.begin(), v.end());
      return v[static_cast<std::size_t>(q * static_cast<double>(v.size() - 1) + 0.5)];
    }
    int64_t med(int k) const { return over_reps(k, 0.5); }
  };
  std::vector<Summary> sums(o.configs.size());
  static constexpr double kQ[4] = {0.5, 0.9, 0.99, 0.999};
  for (int rep = 1; rep <= o.reps; ++rep) {
    for (std::size_t c = 0; c < o.configs.size(); ++c) {
      Result r = run_named(o.configs[c], o);
      Summary& sm = sums[c];
      sm.name = r.name;
      sm.threads = r.threads;
      for (int k = 0; k < 4; ++k) sm.p[k].push_back(r.latency.percentile(kQ[k]));
      sm.p[4].push_back(r.latency.max());
      if (r.orders != o.warmup + o.quotes) ++sm.orders_short;
      std::printf("%-18s %7d %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRIu64
                  "   %" PRId64 "/%" PRId64 "%s\n",
                  r.name.c_str(), r.threads, r.latency.percentile(0.5), r.latency.percentile(0.9),
                  r.latency.percentile(0.99), r.latency.percentile(0.999), r.latency.max(), r.orders,
                  r.injector_late.percentile(0.5), r.injector_late.percentile(0.99),
                  o.reps > 1 ? ("   (rep " + std::to_string(rep) + ")").c_str() : "");
      std::fflush(stdout);
    }
  }
  if (o.reps > 1) {
    std::printf("median of %d repetitions:\n", o.reps);
    for (const Summary& sm : sums) {
      std::printf("%-18s %7d %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 "\n", sm.name.c_str(),
                  sm.threads, sm.med(0), sm.med(1), sm.med(2), sm.med(3), sm.med(4));
    }
    // On a shared VM the p99 of one repetition swings 10x with the host's load; the
    // spread over repetitions shows it (Q1 = the quieter quarter of the run).
    std::printf("p99 over the %d repetitions (ns): min / Q1 / median / Q3 / max\n", o.reps);
    for (const Summary& sm : sums) {
      std::printf("%-22s %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 "\n", sm.name.c_str(),
                  sm.over_reps(2, 0), sm.over_reps(2, 0.25), sm.over_reps(2, 0.5), sm.over_reps(2, 0.75),
                  sm.over_reps(2, 1));
    }
  }
  const Summary* ring = nullptr;
  const Summary* mutex = nullptr;
  const Summary* lmdb = nullptr;
  const Summary* durable = nullptr;
  int rc = 0;
  for (const Summary& sm : sums) {
    if (sm.name == "ring/fused") ring = &sm;
    if (sm.name == "mutex/threads") mutex = &sm;
    if (sm.name == "ring/fused+lmdb") lmdb = &sm;
    if (sm.name == "ring/fused+durable") durable = &sm;
    if (sm.orders_short) rc = 1;
  }
  auto ratio = [](int64_t a, int64_t b) { return static_cast<double>(a) / static_cast<double>(std::max<int64_t>(1, b)); };
  if (ring && lmdb) {
    std::printf("persister on/off (ring/fused+lmdb : ring/fused)  p50 %.2fx  p99 median %.2fx  p99 Q1 %.2fx\n",
                ratio(lmdb->med(0), ring->med(0)), ratio(lmdb->med(2), ring->med(2)),
                ratio(lmdb->over_reps(2, 0.25), ring->over_reps(2, 0.25)));
  }
  if (ring && durable) {
    std::printf("durable persister, inputs journaled (ring/fused+durable : ring/fused)  p50 %.2fx  p99 median %.2fx  "
                "p99 Q1 %.2fx\n",
                ratio(durable->med(0), ring->med(0)), ratio(durable->med(2), ring->med(2)),
                ratio(durable->over_reps(2, 0.25), ring->over_reps(2, 0.25)));
  }
  if (ring && mutex) {
    const double r50 = ratio(mutex->med(0), ring->med(0));
    const double r99 = ratio(mutex->med(2), ring->med(2));
    std::printf("ratio mutex/threads : ring/fused  p50 %.1fx  p99 %.1fx\n", r50, r99);
    if (o.check_ratio > 0 && r50 < o.check_ratio) {
      std::printf("REGRESSION: ring/fused p50 is not %.1fx below the mutex pipeline\n", o.check_ratio);
      rc = 1;
    }
  }
  if (!o.json.empty()) {
    std::ofstream f(o.json);
    f << "{\"rate\":" << o.rate << ",\"quotes\":" << o.quotes << ",\"reps\":" << o.reps << ",\"results\":[";
    for (std::size_t i = 0; i < sums.size(); ++i) {
      const Summary& sm = sums[i];
      f << (i ? "," : "") << "{\"config\":\"" << sm.name << "\",\"threads\":" << sm.threads
        << ",\"p50\":" << sm.med(0) << ",\"p90\":" << sm.med(1) << ",\"p99\":" << sm.med(2)
        << ",\"p999\":" << sm.med(3) << ",\"max\":" << sm.med(4) << ",\"p99_q1\":" << sm.over_reps(2, 0.25)
        << ",\"p99_q3\":" << sm.over_reps(2, 0.75) << "}";
    }
    f << "]}\n";
  }
  return rc;
}
