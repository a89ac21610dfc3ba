// Throughput of tp::SpscRing against its peers, in one binary and one run (SPEC §8,
// STYLE §10): moodycamel::ReaderWriterQueue, boost::lockfree::spsc_queue (runtime and
// compile-time capacity) and tp::MutexQueue (the seeds' mutex + condition-variable
// design), for 8-, 64- and 128-byte messages.
//
// Each benchmark is one producer (the benchmark thread) and one consumer (a thread the
// benchmark starts before its timed loop), pinned to the first two CPUs this process
// may run on (TP_BENCH_PIN=0 disables pinning). One loop iteration = one message pushed
// (the producer builds it: every 8-byte word is written); the last iteration also waits
// until the consumer has taken and checked every message, so the drain is timed too.
// The consumer checks every message in full (sequence number and the sum of all its
// words); any gap, reordering or torn message fails the benchmark after the loop.
//
// Same conditions for every queue: capacity 4096 messages (ReaderWriterQueue(4096)
// preallocates blocks for a little more; see bench/README.md), queues and buffers
// allocated and pre-faulted (one full fill + drain) before the timed loop, no
// allocation inside it, the same `pause` (tp::detail::cpu_relax) when a side finds the
// queue full or empty. Rows ending in Drain / ConsumeAll consume in batches (both
// queues offer it) and are labelled so; every other row moves one message per call.
//
// Counter msgs/s: messages per second of wall-clock time (kIsRate over real time).
#include <benchmark/benchmark.h>
#include <pthread.h>
#include <sched.h>

#include <atomic>
#include <boost/lockfree/spsc_queue.hpp>
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <readerwriterqueue/readerwriterqueue.h>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "tp/ring/mutex_queue.hpp"
#include "tp/ring/spsc_ring.hpp"

namespace {

constexpr std::size_t kCapacity = 4096;

// A message of kBytes bytes: kBytes / 8 words, cache-line aligned from 64 bytes up (like
// the engine's messages, DESIGN.md).
template <std::size_t kBytes>
struct alignas(kBytes >= 64 ? 64 : 8) Msg {
  static constexpr std::size_t kWords = kBytes / 8;
  std::uint64_t w[kWords];
};
static_assert(sizeof(Msg<8>) == 8 && sizeof(Msg<64>) == 64 && sizeof(Msg<128>) == 128);
static_assert(std::is_trivially_copyable_v<Msg<128>>);

// Message `seq`: word i holds seq + i.
template <class M>
inline void fill(M& m, std::uint64_t seq) noexcept {
  for (std::size_t i = 0; i < M::kWords; ++i) m.w[i] = seq + i;
}

// The consumer's check of every message: in order (w[0] == expected sequence) and whole
// (sum of all words as fill() wrote them).
template <class M>
struct Checker {
  std::uint64_t next = 0;  // sequence number expected next
  bool ok = true;
  void operator()(const M& m) noexcept {
    std::uint64_t sum = 0;
    for (std::size_t i = 0; i < M::kWords; ++i) sum += m.w[i];
    const std::uint64_t want = M::kWords * next + M::kWords * (M::kWords - 1) / 2;
    ok &= (m.w[0] == next) & (sum == want);
    ++next;
  }
};

// ------------------------------------------------------------------- pinning

std::vector<int> allowed_cpus() {
  std::vector<int> cpus;
  cpu_set_t set;
  CPU_ZERO(&set);
  if (sched_getaffinity(0, sizeof(set), &set) != 0) return cpus;
  for (int c = 0; c < CPU_SETSIZE; ++c) {
    if (CPU_ISSET(c, &set)) cpus.push_back(c);
  }
  return cpus;
}

const std::vector<int>& pin_cpus() {
  static const std::vector<int> cpus = [] {
    const char* env = std::getenv("TP_BENCH_PIN");
    if (env != nullptr && std::strcmp(env, "0") == 0) return std::vector<int>{};
    std::vector<int> c = allowed_cpus();
    if (c.size() < 2) return std::vector<int>{};
    c.resize(2);
    return c;
  }();
  return cpus;
}

void pin_self(int cpu) {
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
}

// Pins the benchmark (producer) thread for one benchmark run and restores its affinity.
class ScopedPin {
 public:
  explicit ScopedPin(int cpu) : active_(cpu >= 0) {
    if (!active_) return;
    CPU_ZERO(&saved_);
    active_ = pthread_getaffinity_np(pthread_self(), sizeof(saved_), &saved_) == 0;
    if (active_) pin_self(cpu);
  }
  ~ScopedPin() {
    if (active_) (void)pthread_setaffinity_np(pthread_self(), sizeof(saved_), &saved_);
  }
  ScopedPin(const ScopedPin&) = delete;
  ScopedPin& operator=(const ScopedPin&) = delete;

