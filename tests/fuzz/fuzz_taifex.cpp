// libFuzzer target: the TAIFEX daily CSV reader (read_taifex_csv). See fuzz_check.hpp.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  tp::fuzz::run([&](const tp::Instrument& inst, const tp::ReadOptions& opt) {
    return tp::read_taifex_csv("fuzz.csv", text, inst, opt);
  });
  return 0;
}
