// A log-linear latency histogram (the HdrHistogram idea, sized for nanoseconds):
// values below 128 ns have their own bucket; above, each power of two is split into
// 64 equal sub-buckets, so any recorded value is reported within 1/64 (1.6%) of its
// true value. Covers 0 .. 2^40 ns (~18 minutes); larger values land in the top bucket.
//
// Threads: record() from one thread (the owner); read the percentiles after that
// thread has stopped or from the same thread. Never allocates after construction
// (the bucket array is a member). record() is O(1): a bit scan and an increment.
#pragma once

#include <array>
#include <bit>
#include <cstdint>

namespace tp {

class LatencyHistogram {
 public:
  static constexpr int kSubBits = 6;                  // 64 sub-buckets per power of two
  static constexpr int kSub = 1 << kSubBits;
  static constexpr int kMaxBits = 40;                 // 2^40 ns
  static constexpr int kBuckets = (kMaxBits - kSubBits + 1) * kSub + kSub;

  /// Records one value in ns (negative values count as 0). Never allocates.
  void record(int64_t v) noexcept {
    if (v < 0) v = 0;
    ++counts_[index_of(static_cast<uint64_t>(v))];
    ++total_;
    if (v > max_) max_ = v;
    if (v < min_) min_ = v;
    sum_ += v;
  }

  /// Records `v` and, to correct for coordinated omission at a fixed injection
  /// interval, the values v - interval, v - 2*interval, ... while they exceed the
  /// interval (what the requests that could not be sent while this one was stuck
  /// would have seen). interval_ns <= 0 records just v.
  void record_corrected(int64_t v, int64_t interval_ns) noexcept {
    record(v);
    if (interval_ns <= 0) return;
    for (int64_t missed = v - interval_ns; missed >= interval_ns; missed -= interval_ns) record(missed);
  }

  /// Value at quantile q in [0,1] (upper edge of the bucket that holds it, clamped
  /// to the maximum recorded). 0 when empty.
  [[nodiscard]] int64_t percentile(double q) const noexcept {
    if (total_ == 0) return 0;
    if (q <= 0) return min_;
    if (q >= 1) return max_;
    const auto rank = static_cast<uint64_t>(q * static_cast<double>(total_) + 0.5);
    const uint64_t target = rank == 0 ? 1 : rank;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
      seen += counts_[static_cast<std::size_t>(i)];
      if (seen >= target) {
        const int64_t hi = static_cast<int64_t>(upper_of(i));
        return hi < max_ ? hi : max_;
      }
    }
    return max_;
  }

  [[nodiscard]] uint64_t count() const noexcept { return total_; }
  [[nodiscard]] int64_t max() const noexcept { return total_ ? max_ : 0; }
  [[nodiscard]] int64_t min() const noexcept { return total_ ? min_ : 0; }
  [[nodiscard]] double mean() const noexcept {
    return total_ ? static_cast<double>(sum_) / static_cast<double>(total_) : 0.0;
  }

  void merge(const LatencyHistogram& o) noexcept {
    for (std::size_t i = 0; i < counts_.size(); ++i) counts_[i] += o.counts_[i];
    total_ += o.total_;
    sum_ += o.sum_;
    if (o.total_) {
      if (o.max_ > max_) max_ = o.max_;
      if (o.min_ < min_) min_ = o.min_;
    }
  }
  void reset() noexcept { *this = LatencyHistogram{}; }

  /// Bucket index of a value (exposed for tests).
  static int index_of(uint64_t v) noexcept {
    if (v < static_cast<uint64_t>(2 * kSub)) return static_cast<int>(v);  // exact below 128
    int msb = 63 - std::countl_zero(v);                                    // >= kSubBits + 1
    if (msb >= kMaxBits) return kBuckets - 1;
    const int shift = msb - kSubBits;
    const int sub = static_cast<int>(v >> shift) - kSub;                   // 0..63
    return 2 * kSub + (msb - kSubBits - 1) * kSub + sub;
  }
  /// Largest value that maps to bucket i.
  static uint64_t upper_of(int i) noexcept {
    if (i < 2 * kSub) return static_cast<uint64_t>(i);
    const int k = (i - 2 * kSub) / kSub;  // msb - kSubBits - 1
    const int sub = (i - 2 * kSub) % kSub;
    const int shift = k + 1;
    return ((static_cast<uint64_t>(kSub + sub) + 1) << shift) - 1;
  }

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
  int64_t max_ = 0;
  int64_t min_ = INT64_MAX;
  int64_t sum_ = 0;
};

}  // namespace tp
