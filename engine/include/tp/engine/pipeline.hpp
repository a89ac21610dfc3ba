// The assembled pipeline of SPEC §2 for replay: rings, the four stages, and the
// thread layouts that run them (docs/DESIGN.md "Layouts").
//
// Cold path: construction allocates every ring and table; run() starts and joins
// threads. The stages themselves never allocate once running.
#pragma once

#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "tp/engine/agent.hpp"
#include "tp/engine/config.hpp"
#include "tp/engine/stages.hpp"

namespace tp {

enum class Layout : uint8_t {
  Inline = 0,   ///< every agent, the persister too, on one thread
  Fused = 1,    ///< [feed+tracker+risk+gateway] on one hot thread + [persister]: the 2-core default
  Threads = 2,  ///< one thread per stage + persister
  Pairs = 3,    ///< [feed+tracker] [risk+gateway] + [persister]
};
/// "inline" | "fused" | "pairs" | "threads".
bool parse_layout(std::string_view s, Layout& out) noexcept;
const char* to_string(Layout l) noexcept;
/// Hot threads a layout uses (the persister's thread not counted; inline: 1).
int hot_threads(Layout l) noexcept;

/// The idle strategy hot threads actually get: `requested`, except that a Backoff
/// strategy turns into pure yielding when the busy threads (hot + persister) outnumber
/// the cores - then parking a stage for microseconds stalls the pipeline and spinning
/// steals the core its producer needs.
IdleConfig effective_idle(IdleConfig requested, int hot, unsigned cores) noexcept;

struct PipelineOptions {
  Layout layout = Layout::Fused;
  IdleConfig idle;                  ///< hot threads
  IdleConfig persister_idle{IdleKind::Backoff, 100, 10, 10'000, 1'000'000, 100'000};
  std::vector<int> cpus;            ///< CPU for each hot thread in order (empty = not pinned)
  int persister_cpu = -1;
  std::size_t event_ring = 4096;    ///< feed->tracker, tracker->risk capacity
  std::size_t order_ring = 256;     ///< risk->gateway, gateway->venue, gateway->tracker
  std::size_t journal_ring = 16384; ///< each stage's journal ring
};

/// Throws std::invalid_argument when a ring is too small for the most one input can
/// produce (events < SimVenue::kMaxReportsPerOrder, orders < kMaxOrdersPerEvent,
/// journal < kMaxJournalPerEvent): such a pipeline could never make progress.
void check_ring_sizes(std::size_t event_ring, std::size_t order_ring, std::size_t journal_ring);

/// Drains journal rings and throws the records away (runs without persistence, e.g.
/// benchmarks). Counts what it discarded.
class JournalDiscard final : public Agent {
 public:
  explicit JournalDiscard(std::vector<JournalRing*> rings) : rings_(std::move(rings)) {}
  int do_work() override;
  std::string_view name() const override { return "journal-null"; }
  [[nodiscard]] uint64_t consumed() const noexcept { return consumed_.load(std::memory_order_acquire); }

 private:
  std::vector<JournalRing*> rings_;
  std::atomic<uint64_t> consumed_{0};
};

class Pipeline {
 public:
  /// `input` must stay alive and unchanged while the pipeline exists.
  Pipeline(const Config& cfg, std::span<const InputEvent> input, uint32_t run_id,
           std::vector<std::pair<TradingDay, uint16_t>> group_floor, const PipelineOptions& opt);
  ~Pipeline();
  Pipeline(const Pipeline&) = delete;
  Pipeline& operator=(const Pipeline&) = delete;

  /// The journal rings (tracker, risk, gateway), for the persister.
  [[nodiscard]] std::vector<JournalRing*> journal_rings();

  /// Runs the replay to completion with the configured layout. `persister` drains the
  /// journal rings (nullptr: records are discarded); `persisted` returns how many
  /// records it has committed, and run() returns once the feed has finished, the
  /// pipeline is idle and persisted() == journaled(). Throws std::runtime_error if an
  /// agent throws (the exception of the first failing thread is rethrown).
  /// Pinning: throws std::invalid_argument before starting any thread when a CPU of
  /// `cpus` or `persister_cpu` cannot be used (cpu_pin_problem), and std::runtime_error
  /// (AgentRunner::pin_error, the threads stopped) when a pin fails all the same. The
  /// inline layout runs on the caller's thread and pins nothing.
  void run(Agent* persister, const std::function<uint64_t()>& persisted);

  /// Feed finished and every stage idle (any thread).
  [[nodiscard]] bool finished() const noexcept;
  /// Records the stages have pushed to their journal rings (any thread).
  [[nodiscard]] uint64_t journaled() const noexcept;

  [[nodiscard]] const FeedAgent& feed() const noexcept { return *feed_; }
  [[nodiscard]] const TrackerAgent& tracker() const noexcept { return *tracker_; }
  [[nodiscard]] const RiskAgent& risk() const noexcept { return *risk_; }
  [[nodiscard]] const GatewayAgent& gateway() const noexcept { return *gateway_; }
  [[nodiscard]] const PipelineOptions& options() const noexcept { return opt_; }
  /// Threads the last run() used (0 for inline).
  [[nodiscard]] int threads_used() const noexcept { return threads_used_; }

 private:
  PipelineOptions opt_;
  EventRing feed_to_tracker_;
  EventRing tracker_to_risk_;
  OrderRing risk_to_gateway_;
  OrderRing gateway_to_venue_;
  OrderRing gateway_to_tracker_;
  JournalRing tracker_journal_;
  JournalRing risk_journal_;
  JournalRing gateway_journal_;
  std::unique_ptr<TrackerAgent> tracker_;
  std::unique_ptr<RiskAgent> risk_;
  std::unique_ptr<GatewayAgent> gateway_;
  std::unique_ptr<FeedAgent> feed_;
  int threads_used_ = 0;
};

}  // namespace tp