 private:
  bool active_;
  cpu_set_t saved_;
};

// ------------------------------------------------------------------- the driver

// What the consumer thread hands back, on lines of its own (nothing the producer writes
// during the run shares a line with anything the consumer reads, and vice versa).
template <class M>
struct alignas(tp::kFalseSharingRange) ConsumerResult {
  Checker<M> check;
  std::atomic<bool> done{false};
};

// Runs one throughput measurement. `produce(q, seq)` puts message `seq` into q (waiting
// while it is full); `consume(q, check)` takes zero or more messages, calls check(m) on
// each in order and returns how many it took (0 = the queue looked empty).
// Every queue lives on the heap (allocated by the caller before this runs), and the
// consumer thread gets everything it needs by value: a reference into the producer's
// stack frame would put a line that the producer writes on every message (its spilled
// locals) under the consumer's loads, i.e. false sharing that depends on the stack
// layout of each template instance.
template <class M, class Q, class Produce, class Consume>
void run_throughput(benchmark::State& state, Q& q, Produce produce, Consume consume) {
  const std::vector<int>& cpus = pin_cpus();
  ScopedPin pin(cpus.empty() ? -1 : cpus[0]);

  // Pre-fault and warm every slot: one full fill and drain, single-threaded.
  {
    Checker<M> warm;
    for (std::uint64_t s = 0; s < kCapacity; ++s) produce(q, s);
    while (warm.next < kCapacity) {
      if (consume(q, warm) == 0) break;
    }
    if (!warm.ok || warm.next != kCapacity) {
      state.SkipWithError("warm-up fill/drain lost or corrupted a message");
      for (auto _ : state) {
      }
      return;
    }
  }

  const auto total = static_cast<std::uint64_t>(state.max_iterations);
  auto result = std::make_unique<ConsumerResult<M>>();
  std::thread consumer([qp = &q, total, consume, res = result.get(), cpu = cpus.empty() ? -1 : cpus[1]]() mutable {
    if (cpu >= 0) pin_self(cpu);
    Checker<M> check;
    const std::uint64_t n = total;
    while (check.next < n) {
      if (consume(*qp, check) == 0) tp::detail::cpu_relax();
    }
    res->check = check;
    res->done.store(true, std::memory_order_release);
  });

  std::uint64_t seq = 0;
  const std::uint64_t last = total - 1;
  for (auto _ : state) {
    produce(q, seq);
    if (seq == last) {
      while (!result->done.load(std::memory_order_acquire)) tp::detail::cpu_relax();
    }
    ++seq;
  }
  consumer.join();

  benchmark::DoNotOptimize(result->check);
  if (seq != total || result->check.next != total) {
    state.SkipWithError("consumer did not receive every message");
  } else if (!result->check.ok) {
    state.SkipWithError("a message arrived out of order or corrupted");
  }
  state.counters["msgs/s"] = benchmark::Counter(static_cast<double>(seq), benchmark::Counter::kIsRate);
}

// ------------------------------------------------------------------- tp::SpscRing

// try_push(copy of a message built on the stack) / try_pop(copy out): one by one.
template <class M>
void BM_SpscRing_TryPushTryPop(benchmark::State& state) {
  auto q = std::make_unique<tp::SpscRing<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](tp::SpscRing<M>& r, std::uint64_t seq) {
        M m;
        fill(m, seq);
        while (!r.try_push(m)) tp::detail::cpu_relax();
      },
      [](tp::SpscRing<M>& r, Checker<M>& check) -> std::size_t {
        M m;
        if (!r.try_pop(m)) return 0;
        check(m);
        return 1;
      });
}

