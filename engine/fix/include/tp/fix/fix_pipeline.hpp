// The live pipeline (SPEC §3.2): the one PipelineT of replay with the FIX feed as its
// ingress and its venue (fix_feed.hpp). Same stages, strategy and journal as replay.
// Cold path: construction allocates; see PipelineT for the threads.
#pragma once

#include <memory>

#include "tp/fix/fix_feed.hpp"

namespace tp::fix {

using FixPipeline = PipelineT<SpscRing, FixFeed>;

/// The SPEC §4 strategy with `run_id` and the store's group floor, trading through the
/// two FIX sessions of `fix`.
inline std::unique_ptr<FixPipeline> make_fix_pipeline(const Config& cfg, const FixFeedConfig& fix, uint32_t run_id,
                                                      GroupFloor floor, const PipelineOptions& opt) {
  return std::make_unique<FixPipeline>(
      cfg, [&fix](const FeedPorts<SpscRing>& p) { return std::make_unique<FixFeed>(fix, p); }, run_id,
      std::move(floor), opt);
}

}  // namespace tp::fix

namespace tp {
extern template class PipelineT<SpscRing, fix::FixFeed>;
}
