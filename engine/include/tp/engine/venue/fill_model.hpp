// How the simulated venue of replay decides what a FOK / IOC order can fill (config
// venue.fill_model, venue.slippage_ticks; docs/DESIGN.md "Fill models"). One small header
// so that the configuration and the venue share the names without including each other.
//
// Plain data, any thread; never allocates.
#pragma once

#include <cstdint>

namespace tp {

/// The fill models of SimVenue (exact rules in sim_venue.hpp and docs/DESIGN.md).
enum class FillModel : uint8_t {
  Book = 0,          ///< match against the recorded (or tick-rule) book as it is: the default
  TradeThrough = 1,  ///< Book, and only what printed at or through the limit while the order was in flight
  Slippage = 2,      ///< match against the book moved `slippage_ticks` worse on each side
};

/// Largest venue.slippage_ticks.
inline constexpr int32_t kMaxSlippageTicks = 100;

/// The model a SimVenue matches with.
struct FillModelConfig {
  FillModel model = FillModel::Book;
  int32_t slippage_ticks = 0;  ///< ticks, 0..kMaxSlippageTicks; used by FillModel::Slippage only
};

/// "book", "trade_through", "slippage" (the config's names).
constexpr const char* to_string(FillModel m) noexcept {
  switch (m) {
    case FillModel::Book: return "book";
    case FillModel::TradeThrough: return "trade_through";
    case FillModel::Slippage: return "slippage";
  }
  return "?";
}

}  // namespace tp
