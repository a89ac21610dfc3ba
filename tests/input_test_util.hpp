// Helpers shared by the input reader/writer tests (input_*_test.cpp).
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>

#include "tp/engine/instrument.hpp"

namespace tp::testing {

/// The built-in MTX instrument (tick size 1 point, 50 TWD a point).
inline Instrument mtx() {
  Instrument i;
  EXPECT_TRUE(builtin_instrument("MTX", i));
  return i;
}

/// A scratch file named after the running test (and the process), removed at the end
/// of the test together with a writer's "<path>.tmp".
class TempFile {
 public:
  /// Only names the path; the file does not exist yet.
  explicit TempFile(const std::string& stem) {
    const auto* info = ::testing::UnitTest::GetInstance()->current_test_info();
    path_ = ::testing::TempDir() + "tp_" + info->test_suite_name() + "_" + info->name() + "_" +
            std::to_string(::getpid()) + "_" + stem;
  }
  /// Creates the file with `content` (which may be empty).
  TempFile(const std::string& stem, std::string_view content) : TempFile(stem) { write(content); }
  ~TempFile() {
    std::remove(path_.c_str());
    std::remove((path_ + ".tmp").c_str());
  }
  TempFile(const TempFile&) = delete;
  TempFile& operator=(const TempFile&) = delete;

  const std::string& path() const { return path_; }
  std::string read() const {
    std::ifstream f(path_, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(f), {});
  }
  void write(std::string_view bytes) const {
    std::ofstream(path_, std::ios::binary | std::ios::trunc) << bytes;
  }

 private:
  std::string path_;
};

}  // namespace tp::testing
