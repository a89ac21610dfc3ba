// FIFO lot assignment (SPEC §4 "Lot rules"): every entry allocates its own groups (the
// next free group ids of the trading day); the i-th filled lot of that entry (0-based,
// in fill order across its groups) gets rule (i mod lots_per_group) + 1 and group
// (i div lots_per_group) from the entry's first group id. Lots of two entries never share
// a group, so one entry's profit never funds another's stop.
//
// Group ids are 32-bit and unique per (trading day, group id) across runs on one store;
// an allocation that would pass kMaxGroupId is refused, never wrapped.
//
// Constexpr, no allocation, any thread.
#pragma once

#include <cstdint>

namespace tp {

inline constexpr uint32_t kMaxGroupId = 0xFFFF'FFF0u;

struct LotSlot {
  uint8_t rule = 0;     ///< 1..lots_per_group
  uint32_t group = 0;   ///< display group id
};

/// Rule and group of the `fill_index`-th filled lot of an entry whose first group is
/// `first_group`. Precondition: 0 <= fill_index < groups * lots_per_group, lots_per_group >= 1.
[[nodiscard]] constexpr LotSlot fifo_slot(int fill_index, int lots_per_group, uint32_t first_group) noexcept {
  return LotSlot{static_cast<uint8_t>(fill_index % lots_per_group + 1),
                 first_group + static_cast<uint32_t>(fill_index / lots_per_group)};
}

/// Whether `groups` more ids fit after `next_group` (the first id to allocate).
[[nodiscard]] constexpr bool group_ids_left(uint32_t next_group, int groups) noexcept {
  return next_group >= 1 && next_group <= kMaxGroupId && kMaxGroupId - next_group + 1 >= static_cast<uint32_t>(groups);
}

}  // namespace tp
