// Round-trip latency of tp::SpscRing against its peers (SPEC §8, STYLE §10):
// moodycamel::ReaderWriterQueue, boost::lockfree::spsc_queue and tp::MutexQueue (the
// seeds' mutex + condition variable), in one run.
//
// Ping-pong over two queues of the same kind: the ping thread (pinned to the first CPU
// this process may use) stamps the time, sends message i on queue A and waits for it to
// come back on queue B; the echo thread (pinned to the second CPU) takes it from A and
// sends it back on B. Each round trip is checked (the sequence number and the sum of the
// message's words) and recorded in a tp::LatencyHistogram (1/64 resolution), after a
// warm-up that is not recorded. Waiting sides spin with `pause` (tp::detail::cpu_relax);
// the "MutexQueue cv" row blocks in pop_wait/push_wait on the condition variable as the
// seeds did, the "MutexQueue spin" row spins on try_pop. Every kind runs once per
// repetition, kinds interleaved (so drift hits all alike); the table shows, per kind,
// the median over the repetitions of each percentile, and the ratio to SpscRing's.
//
// Usage: ring_latency [--round-trips=N] [--blocking-round-trips=N] [--warmup=N] [--reps=N]
//                     [--bytes=8,64,128] [--kinds=substring] [--no-pin]
// Defaults: 100000 round trips (20000 for the blocking MutexQueue cv row, whose round
// trips cost ~100x more; its warm-up is at most a tenth of that), warm-up 10000, 5 reps,
// all three sizes. --kinds keeps only the kinds whose name contains the string (the
// ratio columns print 0.00 when it leaves out "SpscRing try_push/try_pop").
// Timer: the TSC (rdtsc), calibrated against steady_clock at start-up (x86-64);
// steady_clock elsewhere. Times include one timer read per round trip.
#include <pthread.h>
#include <sched.h>

#include <algorithm>
#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <memory>
#include <readerwriterqueue/readerwriterqueue.h>
#include <string>
#include <thread>
#include <vector>

#if defined(__x86_64__) || defined(__i386__)
#include <x86intrin.h>
#define TP_BENCH_HAVE_TSC 1
#endif

#include "tp/engine/latency_histogram.hpp"
#include "tp/ring/mutex_queue.hpp"
#include "tp/ring/spsc_ring.hpp"

namespace {

constexpr std::size_t kCapacity = 4096;
constexpr std::uint64_t kStop = ~std::uint64_t{0};

template <std::size_t kBytes>
struct alignas(kBytes >= 64 ? 64 : 8) Msg {
  static constexpr std::size_t kWords = kBytes / 8;
  std::uint64_t w[kWords];
};

template <class M>
inline void fill(M& m, std::uint64_t seq) noexcept {
  for (std::size_t i = 0; i < M::kWords; ++i) m.w[i] = seq + i;
}
template <class M>
inline bool intact(const M& m, std::uint64_t seq) noexcept {
  std::uint64_t sum = 0;
  for (std::size_t i = 0; i < M::kWords; ++i) sum += m.w[i];
  return m.w[0] == seq && sum == M::kWords * seq + M::kWords * (M::kWords - 1) / 2;
}

// ------------------------------------------------------------------- timer

class Clock {
 public:
  Clock() {
#if defined(TP_BENCH_HAVE_TSC)
    using namespace std::chrono;
    const auto t0 = steady_clock::now();
    const std::uint64_t c0 = __rdtsc();
    while (steady_clock::now() - t0 < milliseconds(200)) {
    }
    const auto t1 = steady_clock::now();
    const std::uint64_t c1 = __rdtsc();
    ns_per_tick_ = static_cast<double>(duration_cast<nanoseconds>(t1 - t0).count()) / static_cast<double>(c1 - c0);
#endif
  }
  [[nodiscard]] static std::uint64_t now() noexcept {
#if defined(TP_BENCH_HAVE_TSC)
    return __rdtsc();
#else
    return static_cast<std::uint64_t>(std::chrono::steady_clock::now().time_since_epoch().count());
#endif
  }
  [[nodiscard]] std::int64_t to_ns(std::uint64_t ticks) const noexcept {
    return static_cast<std::int64_t>(static_cast<double>(ticks) * ns_per_tick_ + 0.5);
  }
  [[nodiscard]] std::string describe() const {
#if defined(TP_BENCH_HAVE_TSC)
    char buf[64];
    std::snprintf(buf, sizeof buf, "rdtsc, %.3f GHz", 1.0 / ns_per_tick_);
    return buf;
#else
    return "steady_clock";
#endif
  }

