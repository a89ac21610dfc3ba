// tp::SpscRing: single-thread behaviour of every operation, layout, the guarantee that
// the ring never constructs or destroys a T, and two-thread stress tests (strict order
// and full content of every message) for each way in and out of the ring.
//
// The stress tests run on a 2-core machine next to other work: both threads yield when
// the ring is full/empty instead of spinning. Message count: env TP_STRESS_MESSAGES
// (default 10'000'000; 1'000'000 under ThreadSanitizer).
#include <gtest/gtest.h>

#include <malloc.h>

#include <atomic>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <stdexcept>
#include <string>
#include <thread>
#include <type_traits>
#include <vector>

#include "tp/ring/idle.hpp"
#include "tp/ring/spsc_ring.hpp"

#if defined(__SANITIZE_THREAD__)
#define TP_TEST_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define TP_TEST_TSAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define TP_TEST_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define TP_TEST_ASAN 1
#endif
#endif

namespace tp {
namespace {

// ------------------------------------------------------------------ messages

/// The 64-byte message of the stress tests: a sequence number, a payload derived from
/// it and a checksum over both, so a torn, stale or reordered message is detected.
struct alignas(64) Msg64 {
  uint64_t seq;
  uint64_t payload[6];
  uint64_t checksum;
};
static_assert(sizeof(Msg64) == 64 && alignof(Msg64) == 64);
static_assert(std::is_trivially_copyable_v<Msg64>);

/// A 128-byte message (the largest the engine uses).
struct alignas(64) Msg128 {
  unsigned char bytes[128];
};
static_assert(sizeof(Msg128) == 128);

constexpr uint64_t splitmix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

uint64_t checksum_of(const Msg64& m) {
  uint64_t h = 0xCBF29CE484222325ull;
  h = splitmix(h ^ m.seq);
  for (uint64_t p : m.payload) h = splitmix(h ^ p);
  return h;
}

void fill(Msg64& m, uint64_t seq) {
  m.seq = seq;
  for (std::size_t i = 0; i < 6; ++i) m.payload[i] = splitmix(seq * 8 + i);
  m.checksum = checksum_of(m);
}

Msg64 make(uint64_t seq) {
  Msg64 m;
  fill(m, seq);
  return m;
}

/// True when `m` is exactly message number `seq`.
bool intact(const Msg64& m, uint64_t seq) {
  if (m.seq != seq || m.checksum != checksum_of(m)) return false;
  for (std::size_t i = 0; i < 6; ++i) {
    if (m.payload[i] != splitmix(seq * 8 + i)) return false;
  }
  return true;
}

uint64_t stress_messages() {
  if (const char* env = std::getenv("TP_STRESS_MESSAGES")) {
    const unsigned long long n = std::strtoull(env, nullptr, 10);
    if (n > 0) return n;
  }
#if defined(TP_TEST_TSAN)
  return 1'000'000;
#else
  return 10'000'000;
#endif
}

/// Verifies the consumer side of a stress test: strict order, full content.
struct Checker {
  uint64_t next = 0;
  uint64_t bad = 0;
  uint64_t first_bad = UINT64_MAX;
  void operator()(const Msg64& m) {
    if (!intact(m, next)) {
      if (bad++ == 0) first_bad = next;
    }
    ++next;
  }
};

struct StressResult {
  uint64_t received = 0;
  uint64_t bad = 0;
  uint64_t first_bad = UINT64_MAX;
  uint64_t producer_full = 0;   ///< times the producer found the ring full
  uint64_t consumer_empty = 0;  ///< times the consumer found it empty
  double seconds = 0;
};

void report(const char* name, uint64_t n, const StressResult& r) {
  std::printf(
      "[ stress   ] %-26s %llu msgs in %.3f s = %.2f M msg/s (producer full %llu, consumer empty "
      "%llu)\n",
      name, static_cast<unsigned long long>(n), r.seconds, static_cast<double>(n) / r.seconds / 1e6,
      static_cast<unsigned long long>(r.producer_full),
      static_cast<unsigned long long>(r.consumer_empty));
  ::testing::Test::RecordProperty(std::string(name) + "_msgs_per_s",
                                  std::to_string(static_cast<double>(n) / r.seconds));
}

void expect_clean(uint64_t n, const StressResult& r) {
  EXPECT_EQ(r.received, n);
  EXPECT_EQ(r.bad, 0u) << "first bad message: " << r.first_bad;
}

/// Runs `producer` and `consumer` on two threads (the calling thread only joins).
template <class P, class C>
double run_pair(P producer, C consumer) {
  const auto t0 = std::chrono::steady_clock::now();
  std::thread c(consumer);
  std::thread p(producer);
  p.join();
  c.join();
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

// ------------------------------------------------------------------ construction

TEST(SpscRing, RejectsNonPowerOfTwoCapacity) {
  for (std::size_t bad : {std::size_t{0}, std::size_t{1}, std::size_t{3}, std::size_t{6},
                          std::size_t{1000}, (std::size_t{1} << 20) + 1}) {
    SCOPED_TRACE(bad);
    EXPECT_THROW(SpscRing<uint64_t>{bad}, std::invalid_argument);
  }
  for (std::size_t good :
       {std::size_t{2}, std::size_t{4}, std::size_t{1024}, std::size_t{1} << 16}) {
    SpscRing<uint64_t> r(good);
    EXPECT_EQ(r.capacity(), good);
    EXPECT_EQ(r.free_slots(), good);
  }
}

TEST(SpscRing, RejectsCapacityWhoseByteSizeOverflows) {
  // 2^62 slots of 64 bytes is 2^68 bytes: must not wrap to a tiny allocation.
  EXPECT_THROW(SpscRing<Msg64>{std::size_t{1} << 62}, std::length_error);
}

// ------------------------------------------------------------------ single thread

TEST(SpscRing, PushPopSingleThread) {
  SpscRing<Msg64> r(8);
  for (uint64_t i = 0; i < 5; ++i) ASSERT_TRUE(r.try_push(make(i)));
  EXPECT_EQ(r.size_approx(), 5u);
  for (uint64_t i = 0; i < 5; ++i) {
    Msg64 out{};
    ASSERT_TRUE(r.try_pop(out));
    EXPECT_TRUE(intact(out, i)) << i;
  }
  EXPECT_TRUE(r.empty_approx());
}

TEST(SpscRing, RejectsPushWhenFull) {
  SpscRing<Msg64> r(4);
  for (uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(r.try_push(make(i)));
  EXPECT_FALSE(r.try_push(make(99)));  // back-pressure: nothing changes
  EXPECT_EQ(r.try_claim(), nullptr);
  EXPECT_EQ(r.free_slots(), 0u);
  EXPECT_EQ(r.size_approx(), 4u);
  Msg64 out{};
  ASSERT_TRUE(r.try_pop(out));
  EXPECT_TRUE(intact(out, 0));
  EXPECT_TRUE(r.try_push(make(4)));  // room again after one pop
  EXPECT_FALSE(r.try_push(make(99)));
  for (uint64_t i = 1; i <= 4; ++i) {
    ASSERT_TRUE(r.try_pop(out));
    EXPECT_TRUE(intact(out, i)) << i;  // the rejected 99s never got in
  }
  EXPECT_FALSE(r.try_pop(out));
}

TEST(SpscRing, PopFromEmptyFails) {
  SpscRing<Msg64> r(4);
  Msg64 out = make(7);
  EXPECT_FALSE(r.try_pop(out));
  EXPECT_TRUE(intact(out, 7)) << "a failed pop must leave `out` alone";
  EXPECT_EQ(r.front(), nullptr);
  int calls = 0;
  EXPECT_EQ(r.drain([&](const Msg64&) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  // Empty again after a push and a pop.
  ASSERT_TRUE(r.try_push(make(1)));
  ASSERT_TRUE(r.try_pop(out));
  EXPECT_FALSE(r.try_pop(out));
  EXPECT_EQ(r.front(), nullptr);
}

TEST(SpscRing, WrapsAroundManyTimes) {
  SpscRing<Msg64> r(4);
  uint64_t pushed = 0;
  uint64_t popped = 0;
  // Batches of 1..4 messages in, 1..4 out: the indices pass the capacity ~25'000 times.
  for (int round = 0; round < 40'000; ++round) {
    const int in = 1 + round % 4;
    for (int k = 0; k < in && r.free_slots() > 0; ++k) ASSERT_TRUE(r.try_push(make(pushed++)));
    const int out_n = 1 + (round * 7) % 4;
    for (int k = 0; k < out_n; ++k) {
      Msg64 out{};
      if (!r.try_pop(out)) break;
      ASSERT_TRUE(intact(out, popped)) << "message " << popped;
      ++popped;
    }
    ASSERT_EQ(r.size_approx(), pushed - popped);
  }
  EXPECT_GT(pushed, 25u * r.capacity() * 4);
}

TEST(SpscRing, ClaimCommitZeroCopy) {
  SpscRing<Msg64> r(4);
  Msg64* slot = r.try_claim();
  ASSERT_NE(slot, nullptr);
  EXPECT_EQ(r.try_claim(), slot) << "claiming again without commit returns the same slot";
  fill(*slot, 42);  // built in place
  EXPECT_EQ(r.size_approx(), 0u) << "nothing is visible before commit()";
  EXPECT_EQ(r.front(), nullptr);
  r.commit();
  EXPECT_EQ(r.size_approx(), 1u);
  const Msg64* f = r.front();
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f, slot) << "the consumer reads the very slot the producer wrote (zero copy)";
  EXPECT_TRUE(intact(*f, 42));
  EXPECT_EQ(r.front(), f) << "front() does not consume";
  r.pop();
  EXPECT_EQ(r.front(), nullptr);
  // Claimed slots advance around the ring.
  Msg64* next = r.try_claim();
  ASSERT_NE(next, nullptr);
  EXPECT_EQ(next, slot + 1);
}

TEST(SpscRing, DrainBatchReleasesAll) {
  SpscRing<Msg64> r(16);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(r.try_push(make(i)));
  Checker check;
  EXPECT_EQ(r.drain(check), 10u);
  EXPECT_EQ(check.next, 10u);
  EXPECT_EQ(check.bad, 0u);
  EXPECT_EQ(r.size_approx(), 0u);
  EXPECT_EQ(r.free_slots(16), 16u) << "one release store freed every drained slot";
  EXPECT_EQ(r.drain(check), 0u);
}

TEST(SpscRing, DrainRespectsMax) {
  SpscRing<Msg64> r(16);
  for (uint64_t i = 0; i < 10; ++i) ASSERT_TRUE(r.try_push(make(i)));
  Checker check;
  EXPECT_EQ(r.drain(check, 3), 3u);
  EXPECT_EQ(r.size_approx(), 7u);
  EXPECT_EQ(r.drain(check, 0), 0u);
  EXPECT_EQ(r.size_approx(), 7u);
  EXPECT_EQ(r.drain(check, 5), 5u);
  EXPECT_EQ(r.drain(check, 100), 2u);
  EXPECT_EQ(check.next, 10u);
  EXPECT_EQ(check.bad, 0u);
  // Drain across the wrap point.
  for (uint64_t i = 10; i < 24; ++i) ASSERT_TRUE(r.try_push(make(i)));
  EXPECT_EQ(r.drain(check, 20), 14u);
  EXPECT_EQ(check.next, 24u);
  EXPECT_EQ(check.bad, 0u);
}

TEST(SpscRing, FreeSlots) {
  SpscRing<Msg64> r(8);
  EXPECT_EQ(r.free_slots(), 8u);
  for (uint64_t i = 0; i < 3; ++i) ASSERT_TRUE(r.try_push(make(i)));
  EXPECT_EQ(r.free_slots(), 5u);
  EXPECT_EQ(r.free_slots(5), 5u);
  EXPECT_LT(r.free_slots(6), 6u) << "never reports more room than there is";
  Msg64 out{};
  ASSERT_TRUE(r.try_pop(out));
  ASSERT_TRUE(r.try_pop(out));
  // The producer's cached consumer index is refreshed only when it looks too small:
  // a small request may see the old (conservative) value, a large one the exact value.
  const std::size_t cached = r.free_slots(1);
  EXPECT_TRUE(cached == 5u || cached == 7u) << cached;
  EXPECT_EQ(r.free_slots(7), 7u);
  for (uint64_t i = 3; i < 10; ++i) ASSERT_TRUE(r.try_push(make(i)));
  EXPECT_EQ(r.free_slots(8), 0u);
}

TEST(SpscRing, SizeApprox) {
  SpscRing<Msg64> r(8);
  EXPECT_EQ(r.size_approx(), 0u);
  EXPECT_TRUE(r.empty_approx());
  for (uint64_t i = 0; i < 8; ++i) {
    ASSERT_TRUE(r.try_push(make(i)));
    EXPECT_EQ(r.size_approx(), i + 1);
  }
  EXPECT_FALSE(r.empty_approx());
  Checker check;
  r.drain(check, 5);
  EXPECT_EQ(r.size_approx(), 3u);
  r.drain(check);
  EXPECT_EQ(r.size_approx(), 0u);
  EXPECT_TRUE(r.empty_approx());
}

TEST(SpscRing, MessageOf128BytesKeepsContent) {
  SpscRing<Msg128> r(8);
  auto pattern = [](uint64_t n) {
    Msg128 m;
    for (std::size_t i = 0; i < sizeof m.bytes; ++i)
      m.bytes[i] = static_cast<unsigned char>(splitmix(n * 131 + i));
    return m;
  };
  uint64_t in = 0;
  uint64_t out_n = 0;
  for (int round = 0; round < 1000; ++round) {  // wraps the 8 slots ~600 times
    while (r.free_slots(4) >= 4) ASSERT_TRUE(r.try_push(pattern(in++)));  // keep 3 free
    Msg128 out{};
    while (r.try_pop(out)) {
      const Msg128 want = pattern(out_n++);
      ASSERT_EQ(std::memcmp(out.bytes, want.bytes, sizeof out.bytes), 0) << "message " << out_n - 1;
    }
  }
  EXPECT_EQ(in, out_n);
  EXPECT_GT(in, 4000u);
}

// ------------------------------------------------------------------ layout

static_assert(alignof(SpscRing<Msg64>) == kFalseSharingRange,
              "the ring object is aligned to two cache lines");
static_assert(sizeof(SpscRing<Msg64>) % kFalseSharingRange == 0);
static_assert(sizeof(SpscRing<Msg64>) >= 3 * kFalseSharingRange,
              "producer line, consumer line and the cold fields each take their own 128 bytes");
static_assert(sizeof(SpscRing<uint8_t>) == sizeof(SpscRing<Msg128>), "layout does not depend on T");
static_assert(std::atomic<std::size_t>::is_always_lock_free);

/// Byte offset of the one size_t-aligned word of `r` that differs between two
/// snapshots, or -1 if none or several changed.
template <class Ring>
long changed_word(const unsigned char (&before)[sizeof(Ring)], const Ring& r) {
  unsigned char after[sizeof(Ring)];
  std::memcpy(after, static_cast<const void*>(&r), sizeof(Ring));
  long found = -1;
  for (std::size_t off = 0; off < sizeof(Ring); off += sizeof(std::size_t)) {
    if (std::memcmp(before + off, after + off, sizeof(std::size_t)) != 0) {
      if (found >= 0) return -1;
      found = static_cast<long>(off);
    }
  }
  return found;
}

TEST(SpscRing, ProducerAndConsumerIndicesAre128BytesApart) {
  // The indices are private, so find them from the outside: a push (without a refresh
  // of the producer's cache) changes exactly one word, the producer index; a pop
  // (without a refresh of the consumer's cache) changes exactly the consumer index.
  using Ring = SpscRing<Msg64>;
  auto r = std::make_unique<Ring>(64);
  for (uint64_t i = 0; i < 4; ++i) ASSERT_TRUE(r->try_push(make(i)));
  Msg64 out{};
  ASSERT_TRUE(r->try_pop(out));  // consumer caches tail = 4

  unsigned char snap[sizeof(Ring)];
  std::memcpy(snap, static_cast<const void*>(r.get()), sizeof(Ring));
  ASSERT_TRUE(r->try_push(make(4)));
  const long tail_off = changed_word<Ring>(snap, *r);

  std::memcpy(snap, static_cast<const void*>(r.get()), sizeof(Ring));
  ASSERT_TRUE(r->try_pop(out));
  const long head_off = changed_word<Ring>(snap, *r);

  ASSERT_GE(tail_off, 0);
  ASSERT_GE(head_off, 0);
  const long apart = head_off > tail_off ? head_off - tail_off : tail_off - head_off;
  EXPECT_GE(apart, static_cast<long>(kFalseSharingRange))
      << "tail at " << tail_off << ", head at " << head_off;
  // Each index sits at the start of its own 128-byte line.
  EXPECT_EQ(tail_off % static_cast<long>(kFalseSharingRange), 0);
  EXPECT_EQ(head_off % static_cast<long>(kFalseSharingRange), 0);
  // The ring object itself honours its alignment on the heap.
  EXPECT_EQ(reinterpret_cast<std::uintptr_t>(r.get()) % kFalseSharingRange, 0u);
}

struct alignas(256) Huge {
  unsigned char b[256];
};

TEST(SpscRing, SlotsStartOnACacheLineAndHonourOverAlignedTypes) {
  {
    SpscRing<uint32_t> r(8);  // small T: slots still start on a cache line
    uint32_t* s = r.try_claim();
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s) % kCacheLine, 0u);
  }
  for (int k = 0; k < 8; ++k) {  // several allocations: alignment is not luck
    SpscRing<Huge> r(4);
    for (int i = 0; i < 4; ++i) {
      Huge* s = r.try_claim();
      ASSERT_NE(s, nullptr);
      EXPECT_EQ(reinterpret_cast<std::uintptr_t>(s) % alignof(Huge), 0u);
      r.commit();
    }
  }
}

// ------------------------------------------------------------------ no construction/destruction

/// Trivially copyable and destructible, but its default constructor writes a marker:
/// if the ring ever default-constructed a slot the marker would appear.
struct Marked {
  uint64_t words[8] = {0x4D41524B4544ull, 0x4D41524B4544ull, 0x4D41524B4544ull, 0x4D41524B4544ull,
                       0x4D41524B4544ull, 0x4D41524B4544ull, 0x4D41524B4544ull, 0x4D41524B4544ull};
};
static_assert(std::is_trivially_copyable_v<Marked> && std::is_trivially_destructible_v<Marked>);
static_assert(!std::is_trivially_default_constructible_v<Marked>);

TEST(SpscRing, NeverConstructsOrDestroysElements) {
  // The ring only accepts trivially copyable, trivially destructible T (static_assert),
  // so a type that counts its constructions cannot be stored. Instead this shows that
  // the ring treats slots as raw bytes: what the producer writes is exactly what the
  // consumer reads, and a slot keeps its bytes after being consumed (nothing is
  // destroyed or re-initialised) until the producer overwrites it.
  SpscRing<Marked> r(2);
  Marked* a = r.try_claim();
  ASSERT_NE(a, nullptr);
  std::memset(static_cast<void*>(a), 0xC3, sizeof(Marked));  // raw bytes, not a constructed value
  r.commit();
  const Marked* f = r.front();
  ASSERT_NE(f, nullptr);
  const auto* fb = reinterpret_cast<const unsigned char*>(f);
  for (std::size_t i = 0; i < sizeof(Marked); ++i) ASSERT_EQ(fb[i], 0xC3) << "byte " << i;
  r.pop();

  Marked* b = r.try_claim();
  ASSERT_NE(b, nullptr);
  std::memset(static_cast<void*>(b), 0x3C, sizeof(Marked));
  r.commit();
  Marked out;
  ASSERT_TRUE(r.try_pop(out));
  for (uint64_t w : out.words) EXPECT_EQ(w, 0x3C3C3C3C3C3C3C3Cull);

  // Back at the first slot: still the bytes written two messages ago.
  Marked* again = r.try_claim();
  ASSERT_EQ(again, a);
  const auto* ab = reinterpret_cast<const unsigned char*>(again);
  for (std::size_t i = 0; i < sizeof(Marked); ++i) ASSERT_EQ(ab[i], 0xC3) << "byte " << i;
}

TEST(SpscRing, DestructorFreesTheSlots) {
  // Under ASan (LeakSanitizer) a leak fails the whole binary at exit; without a
  // sanitizer, glibc's allocator statistics must come back to where they started.
  auto in_use = [] { return mallinfo2().uordblks; };
  for (int warm = 0; warm < 2; ++warm) SpscRing<Msg128> w(1024);
  const std::size_t before = in_use();
  for (int i = 0; i < 200; ++i) {
    SpscRing<Msg128> r(1024);  // 128 KiB each
    ASSERT_TRUE(r.try_push(Msg128{}));
  }
  const std::size_t after = in_use();
#if !defined(TP_TEST_ASAN) && !defined(TP_TEST_TSAN)
  EXPECT_LE(after, before + 4096) << "200 x 128 KiB rings leaked";
#else
  (void)before;
  (void)after;
#endif
}

// ------------------------------------------------------------------ two threads

TEST(SpscRingStress, TryPushTryPop) {
  const uint64_t n = stress_messages();
  SpscRing<Msg64> r(1024);
  StressResult res;
  Checker check;
  res.seconds = run_pair(
      [&] {
        uint64_t full = 0;
        for (uint64_t i = 0; i < n; ++i) {
          const Msg64 m = make(i);
          while (!r.try_push(m)) {
            ++full;
            std::this_thread::yield();
          }
        }
        res.producer_full = full;
      },
      [&] {
        uint64_t empty = 0;
        Msg64 m;
        while (check.next < n) {
          if (r.try_pop(m)) {
            check(m);
          } else {
            ++empty;
            std::this_thread::yield();
          }
        }
        res.consumer_empty = empty;
      });
  res.received = check.next;
  res.bad = check.bad;
  res.first_bad = check.first_bad;
  report("try_push/try_pop", n, res);
  expect_clean(n, res);
  EXPECT_TRUE(r.empty_approx());
}

TEST(SpscRingStress, TryPushTryPopCapacityTwo) {
  // The smallest ring: every other operation hits full or empty.
  const uint64_t n = stress_messages() / 10;
  SpscRing<Msg64> r(2);
  StressResult res;
  Checker check;
  res.seconds = run_pair(
      [&] {
        for (uint64_t i = 0; i < n; ++i) {
          const Msg64 m = make(i);
          while (!r.try_push(m)) {
            ++res.producer_full;
            std::this_thread::yield();
          }
        }
      },
      [&] {
        Msg64 m;
        while (check.next < n) {
          if (r.try_pop(m)) {
            check(m);
          } else {
            ++res.consumer_empty;
            std::this_thread::yield();
          }
        }
      });
  res.received = check.next;
  res.bad = check.bad;
  res.first_bad = check.first_bad;
  report("capacity 2", n, res);
  expect_clean(n, res);
}

TEST(SpscRingStress, TryPushDrain) {
  const uint64_t n = stress_messages();
  SpscRing<Msg64> r(256);
  StressResult res;
  Checker check;
  uint64_t batches = 0;
  res.seconds = run_pair(
      [&] {
        for (uint64_t i = 0; i < n; ++i) {
          const Msg64 m = make(i);
          while (!r.try_push(m)) {
            ++res.producer_full;
            std::this_thread::yield();
          }
        }
      },
      [&] {
        while (check.next < n) {
          if (r.drain(check, 64) == 0) {
            ++res.consumer_empty;
            std::this_thread::yield();
          } else {
            ++batches;
          }
        }
      });
  res.received = check.next;
  res.bad = check.bad;
  res.first_bad = check.first_bad;
  report("try_push/drain(64)", n, res);
  std::printf("[ stress   ] drain: %llu batches, %.1f msgs per batch\n",
              static_cast<unsigned long long>(batches),
              static_cast<double>(n) / static_cast<double>(batches));
  expect_clean(n, res);
}

TEST(SpscRingStress, ClaimCommitFrontPop) {
  const uint64_t n = stress_messages();
  SpscRing<Msg64> r(64);
  StressResult res;
  Checker check;
  res.seconds = run_pair(
      [&] {
        for (uint64_t i = 0; i < n; ++i) {
          Msg64* slot;
          while ((slot = r.try_claim()) == nullptr) {
            ++res.producer_full;
            std::this_thread::yield();
          }
          fill(*slot, i);  // built in place, published by commit()
          r.commit();
        }
      },
      [&] {
        while (check.next < n) {
          if (const Msg64* m = r.front()) {
            check(*m);  // read in place
            r.pop();
          } else {
            ++res.consumer_empty;
            std::this_thread::yield();
          }
        }
      });
  res.received = check.next;
  res.bad = check.bad;
  res.first_bad = check.first_bad;
  report("try_claim+commit/front+pop", n, res);
  expect_clean(n, res);
}

TEST(SpscRingStress, PushBlockingPopBlockingWithIdleStrategy) {
  const uint64_t n = stress_messages() / 10;
  SpscRing<Msg64> r(128);
  IdleConfig cfg;
  cfg.kind = IdleKind::Backoff;
  cfg.max_spins = 100;  // 2 cores: get off the CPU quickly
  cfg.max_yields = 20;
  cfg.min_park_ns = 1'000;
  cfg.max_park_ns = 100'000;
  StressResult res;
  Checker check;
  res.seconds = run_pair(
      [&] {
        IdleStrategy idle(cfg);
        for (uint64_t i = 0; i < n; ++i) r.push_blocking(make(i), idle);
      },
      [&] {
        IdleStrategy idle(cfg);
        Msg64 m;
        for (uint64_t i = 0; i < n; ++i) {
          r.pop_blocking(m, idle);
          check(m);
        }
      });
  res.received = check.next;
  res.bad = check.bad;
  res.first_bad = check.first_bad;
  report("push_blocking/pop_blocking", n, res);
  expect_clean(n, res);
  EXPECT_TRUE(r.empty_approx());
}

TEST(SpscRingStress, SizeApproxFromAThirdThreadStaysInBounds) {
  // size_approx() may be called from any thread: it must never report more than the
  // capacity or wrap to a huge number while both sides run.
  const uint64_t n = stress_messages() / 20;
  SpscRing<Msg64> r(64);
  std::atomic<bool> done{false};
  std::size_t worst = 0;
  std::thread observer([&] {
    while (!done.load(std::memory_order_acquire)) {
      const std::size_t s = r.size_approx();
      if (s > worst) worst = s;
      std::this_thread::yield();
    }
  });
  Checker check;
  run_pair(
      [&] {
        for (uint64_t i = 0; i < n; ++i) {
          while (!r.try_push(make(i))) std::this_thread::yield();
        }
      },
      [&] {
        Msg64 m;
        while (check.next < n) {
          if (r.try_pop(m)) {
            check(m);
          } else {
            std::this_thread::yield();
          }
        }
      });
  done.store(true, std::memory_order_release);
  observer.join();
  EXPECT_EQ(check.bad, 0u);
  EXPECT_LE(worst, r.capacity());
}

}  // namespace
}  // namespace tp
