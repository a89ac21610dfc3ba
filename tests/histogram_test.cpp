// LatencyHistogram: bucket precision, percentiles, coordinated-omission correction.
#include <gtest/gtest.h>

#include "tp/engine/latency_histogram.hpp"

namespace tp {
namespace {

TEST(LatencyHistogram, SmallValuesAreExact) {
  for (uint64_t v = 0; v < 128; ++v) {
    EXPECT_EQ(LatencyHistogram::index_of(v), static_cast<int>(v));
    EXPECT_EQ(LatencyHistogram::upper_of(static_cast<int>(v)), v);
  }
}

TEST(LatencyHistogram, BucketsAreWithinOneSixtyFourthAndContiguous) {
  for (uint64_t v = 128; v < (1ull << 30); v = v * 3 / 2 + 7) {
    const int i = LatencyHistogram::index_of(v);
    const uint64_t hi = LatencyHistogram::upper_of(i);
    EXPECT_GE(hi, v);
    EXPECT_LE(static_cast<double>(hi - v), static_cast<double>(v) / 64.0 + 1.0);
    EXPECT_EQ(LatencyHistogram::index_of(hi), i);
    EXPECT_EQ(LatencyHistogram::index_of(hi + 1), i + 1);
  }
}

TEST(LatencyHistogram, PercentilesOfAUniformSample) {
  LatencyHistogram h;
  for (int v = 1; v <= 100'000; ++v) h.record(v);
  EXPECT_EQ(h.count(), 100'000u);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.50)), 50'000, 50'000 / 64.0);
  EXPECT_NEAR(static_cast<double>(h.percentile(0.99)), 99'000, 99'000 / 64.0);
  EXPECT_EQ(h.max(), 100'000);
  EXPECT_EQ(h.min(), 1);
  EXPECT_EQ(h.percentile(1.0), 100'000);
}

TEST(LatencyHistogram, EmptyReportsZero) {
  LatencyHistogram h;
  EXPECT_EQ(h.percentile(0.5), 0);
  EXPECT_EQ(h.max(), 0);
  EXPECT_EQ(h.count(), 0u);
}

TEST(LatencyHistogram, CoordinatedOmissionCorrectionAddsTheMissedSamples) {
  LatencyHistogram h;
  h.record_corrected(1'000, 100);  // 1000, 900, ..., 100
  EXPECT_EQ(h.count(), 10u);
  EXPECT_EQ(h.min(), 100);
  EXPECT_EQ(h.max(), 1'000);
}

TEST(LatencyHistogram, MergeAddsCounts) {
  LatencyHistogram a, b;
  a.record(10);
  b.record(1'000'000);
  a.merge(b);
  EXPECT_EQ(a.count(), 2u);
  EXPECT_EQ(a.max(), 1'000'000);
  EXPECT_EQ(a.min(), 10);
}

}  // namespace
}  // namespace tp
