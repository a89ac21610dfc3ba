// libFuzzer target: the Capital 1-minute bar CSV reader (read_capital_bars). See
// fuzz_check.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tp::fuzz::run([&](const tp::Instrument& inst, const tp::ReadOptions& opt) {
    return tp::read_capital_bars("fuzz.csv", text, inst, opt);
  });
  return 0;
}
