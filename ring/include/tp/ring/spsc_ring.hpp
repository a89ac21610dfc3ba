// tp::SpscRing - a bounded single-producer / single-consumer ring of trivially
// copyable messages.
//
// Layout (STYLE §6):
//   * capacity is a power of two; indices are free-running 64-bit counters and a slot
//     is `index & mask`, so full/empty never need a spare slot;
//   * the producer's index (tail) and the consumer's index (head) live on separate
//     cache lines (128-byte aligned to defeat the adjacent-line prefetcher), each next
//     to the owning side's cached copy of the other side's index, so the steady state
//     touches the shared line only when the cache says the ring looks full/empty;
//   * slots start on their own cache line;
//   * a producer that keeps finding the ring full spins a few pauses before each
//     re-read of the consumer's index (adaptive, bounded; see try_claim), so that its
//     retries do not keep stealing the line that the consumer writes on every pop.
//
// Memory ordering: the producer writes the slot, then publishes with a release store
// of tail; the consumer acquires tail before reading the slot and releases head after
// it is done with it, which the producer acquires before overwriting. Nothing stronger
// than acquire/release is used.
//
// Threads: exactly one producer thread may call the producer API (try_push, try_claim,
// commit, free_slots, push_blocking) and exactly one consumer thread the consumer API
// (try_pop, front, pop, drain). size_approx()/empty_approx() may be called from any
// thread and return a snapshot.
//
// Allocation: the constructor allocates the slot array once; no other member allocates.
// Blocking: only push_blocking/pop_blocking block (they run the caller's idle strategy).
// try_push/try_claim never block or yield; repeated on a full ring they spin a bounded
// number of pauses before answering (see try_claim).
#pragma once

#include <atomic>
#include <cassert>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <new>
#include <stdexcept>
#include <type_traits>
#include <utility>

namespace tp {

/// Bytes between two objects that must never share a cache line (two lines: the
/// adjacent-line prefetcher on x86 pulls lines in pairs).
inline constexpr std::size_t kFalseSharingRange = 128;
inline constexpr std::size_t kCacheLine = 64;

namespace detail {
inline void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#elif defined(__aarch64__)
  asm volatile("yield" ::: "memory");
#endif
}
}  // namespace detail

template <class T>
class SpscRing {
  static_assert(std::is_trivially_copyable_v<T>, "ring messages must be trivially copyable");
  static_assert(std::is_trivially_destructible_v<T>, "ring messages must be trivially destructible");

 public:
  using value_type = T;