 private:
  double ns_per_tick_ = 1.0;
};

// ------------------------------------------------------------------- pinning

std::vector<int> g_cpus;  // the two CPUs to pin ping and echo to; empty = no pinning

void choose_cpus(bool pin) {
  if (!pin) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return;
  for (int c = 0; c < CPU_SETSIZE && g_cpus.size() < 2; ++c) {
    if (CPU_ISSET(c, &set)) g_cpus.push_back(c);
  }
  if (g_cpus.size() < 2) g_cpus.clear();
}

void pin_self(std::size_t which) {
  if (g_cpus.empty()) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(g_cpus[which], &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// ------------------------------------------------------------------- queue kinds
// Each kind: send() waits while full, recv() waits while empty; forward() is the echo
// (take from this queue, put on `out`).

template <class M>
struct RingCopy {
  static constexpr const char* kName = "SpscRing try_push/try_pop";
  tp::SpscRing<M> q{kCapacity};
  void send(const M& m) noexcept {
    while (!q.try_push(m)) tp::detail::cpu_relax();
  }
  void recv(M& m) noexcept {
    while (!q.try_pop(m)) tp::detail::cpu_relax();
  }
  std::uint64_t forward(RingCopy& out) noexcept {
    M m;
    recv(m);
    out.send(m);
    return m.w[0];
  }
};

template <class M>
struct RingZeroCopy {
  static constexpr const char* kName = "SpscRing claim/commit, front/pop";
  tp::SpscRing<M> q{kCapacity};
  void send(const M& m) noexcept {
    M* s;
    while ((s = q.try_claim()) == nullptr) tp::detail::cpu_relax();
    *s = m;
    q.commit();
  }
  void recv(M& m) noexcept {
    const M* p;
    while ((p = q.front()) == nullptr) tp::detail::cpu_relax();
    m = *p;
    q.pop();
  }
  std::uint64_t forward(RingZeroCopy& out) noexcept {
    const M* p;
    while ((p = q.front()) == nullptr) tp::detail::cpu_relax();
    M* s;
    while ((s = out.q.try_claim()) == nullptr) tp::detail::cpu_relax();
    *s = *p;  // straight from one ring's slot into the other's
    const std::uint64_t seq = p->w[0];
    out.q.commit();  // the reply first: it is what the ping side waits for
    q.pop();
    return seq;
  }
};

template <class M>
struct Rwq {
  static constexpr const char* kName = "moodycamel::ReaderWriterQueue";
  moodycamel::ReaderWriterQueue<M> q{kCapacity};
  void send(const M& m) noexcept {
    while (!q.try_enqueue(m)) tp::detail::cpu_relax();
  }
  void recv(M& m) noexcept {
    while (!q.try_dequeue(m)) tp::detail::cpu_relax();
  }
  std::uint64_t forward(Rwq& out) noexcept {
    M m;
    recv(m);
    out.send(m);
    return m.w[0];
  }
};

template <class M>
struct BoostRt {
  static constexpr const char* kName = "boost::lockfree::spsc_queue";
  boost::lockfree::spsc_queue<M> q{kCapacity};
  void send(const M& m) noexcept {
    while (!q.push(m)) tp::detail::cpu_relax();
  }
  void recv(M& m) noexcept {
    while (!q.pop(m)) tp::detail::cpu_relax();
  }
  std::uint64_t forward(BoostRt& out) noexcept {
    M m;
    recv(m);
    out.send(m);
    return m.w[0];
  }
};

template <class M>
struct BoostCt {
  static constexpr const char* kName = "boost spsc_queue capacity<4096>";
  boost::lockfree::spsc_queue<M, boost::lockfree::capacity<kCapacity>> q;
  void send(const M& m) noexcept {
    while (!q.push(m)) tp::detail::cpu_relax();
  }
  void recv(M& m) noexcept {
    while (!q.pop(m)) tp::detail::cpu_relax();
  }
  std::uint64_t forward(BoostCt& out) noexcept {
    M m;
    recv(m);
    out.send(m);
    return m.w[0];
  }
};

template <class M>
struct MutexSpin {
  static constexpr const char* kName = "MutexQueue spin (try_pop)";
  tp::MutexQueue<M> q{kCapacity};
  void send(const M& m) {
    while (!q.try_push(m)) tp::detail::cpu_relax();
  }
  void recv(M& m) {
    while (!q.try_pop(m)) tp::detail::cpu_relax();
  }
  std::uint64_t forward(MutexSpin& out) {
    M m;
    recv(m);
    out.send(m);
    return m.w[0];
  }
};

template <class M>
struct MutexCv {
  static constexpr const char* kName = "MutexQueue cv (pop_wait; seeds)";
  static constexpr bool kBlocking = true;  // ~100x slower per round trip: fewer of them
  tp::MutexQueue<M> q{kCapacity};
  void send(const M& m) { q.push_wait(m); }
  void recv(M& m) { q.pop_wait(m); }
  std::uint64_t forward(MutexCv& out) {
    M m;
    q.pop_wait(m);
    out.q.push_wait(m);
    return m.w[0];
  }
};

// ------------------------------------------------------------------- the harness

struct Options {
  std::uint64_t round_trips = 100'000;
  std::uint64_t warmup = 10'000;
  std::uint64_t blocking_round_trips = 20'000;  // for kinds that sleep in the kernel
  int reps = 5;
  std::vector<int> bytes{8, 64, 128};
  std::string kinds;  // only kinds whose name contains this
  bool pin = true;
};

struct Percentiles {
  std::int64_t p50 = 0, p99 = 0, p999 = 0, max = 0;
};

struct Row {
  std::string name;
  std::uint64_t round_trips = 0;
  std::vector<Percentiles> reps;
  bool ok = true;
};

// One ping-pong run of `Kind`: returns the histogram of the recorded round trips.
struct alignas(tp::kFalseSharingRange) Flag {
  std::atomic<bool> value{false};
};

template <class Kind>
constexpr bool is_blocking() {
  if constexpr (requires { Kind::kBlocking; }) {
    return Kind::kBlocking;
  } else {
    return false;
  }
}

template <class Kind, class M>
bool ping_pong(std::uint64_t round_trips, std::uint64_t warmup, const Clock& clock, tp::LatencyHistogram& hist) {
  // Both queues on the heap; the echo thread gets plain pointers by value, so neither
  // thread reads a line of the other's stack frame during the run.
  auto a = std::make_unique<Kind>();  // ping -> echo
  auto b = std::make_unique<Kind>();  // echo -> ping
  auto ready = std::make_unique<Flag>();
  std::thread echo([in = a.get(), out = b.get(), flag = ready.get()] {
    pin_self(1);
    flag->value.store(true, std::memory_order_release);
    while (in->forward(*out) != kStop) {
    }
  });
  pin_self(0);
  while (!ready->value.load(std::memory_order_acquire)) tp::detail::cpu_relax();

  bool ok = true;
  M m;
  M r;
  const std::uint64_t total = warmup + round_trips;
  for (std::uint64_t i = 0; i < total; ++i) {
    fill(m, i);
    const std::uint64_t t0 = Clock::now();
    a->send(m);
    b->recv(r);
    const std::uint64_t t1 = Clock::now();
    ok &= intact(r, i);
    if (i >= warmup) hist.record(clock.to_ns(t1 - t0));
  }
  fill(m, kStop);
  a->send(m);
  b->recv(r);
  echo.join();
  return ok;
}

template <class Kind, class M>
void measure(Row& row, const Options& opt, const Clock& clock) {
  row.name = Kind::kName;
  row.round_trips = is_blocking<Kind>() ? std::min(opt.round_trips, opt.blocking_round_trips) : opt.round_trips;
  const std::uint64_t warmup = is_blocking<Kind>() ? std::min(opt.warmup, row.round_trips / 10) : opt.warmup;
  auto hist = std::make_unique<tp::LatencyHistogram>();
  row.ok &= ping_pong<Kind, M>(row.round_trips, warmup, clock, *hist);
  Percentiles p;
  p.p50 = hist->percentile(0.50);
  p.p99 = hist->percentile(0.99);
  p.p999 = hist->percentile(0.999);
  p.max = hist->max();
  row.reps.push_back(p);
}

std::int64_t median_of(std::vector<std::int64_t> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

Percentiles median(const Row& row) {
  std::vector<std::int64_t> a, b, c, d;
  for (const Percentiles& p : row.reps) {
    a.push_back(p.p50);
    b.push_back(p.p99);
    c.push_back(p.p999);
    d.push_back(p.max);
  }
  return {median_of(a), median_of(b), median_of(c), median_of(d)};
}

bool wanted(const Options& opt, const char* name) {
  return opt.kinds.empty() || std::string(name).find(opt.kinds) != std::string::npos;
}

template <std::size_t kBytes>
bool run_size(const Options& opt, const Clock& clock) {
  using M = Msg<kBytes>;
  std::vector<Row> rows(7);
  for (int rep = 0; rep < opt.reps; ++rep) {
    // The ring first in every repetition; the order is the same in each.
    if (wanted(opt, RingCopy<M>::kName)) measure<RingCopy<M>, M>(rows[0], opt, clock);
    if (wanted(opt, RingZeroCopy<M>::kName)) measure<RingZeroCopy<M>, M>(rows[1], opt, clock);
    if (wanted(opt, Rwq<M>::kName)) measure<Rwq<M>, M>(rows[2], opt, clock);
    if (wanted(opt, BoostRt<M>::kName)) measure<BoostRt<M>, M>(rows[3], opt, clock);
    if (wanted(opt, BoostCt<M>::kName)) measure<BoostCt<M>, M>(rows[4], opt, clock);
    if (wanted(opt, MutexSpin<M>::kName)) measure<MutexSpin<M>, M>(rows[5], opt, clock);
    if (wanted(opt, MutexCv<M>::kName)) measure<MutexCv<M>, M>(rows[6], opt, clock);
  }

  std::printf("\n%zu-byte messages: round-trip latency in ns, median of %d repetitions (warm-up %llu round trips)\n",
              kBytes, opt.reps, static_cast<unsigned long long>(opt.warmup));
  std::printf("%-34s %8s %8s %8s %9s %9s %9s %9s %10s\n", "queue", "trips", "p50", "p99", "p99.9", "max", "p50/ring", "p99/ring",
              "p99.9/ring");
  const Percentiles ring = rows[0].reps.empty() ? Percentiles{} : median(rows[0]);
  auto ratio = [](std::int64_t x, std::int64_t base) {
    return base > 0 ? static_cast<double>(x) / static_cast<double>(base) : 0.0;
  };
  bool ok = true;
  for (const Row& row : rows) {
    if (row.reps.empty()) continue;
    const Percentiles p = median(row);
    std::printf("%-34s %8llu %8lld %8lld %9lld %9lld %9.2f %9.2f %10.2f%s\n", row.name.c_str(),
                static_cast<unsigned long long>(row.round_trips),
                static_cast<long long>(p.p50), static_cast<long long>(p.p99), static_cast<long long>(p.p999),
                static_cast<long long>(p.max), ratio(p.p50, ring.p50), ratio(p.p99, ring.p99),
                ratio(p.p999, ring.p999), row.ok ? "" : "  LOST/CORRUPTED MESSAGES");
    ok &= row.ok;
  }
  return ok;
}

bool parse(int argc, char** argv, Options& opt) {
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto value = [&](const char* key) -> const char* {
      const std::size_t n = std::strlen(key);
      return a.compare(0, n, key) == 0 ? a.c_str() + n : nullptr;
    };
    if (const char* v = value("--round-trips=")) {
      opt.round_trips = std::strtoull(v, nullptr, 10);
    } else if (const char* w = value("--warmup=")) {
      opt.warmup = std::strtoull(w, nullptr, 10);
    } else if (const char* bl = value("--blocking-round-trips=")) {
      opt.blocking_round_trips = std::strtoull(bl, nullptr, 10);
    } else if (const char* r = value("--reps=")) {
      opt.reps = std::atoi(r);
    } else if (const char* k = value("--kinds=")) {
      opt.kinds = k;
    } else if (const char* b = value("--bytes=")) {
      opt.bytes.clear();
      for (const char* s = b; *s != '\0';) {
        char* end = nullptr;
        opt.bytes.push_back(static_cast<int>(std::strtol(s, &end, 10)));
        s = (*end == ',') ? end + 1 : end;
        if (end == s && *s != '\0') return false;
      }
    } else if (a == "--no-pin") {
      opt.pin = false;
    } else {
      return false;
    }
  }
  if (opt.round_trips == 0 || opt.reps < 1) return false;
  for (int b : opt.bytes) {
    if (b != 8 && b != 64 && b != 128) return false;
  }
  return true;
}

std::string cpu_model() {
  std::ifstream f("/proc/cpuinfo");
  std::string line;
  while (std::getline(f, line)) {
    if (line.rfind("model name", 0) == 0) {
      const std::size_t c = line.find(':');
      return c == std::string::npos ? line : line.substr(c + 2);
    }
  }
  return "unknown";
}

}  // namespace

int main(int argc, char** argv) {
  Options opt;
  if (!parse(argc, argv, opt)) {
    std::fprintf(stderr,
                 "usage: ring_latency [--round-trips=N] [--blocking-round-trips=N] [--warmup=N] [--reps=N] "
                 "[--bytes=8,64,128] "
                 "[--kinds=substring] [--no-pin]\n");
    return 2;
  }
  choose_cpus(opt.pin);
  const Clock clock;
  double load[3] = {0, 0, 0};
  (void)getloadavg(load, 3);
  std::printf("ring_latency: %s, %u CPUs; %s; queue capacity %zu; timer %s; load average %.2f %.2f %.2f\n",
              cpu_model().c_str(), std::thread::hardware_concurrency(),
              g_cpus.empty() ? "threads not pinned"
                             : ("ping on cpu " + std::to_string(g_cpus[0]) + ", echo on cpu " + std::to_string(g_cpus[1])).c_str(),
              kCapacity, clock.describe().c_str(), load[0], load[1], load[2]);
  bool ok = true;
  for (int b : opt.bytes) {
    if (b == 8) ok &= run_size<8>(opt, clock);
    if (b == 64) ok &= run_size<64>(opt, clock);
    if (b == 128) ok &= run_size<128>(opt, clock);
  }
  return ok ? 0 : 1;
}
