// libFuzzer target: the binary tick format reader (read_binary; MappedTicks runs the same
// checks on a mapping). The header checksum is recomputed and the records' checksum is
// not verified, so that the fuzzer reaches the record validation instead of stopping at
// a checksum it cannot forge. See fuzz_check.hpp.
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

#include "fuzz_check.hpp"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string bytes(reinterpret_cast<const char*>(data), size);
  if (bytes.size() >= sizeof(tp::BinaryHeader)) {
    tp::BinaryHeader h;
    std::memcpy(&h, bytes.data(), sizeof h);
    h.header_xxh64 = tp::binary_header_checksum(h);
    std::memcpy(bytes.data(), &h, sizeof h);
  }
  tp::fuzz::run([&](const tp::Instrument& inst, tp::ReadOptions opt) {
    opt.verify_checksum = false;
    opt.tick_rule = tp::TickRuleConfig{};  // as converted, so the events are used as stored
    opt.skip_bad = false;                  // not applicable to binary files
    return tp::read_binary("fuzz.tpk", bytes, inst, opt);
  });
  return 0;
}