// Zero-copy: the producer builds the message in its slot (try_claim/commit), the
// consumer reads it in place (front/pop). One by one.
template <class M>
void BM_SpscRing_ClaimCommitFrontPop(benchmark::State& state) {
  auto q = std::make_unique<tp::SpscRing<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](tp::SpscRing<M>& r, std::uint64_t seq) {
        M* slot;
        while ((slot = r.try_claim()) == nullptr) tp::detail::cpu_relax();
        fill(*slot, seq);
        r.commit();
      },
      [](tp::SpscRing<M>& r, Checker<M>& check) -> std::size_t {
        const M* p = r.front();
        if (p == nullptr) return 0;
        check(*p);
        r.pop();
        return 1;
      });
}

// Batched consumer (clearly a different row): try_push one by one, drain() everything
// available, freeing it with one release store. Peer row: BoostSpscQueue_PushConsumeAll.
template <class M>
void BM_SpscRing_TryPushDrain(benchmark::State& state) {
  auto q = std::make_unique<tp::SpscRing<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](tp::SpscRing<M>& r, std::uint64_t seq) {
        M m;
        fill(m, seq);
        while (!r.try_push(m)) tp::detail::cpu_relax();
      },
      [](tp::SpscRing<M>& r, Checker<M>& check) -> std::size_t {
        return r.drain([&check](const M& m) { check(m); });
      });
}

// ------------------------------------------------------------------- moodycamel

template <class M>
using Rwq = moodycamel::ReaderWriterQueue<M>;

// try_enqueue never allocates (the queue was sized up front); try_dequeue copies out.
template <class M>
void BM_ReaderWriterQueue_TryEnqueueTryDequeue(benchmark::State& state) {
  auto q = std::make_unique<Rwq<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](Rwq<M>& r, std::uint64_t seq) {
        M m;
        fill(m, seq);
        while (!r.try_enqueue(m)) tp::detail::cpu_relax();
      },
      [](Rwq<M>& r, Checker<M>& check) -> std::size_t {
        M m;
        if (!r.try_dequeue(m)) return 0;
        check(m);
        return 1;
      });
}

// Consumer reads in place (peek/pop): the peer of our front/pop row (ReaderWriterQueue
// has no in-place producer API).
template <class M>
void BM_ReaderWriterQueue_TryEnqueuePeekPop(benchmark::State& state) {
  auto q = std::make_unique<Rwq<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](Rwq<M>& r, std::uint64_t seq) {
        M m;
        fill(m, seq);
        while (!r.try_enqueue(m)) tp::detail::cpu_relax();
      },
      [](Rwq<M>& r, Checker<M>& check) -> std::size_t {
        const M* p = r.peek();
        if (p == nullptr) return 0;
        check(*p);
        (void)r.pop();
        return 1;
      });
}

// ------------------------------------------------------------------- boost::lockfree

template <class M>
using BoostRt = boost::lockfree::spsc_queue<M>;  // runtime capacity
template <class M>
using BoostCt = boost::lockfree::spsc_queue<M, boost::lockfree::capacity<kCapacity>>;

template <class M, class B>
void boost_push(B& r, std::uint64_t seq) {
  M m;
  fill(m, seq);
  while (!r.push(m)) tp::detail::cpu_relax();
}

template <class M>
void BM_BoostSpscQueue_PushPop(benchmark::State& state) {
  auto q = std::make_unique<BoostRt<M>>(kCapacity);
  run_throughput<M>(state, *q, boost_push<M, BoostRt<M>>, [](BoostRt<M>& r, Checker<M>& check) -> std::size_t {
    M m;
    if (!r.pop(m)) return 0;
    check(m);
    return 1;
  });
}

// Compile-time capacity: the queue object holds its slots (allocated on the heap here,
// outside the timed loop).
template <class M>
void BM_BoostSpscQueueFixed_PushPop(benchmark::State& state) {
  auto q = std::make_unique<BoostCt<M>>();
  run_throughput<M>(state, *q, boost_push<M, BoostCt<M>>, [](BoostCt<M>& r, Checker<M>& check) -> std::size_t {
    M m;
    if (!r.pop(m)) return 0;
    check(m);
    return 1;
  });
}

