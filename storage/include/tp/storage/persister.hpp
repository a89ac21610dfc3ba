// tp::storage::Persister - the agent that drains the journal rings into LMDB in
// batched write transactions (SPEC §2, §5). It runs off the hot path, on its own
// thread (fused/pairs/threads layouts) or as the last agent of the inline layout.
//
// Guarantees: never drops a record and never reorders the records of one ring (each
// ring is consumed in order and batches are committed in order; a failed commit keeps
// the batch pending and retries it first). Records of different rings interleave in
// the order they were drained - the tables do not depend on that interleaving (see
// store.hpp) and journal keys sort them by event.
// Back-pressure is the producers' side: they check free_slots() before producing; a
// slow persister only makes them wait.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <vector>

#include "tp/ring/agent.hpp"
#include "tp/engine/journal.hpp"
#include "tp/ring/spsc_ring.hpp"
#include "tp/storage/store.hpp"

namespace tp::storage {

struct PersisterStats {
  uint64_t records = 0;   ///< records committed
  uint64_t batches = 0;   ///< write transactions committed
  uint64_t max_batch = 0; ///< largest batch
  uint64_t failed_commits = 0;  ///< write_batch calls that threw (records kept pending)
};

class Persister final : public Agent {
 public:
  /// `rings`: the journal rings of the producing stages (consumer side is ours; none may
  /// be null). `batch_records`: commit when this many records are pending, or when the
  /// rings are empty and something is pending. Allocates its batch buffer once here.
  /// `store` and the rings must outlive the Persister. Throws std::invalid_argument if
  /// batch_records < 1 or a ring is null.
  Persister(Store& store, uint32_t run_id, std::vector<SpscRing<JournalRecord>*> rings,
            int batch_records);

  /// Drains the rings round-robin (starting one ring further each call) into the batch
  /// until it is full or every ring is empty, then commits the batch if it is full or
  /// anything is pending. Persister thread only. Never allocates (LMDB may, internally).
  /// Blocks on LMDB (and fsync under the Durable policy) - which is why it is off the hot
  /// path. Returns the records taken from the rings, or, if none were but a pending batch
  /// was committed (a retry), that batch's size; 0 means idle.
  /// Throws StorageError from Store::write_batch (MDB_MAP_FULL, ENOSPC, ...): the batch
  /// stays pending and the next do_work()/on_close() retries it; nothing is lost.
  int do_work() override;
  std::string_view name() const override { return "persister"; }
  /// Drains every ring and commits until the rings are empty and nothing is pending.
  /// Call after the producers have stopped. Throws StorageError like do_work().
  void on_close() override;

  /// True when every ring is empty and nothing is pending (persister thread, or any
  /// thread after the runner has stopped; from other threads a snapshot).
  bool drained() const noexcept;
  /// Records committed so far. Any thread: acquire load pairing with the release store
  /// after each commit, so a reader that sees n also sees those n records in the Store.
  uint64_t committed() const noexcept { return committed_.load(std::memory_order_acquire); }
  /// Records taken from the rings but not committed yet (persister thread).
  std::size_t pending() const noexcept { return pending_; }
  /// Counters (persister thread, or any thread after the runner has stopped).
  const PersisterStats& stats() const noexcept { return stats_; }

 private:
  std::size_t fill();  // drains into the batch; returns records moved
  int commit();        // writes the pending batch; returns its size
  Store& store_;
  uint32_t run_id_;
  std::vector<SpscRing<JournalRecord>*> rings_;
  std::vector<JournalRecord> batch_;  // sized batch_max_ once; [0, pending_) is pending
  std::size_t batch_max_;
  std::size_t pending_ = 0;
  std::size_t next_ring_ = 0;
  PersisterStats stats_;
  std::atomic<uint64_t> committed_{0};
};

}  // namespace tp::storage
