// tp::MutexQueue - a bounded queue guarded by a std::mutex with a condition variable:
// the design of the seeds (Python queue.Queue between threads), kept as the baseline
// that the lock-free SpscRing is measured against. Same API as tp::SpscRing, so the
// same stage code and benchmarks run on either.
//
// Threads: one producer and one consumer (like SpscRing; more would also be safe).
// Every call takes the mutex. commit()/pop() notify the condition variable so a
// consumer blocked in wait_nonempty() (or a producer in wait_nonfull()) wakes up.
// Allocation: the constructor allocates the slots; nothing else allocates.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <stdexcept>
#include <type_traits>
#include <vector>

namespace tp {

template <class T>
class MutexQueue {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  using value_type = T;

  /// Throws std::invalid_argument unless capacity is a power of two >= 2.
  explicit MutexQueue(std::size_t capacity) : slots_(capacity), mask_(capacity - 1) {
    if (capacity < 2 || (capacity & (capacity - 1)) != 0) {
      throw std::invalid_argument("MutexQueue capacity must be a power of two >= 2");
    }
  }
  MutexQueue(const MutexQueue&) = delete;
  MutexQueue& operator=(const MutexQueue&) = delete;

  [[nodiscard]] std::size_t capacity() const noexcept { return mask_ + 1; }

  // ---- producer
  [[nodiscard]] bool try_push(const T& v) {
    T* s = try_claim();
    if (s == nullptr) return false;
    *s = v;
    commit();
    return true;
  }
  /// The slot past the published tail (only the producer writes it; the consumer never
  /// reads beyond the published count), or nullptr when full.
  [[nodiscard]] T* try_claim() {
    std::lock_guard<std::mutex> g(mu_);
    if (tail_ - head_ > mask_) return nullptr;
    return &slots_[tail_ & mask_];
  }
  void commit() {
    {
      std::lock_guard<std::mutex> g(mu_);
      ++tail_;
    }
    cv_.notify_one();
  }
  [[nodiscard]] std::size_t free_slots(std::size_t = 1) {
    std::lock_guard<std::mutex> g(mu_);
    return capacity() - (tail_ - head_);
  }

  // ---- consumer
  [[nodiscard]] const T* front() {
    std::lock_guard<std::mutex> g(mu_);
    if (head_ == tail_) return nullptr;
    return &slots_[head_ & mask_];
  }
  void pop() {
    {
      std::lock_guard<std::mutex> g(mu_);
      ++head_;
    }
    cv_.notify_one();
  }
  [[nodiscard]] bool try_pop(T& out) {
    {
      std::lock_guard<std::mutex> g(mu_);
      if (head_ == tail_) return false;
      out = slots_[head_ & mask_];
      ++head_;
    }
    cv_.notify_one();
    return true;
  }
  template <class F>
  std::size_t drain(F&& f, std::size_t max = SIZE_MAX) {
    std::size_t n = 0;
    T v;
    while (n < max && try_pop(v)) {
      f(v);
      ++n;
    }
    return n;
  }

  /// Blocks until the queue is non-empty or `timeout` passes. Consumer thread.
  template <class Rep, class Period>
  bool wait_nonempty(std::chrono::duration<Rep, Period> timeout) {
    std::unique_lock<std::mutex> lk(mu_);
    return cv_.wait_for(lk, timeout, [&] { return head_ != tail_; });
  }
  /// Blocks until a message is available and pops it (the seeds' queue.get()).
  void pop_wait(T& out) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return head_ != tail_; });
      out = slots_[head_ & mask_];
      ++head_;
    }
    cv_.notify_one();
  }
  /// Blocks until there is room and pushes (the seeds' queue.put()).
  void push_wait(const T& v) {
    {
      std::unique_lock<std::mutex> lk(mu_);
      cv_.wait(lk, [&] { return tail_ - head_ <= mask_; });
      slots_[tail_ & mask_] = v;
      ++tail_;
    }
    cv_.notify_one();
  }

  [[nodiscard]] std::size_t size_approx() const {
    std::lock_guard<std::mutex> g(mu_);
    return tail_ - head_;
  }

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<T> slots_;
  std::size_t mask_;
  std::size_t head_ = 0;
  std::size_t tail_ = 0;
};

}  // namespace tp
