// tp::storage::Persister - the agent that drains the journal rings into LMDB in
// batched write transactions (SPEC §2, §5). It runs off the hot path, on its own
// thread (threads/fused layouts) or as the last agent of the inline layout.
#pragma once

#include <cstdint>
#include <vector>

#include "tp/engine/agent.hpp"
#include "tp/engine/journal.hpp"
#include "tp/ring/spsc_ring.hpp"
#include "tp/storage/store.hpp"

namespace tp::storage {

struct PersisterStats {
  uint64_t records = 0;   ///< records committed
  uint64_t batches = 0;   ///< write transactions committed
  uint64_t max_batch = 0; ///< largest batch
};

class Persister final : public Agent {
 public:
  /// `rings`: the journal rings of the producing stages (consumer side is ours).
  /// `batch_records`: commit when this many records are pending, or when the rings
  /// are empty and something is pending. Allocates its batch buffer once here.
  Persister(Store& store, uint32_t run_id, std::vector<SpscRing<JournalRecord>*> rings,
            int batch_records);

  /// Drains up to batch_records records from the rings and commits them. Blocks on
  /// LMDB (and fsync under the Durable policy) - which is why it is off the hot path.
  /// Throws StorageError on a failed commit (the records stay pending; nothing is lost).
  int do_work() override;
  std::string_view name() const override { return "persister"; }
  void on_close() override;

  /// True when every ring is empty and nothing is pending (persister thread, or any
  /// thread after the runner has stopped).
  bool drained() const noexcept;
  /// Records committed so far (any thread; relaxed snapshot).
  uint64_t committed() const noexcept { return committed_.load(std::memory_order_acquire); }
  const PersisterStats& stats() const noexcept { return stats_; }

 private:
  int commit();
  Store& store_;
  uint32_t run_id_;
  std::vector<SpscRing<JournalRecord>*> rings_;
  std::vector<JournalRecord> batch_;
  std::size_t batch_max_;
  PersisterStats stats_;
  std::atomic<uint64_t> committed_{0};
};

}  // namespace tp::storage