// Consumer reads in place, one message per call (consume_one): peer of front/pop.
template <class M>
void BM_BoostSpscQueue_PushConsumeOne(benchmark::State& state) {
  auto q = std::make_unique<BoostRt<M>>(kCapacity);
  run_throughput<M>(state, *q, boost_push<M, BoostRt<M>>, [](BoostRt<M>& r, Checker<M>& check) -> std::size_t {
    return r.consume_one([&check](const M& m) { check(m); }) ? 1 : 0;
  });
}

// Batched consumer (consume_all): peer of SpscRing_TryPushDrain.
template <class M>
void BM_BoostSpscQueue_PushConsumeAll(benchmark::State& state) {
  auto q = std::make_unique<BoostRt<M>>(kCapacity);
  run_throughput<M>(state, *q, boost_push<M, BoostRt<M>>, [](BoostRt<M>& r, Checker<M>& check) -> std::size_t {
    return r.consume_all([&check](const M& m) { check(m); });
  });
}

// ------------------------------------------------------------------- tp::MutexQueue

// The same non-blocking API as SpscRing, each call taking the mutex.
template <class M>
void BM_MutexQueue_TryPushTryPop(benchmark::State& state) {
  auto q = std::make_unique<tp::MutexQueue<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](tp::MutexQueue<M>& r, std::uint64_t seq) {
        M m;
        fill(m, seq);
        while (!r.try_push(m)) tp::detail::cpu_relax();
      },
      [](tp::MutexQueue<M>& r, Checker<M>& check) -> std::size_t {
        M m;
        if (!r.try_pop(m)) return 0;
        check(m);
        return 1;
      });
}

// The seeds' design: blocking put/get on the condition variable.
template <class M>
void BM_MutexQueue_PushWaitPopWait(benchmark::State& state) {
  auto q = std::make_unique<tp::MutexQueue<M>>(kCapacity);
  run_throughput<M>(
      state, *q,
      [](tp::MutexQueue<M>& r, std::uint64_t seq) {
        M m;
        fill(m, seq);
        r.push_wait(m);
      },
      [](tp::MutexQueue<M>& r, Checker<M>& check) -> std::size_t {
        M m;
        r.pop_wait(m);
        check(m);
        return 1;
      });
}

// ------------------------------------------------------------------- registration

template <std::size_t kBytes>
void register_size() {
  using M = Msg<kBytes>;
  const std::string size = "/" + std::to_string(kBytes);
  auto add = [&](const char* name, void (*fn)(benchmark::State&)) {
    benchmark::RegisterBenchmark((std::string(name) + size).c_str(), fn)->UseRealTime();
  };
  add("BM_SpscRing_TryPushTryPop", BM_SpscRing_TryPushTryPop<M>);
  add("BM_SpscRing_ClaimCommitFrontPop", BM_SpscRing_ClaimCommitFrontPop<M>);
  add("BM_SpscRing_TryPushDrain", BM_SpscRing_TryPushDrain<M>);
  add("BM_ReaderWriterQueue_TryEnqueueTryDequeue", BM_ReaderWriterQueue_TryEnqueueTryDequeue<M>);
  add("BM_ReaderWriterQueue_TryEnqueuePeekPop", BM_ReaderWriterQueue_TryEnqueuePeekPop<M>);
  add("BM_BoostSpscQueue_PushPop", BM_BoostSpscQueue_PushPop<M>);
  add("BM_BoostSpscQueueFixed_PushPop", BM_BoostSpscQueueFixed_PushPop<M>);
  add("BM_BoostSpscQueue_PushConsumeOne", BM_BoostSpscQueue_PushConsumeOne<M>);
  add("BM_BoostSpscQueue_PushConsumeAll", BM_BoostSpscQueue_PushConsumeAll<M>);
  add("BM_MutexQueue_TryPushTryPop", BM_MutexQueue_TryPushTryPop<M>);
  add("BM_MutexQueue_PushWaitPopWait", BM_MutexQueue_PushWaitPopWait<M>);
}

}  // namespace

int main(int argc, char** argv) {
  register_size<8>();
  register_size<64>();
  register_size<128>();
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  benchmark::AddCustomContext("queue_capacity", std::to_string(kCapacity));
  const std::vector<int>& cpus = pin_cpus();
  benchmark::AddCustomContext(
      "pinning", cpus.empty() ? std::string("off") : "producer cpu " + std::to_string(cpus[0]) + ", consumer cpu " + std::to_string(cpus[1]));
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