  /// Creates a ring holding up to `capacity` messages.
  /// Cold path: allocates capacity * sizeof(T) bytes, rounded up to whole
  /// kFalseSharingRange blocks so that no other heap object shares the slots' last
  /// cache lines, aligned to a cache line (or to alignof(T) if that is larger).
  /// Never constructs or destroys a T (slots are raw storage; T is trivially copyable
  /// and trivially destructible).
  /// Throws std::invalid_argument unless capacity is a power of two >= 2, and
  /// std::length_error if capacity * sizeof(T) does not fit in a size_t.
  explicit SpscRing(std::size_t capacity)
      : capacity_(capacity), mask_(capacity - 1) {
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) {
      throw std::invalid_argument("SpscRing capacity must be a power of two >= 2");
    }
    if (capacity > (SIZE_MAX - kFalseSharingRange) / sizeof(T)) {
      throw std::length_error("SpscRing capacity * sizeof(T) overflows");
    }
    const std::size_t bytes =
        (capacity * sizeof(T) + kFalseSharingRange - 1) & ~(kFalseSharingRange - 1);
    slots_ = static_cast<T*>(::operator new[](bytes, std::align_val_t{kSlotAlign}));
    prod_.mask = mask_;
    prod_.max_retry_pauses = static_cast<uint32_t>(
        capacity / 4 < kMaxFullRetryPauses ? capacity / 4 : kMaxFullRetryPauses);
    prod_.retry_pauses = prod_.max_retry_pauses < 16 ? prod_.max_retry_pauses : 16;
    cons_.mask = mask_;
    prod_.slots = slots_;
    cons_.slots = slots_;
  }
  ~SpscRing() { ::operator delete[](slots_, std::align_val_t{kSlotAlign}); }
  SpscRing(const SpscRing&) = delete;
  SpscRing& operator=(const SpscRing&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return capacity_; }

  // ---------------------------------------------------------------- producer side

  /// Copies `v` into the ring. Returns false (and changes nothing) when the ring is
  /// full: back-pressure, retry later. Producer thread only. Never allocates or blocks.
  /// Full ring: see try_claim() (an exact answer; a retry after a failure first spins a
  /// bounded, adaptive number of pauses).
  [[nodiscard]] bool try_push(const T& v) noexcept {
    T* slot = try_claim();
    if (slot == nullptr) return false;
    *slot = v;
    commit();
    return true;
  }

  /// Zero-copy push, step 1: returns the next free slot to fill in place, or nullptr
  /// when the ring is full. Nothing is visible to the consumer until commit().
  /// Producer thread only; at most one claimed slot at a time. Never allocates.
  /// Full ring: the answer is exact (the consumer's index is re-read in this call), but
  /// when the previous refresh also found the ring full, this call first spins some
  /// pauses (tp::detail::cpu_relax) before re-reading it: adaptively as many as let
  /// about 1/16..1/4 of the ring drain meanwhile, at most min(capacity / 4,
  /// kMaxFullRetryPauses) (~12 us on the bench machine's 12 ns pause; none for
  /// capacity < 4). It never sleeps or yields. A producer retrying back-to-back would
  /// otherwise pull the consumer's index line over on every retry and make the
  /// consumer's next pop wait to take it back: on a full ring that held try_push/try_pop
  /// to a third of moodycamel::ReaderWriterQueue's throughput (bench/README.md).
  /// free_slots() never spins.
  [[nodiscard]] T* try_claim() noexcept {
    const std::size_t tail = prod_.tail.load(std::memory_order_relaxed);
    if (tail - prod_.head_cache > prod_.mask) [[unlikely]] {
      if (!refresh_when_full(tail)) return nullptr;
    }
    return &prod_.slots[tail & prod_.mask];
  }

  /// Zero-copy push, step 2: publishes the slot returned by the last try_claim()
  /// (release store; the consumer's acquire of tail sees the slot's contents).
  void commit() noexcept {
    const std::size_t tail = prod_.tail.load(std::memory_order_relaxed);
    prod_.tail.store(tail + 1, std::memory_order_release);
  }

  /// Number of slots the producer can fill right now without failing (refreshes the
  /// cached consumer index only if the cache says fewer than `want` are free).
  /// Producer thread only. Used for credit-based flow control: a stage checks that its
  /// outputs have room for the worst case before consuming an input.
  [[nodiscard]] std::size_t free_slots(std::size_t want = 1) noexcept {
    const std::size_t tail = prod_.tail.load(std::memory_order_relaxed);
    std::size_t free = prod_.mask + 1 - (tail - prod_.head_cache);
    if (free < want) {
      prod_.head_cache = cons_.head.load(std::memory_order_acquire);
      free = prod_.mask + 1 - (tail - prod_.head_cache);
      if (free != 0) prod_.full_retry = false;
    }
    return free;
  }

  /// Blocking push: retries try_push, calling `idle.idle(0)` between attempts, until
  /// the message is in, then `idle.reset()`. Never drops. Producer thread only. `Idle`
  /// is any type with idle(int) and reset() - e.g. tp::IdleStrategy
  /// (tp/engine/idle.hpp).
  template <class Idle>
  void push_blocking(const T& v, Idle& idle) noexcept {
    while (!try_push(v)) idle.idle(0);
    idle.reset();
  }

  // ---------------------------------------------------------------- consumer side

  /// Pointer to the oldest message, or nullptr when empty. The slot stays valid until
  /// pop(). Consumer thread only.
  [[nodiscard]] const T* front() noexcept {
    const std::size_t head = cons_.head.load(std::memory_order_relaxed);
    if (head == cons_.tail_cache) {
      cons_.tail_cache = prod_.tail.load(std::memory_order_acquire);
      if (head == cons_.tail_cache) return nullptr;
    }
    return &cons_.slots[head & cons_.mask];
  }

  /// Releases the message returned by front(). Precondition: front() != nullptr.
  void pop() noexcept {
    const std::size_t head = cons_.head.load(std::memory_order_relaxed);
    assert(head != cons_.tail_cache && "pop() on an empty ring");
    cons_.head.store(head + 1, std::memory_order_release);
  }

  /// Copies the oldest message into `out` and removes it. Returns false when empty.
  /// Consumer thread only. Never allocates or blocks.
  [[nodiscard]] bool try_pop(T& out) noexcept {
    const T* p = front();
    if (p == nullptr) return false;
    out = *p;
    pop();
    return true;
  }

  /// Batch consume: calls `f(const T&)` on up to `max` messages in order, then frees
  /// all of them with a single release store. Returns the number consumed.
  /// `f` must not touch this ring. Consumer thread only.
  template <class F>
  std::size_t drain(F&& f, std::size_t max = SIZE_MAX) noexcept(noexcept(f(std::declval<const T&>()))) {
    const std::size_t head = cons_.head.load(std::memory_order_relaxed);
    std::size_t avail = cons_.tail_cache - head;
    if (avail == 0) {
      cons_.tail_cache = prod_.tail.load(std::memory_order_acquire);
      avail = cons_.tail_cache - head;
      if (avail == 0) return 0;
    }
    const std::size_t n = avail < max ? avail : max;
    for (std::size_t i = 0; i < n; ++i) f(cons_.slots[(head + i) & cons_.mask]);
    cons_.head.store(head + n, std::memory_order_release);
    return n;
  }

  /// Blocking pop: waits (calling `idle.idle(0)`) until a message is available, then
  /// `idle.reset()`. Consumer thread only.
  template <class Idle>
  void pop_blocking(T& out, Idle& idle) noexcept {
    while (!try_pop(out)) idle.idle(0);
    idle.reset();
  }

  // ---------------------------------------------------------------- any thread

  /// Snapshot of the number of messages in the ring, always in 0..capacity(); exact
  /// only when both sides are quiescent (or when called by the producer or consumer
  /// while the other side is quiescent).
  [[nodiscard]] std::size_t size_approx() const noexcept {
    // head first: tail only grows and tail >= head at every instant, so the difference
    // cannot be negative. It can exceed the capacity when another thread observes and
    // both sides move between the two loads (the consumer frees slots, the producer
    // refills them): clamp.
    const std::size_t head = cons_.head.load(std::memory_order_acquire);
    const std::size_t tail = prod_.tail.load(std::memory_order_acquire);
    const std::size_t n = tail - head;
    return n > capacity_ ? capacity_ : n;
  }
  [[nodiscard]] bool empty_approx() const noexcept { return size_approx() == 0; }

 public:
  /// Upper bound of the pauses a retry on a full ring spins before re-reading the
  /// consumer's index (see try_claim()); the bound is also at most capacity / 4.
  static constexpr std::size_t kMaxFullRetryPauses = 1024;

 private:
  static constexpr std::size_t kSlotAlign = alignof(T) > kCacheLine ? alignof(T) : kCacheLine;

  // The cold path of try_claim: the cached consumer index says the ring is full.
  // A retry (the previous refresh found the ring full) first spins retry_pauses pauses,
  // and adapts them so that a refresh finds about 1/16 .. 1/4 of the ring free: twice as
  // many when it found a few slots free, half as many when it found more. Finding none
  // changes nothing: a consumer that frees slots in batches (drain) publishes nothing
  // until its batch is done, and then frees a lot at once.
  [[gnu::noinline]] bool refresh_when_full(std::size_t tail) noexcept {
    const bool retry = prod_.full_retry;
    if (retry) {
      for (uint32_t i = 0; i < prod_.retry_pauses; ++i) detail::cpu_relax();
    }
    prod_.head_cache = cons_.head.load(std::memory_order_acquire);
    const std::size_t free = prod_.mask + 1 - (tail - prod_.head_cache);
    if (retry) {
      const std::size_t capacity = prod_.mask + 1;
      if (free != 0 && free < capacity / 16) {
        const uint32_t more = prod_.retry_pauses == 0 ? 1 : prod_.retry_pauses * 2;
        prod_.retry_pauses = more < prod_.max_retry_pauses ? more : prod_.max_retry_pauses;
      } else if (free > capacity / 4) {
        prod_.retry_pauses /= 2;
      }
    }
    prod_.full_retry = free == 0;
    return free != 0;
  }

  struct alignas(kFalseSharingRange) ProducerLine {
    std::atomic<std::size_t> tail{0};  // written by producer, read by consumer
    std::size_t head_cache = 0;        // producer's copy of cons_.head
    std::size_t mask = 0;              // copies of immutable fields, so the hot path
    T* slots = nullptr;                // touches only its own line
    uint32_t retry_pauses = 0;         // see refresh_when_full()
    uint32_t max_retry_pauses = 0;
    bool full_retry = false;           // the last refresh found the ring full
  };
  struct alignas(kFalseSharingRange) ConsumerLine {
    std::atomic<std::size_t> head{0};  // written by consumer, read by producer
    std::size_t tail_cache = 0;        // consumer's copy of prod_.tail
    std::size_t mask = 0;
    T* slots = nullptr;
  };

  ProducerLine prod_;
  ConsumerLine cons_;
  alignas(kFalseSharingRange) std::size_t capacity_;
  std::size_t mask_;
  T* slots_ = nullptr;

  static_assert(sizeof(ProducerLine) == kFalseSharingRange);
  static_assert(sizeof(ConsumerLine) == kFalseSharingRange);
  static_assert(std::atomic<std::size_t>::is_always_lock_free);
};

}  // namespace tp
