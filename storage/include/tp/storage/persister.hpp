// tp::storage::Persister - the agent that drains the journal rings into LMDB in
// batched write transactions (SPEC §2, §5). It runs off the hot path, on its own
// thread (fused/pairs/threads layouts) or as the last agent of the inline layout.
//
// Guarantees: never drops a record; commits records in journal key order (seq, stage,
// sub), never a record above the pipeline's journal watermark (the `done_seq` it is
// given: every record for an origin seq <= done_seq is already in the rings). Every
// committed state is therefore a prefix of the one event stream: whenever the process
// dies, the journal in LMDB is the first N records of the run in key order and the
// tables are their effect (docs/DESIGN.md "Crash consistency"). A failed commit keeps
// the batch pending and retries it first.
// Back-pressure is the producers' side: they check free_slots() before producing; a
// slow persister only makes them wait. Records above the watermark are moved out of the
// rings into per-ring staging (so a ring never fills up waiting for another stage) and
// committed once the watermark passes them.
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
  uint64_t held_max = 0;  ///< most records staged at once waiting for the watermark
  // A restart's recovery (set_recovery): the records the stages derived again.
  uint64_t recovery_matched = 0;   ///< identical to the record the recovered run journaled: dropped
  uint64_t recovery_differed = 0;  ///< different from it (the recovery diverged): dropped, counted
  uint64_t recovery_new = 0;       ///< not journaled before (past the crash point): committed now
};

/// What a restart recovers (docs/DESIGN.md "Restart"): the seq ranges of the recovered
/// runs, oldest first. A record with seq <= the last range's end was derived again from
/// the recorded events; it is compared with the record its run journaled at the same key
/// (or, past that run's crash point, the record a later run of the chain journaled) and
/// dropped, or committed now if none exists.
struct RecoveryRanges {
  struct Range {
    uint64_t last_seq;  ///< the range is (previous last_seq, last_seq]
    uint32_t run_id;
  };
  std::vector<Range> ranges;
  [[nodiscard]] uint64_t through() const noexcept { return ranges.empty() ? 0 : ranges.back().last_seq; }
};

class Persister final : public Agent {
 public:
  /// `rings`: the journal rings of the producing stages (consumer side is ours; none may
  /// be null); each ring's records must be in key order (every stage's are).
  /// `batch_records`: commit when this many records are pending, or when nothing more is
  /// committable and something is pending. `done_seq`: the pipeline's journal watermark
  /// (PipelineT::journal_done_seq()); records with seq <= *done_seq are committable, and
  /// so are feed-stage records with seq == *done_seq + 1 (a feed journals before the
  /// event it emits next). Null: every drained record is committable (a lone ring, tests).
  /// Allocates its batch buffer and staging once here. `store`, the rings and done_seq
  /// must outlive the Persister. Throws std::invalid_argument if batch_records < 1 or a
  /// ring is null.
  Persister(Store& store, uint32_t run_id, std::vector<SpscRing<JournalRecord>*> rings,
            int batch_records, const std::atomic<uint64_t>* done_seq = nullptr);

  /// Reads the watermark, drains every ring into its staging, merges the committable
  /// records into the batch in key order until it is full or none is left, then commits
  /// the batch if anything is pending. Persister thread only. Allocates only when more
  /// records wait for the watermark than a ring holds (staging grows; LMDB may allocate
  /// internally).
  /// Blocks on LMDB (and fsync under the Durable policy) - which is why it is off the hot
  /// path. Returns the records taken from the rings, or, if none were but a pending batch
  /// was committed (a retry), that batch's size; 0 means idle.
  /// Throws StorageError from Store::write_batch (MDB_MAP_FULL, ENOSPC, ...): the batch
  /// stays pending and the next do_work()/on_close() retries it; nothing is lost.
  int do_work() override;
  std::string_view name() const override { return "persister"; }
  /// A restart: check and drop the records the recovery derives again (see
  /// RecoveryRanges). Call before the first do_work().
  void set_recovery(RecoveryRanges r) { recovery_ = std::move(r); }

  /// Drains every ring and commits everything staged, in key order and regardless of the
  /// watermark, until the rings are empty and nothing is pending. Call after the
  /// producers have stopped. Throws StorageError like do_work().
  void on_close() override;

  /// True when every ring and staging is empty and nothing is pending (persister thread, or any
  /// thread after the runner has stopped; from other threads a snapshot).
  bool drained() const noexcept;
  /// Records committed so far (and, in a recovery, records checked and dropped). Any
  /// thread: acquire load pairing with the release store after each commit, so a reader
  /// that sees n also sees those records in the Store.
  uint64_t committed() const noexcept { return committed_.load(std::memory_order_acquire); }
  /// Records taken from the rings but not committed yet (persister thread).
  std::size_t pending() const noexcept { return pending_; }
  /// Counters (persister thread, or any thread after the runner has stopped).
  const PersisterStats& stats() const noexcept { return stats_; }

 private:
  struct Staging {
    std::vector<JournalRecord> v;  // [head, size) waits, in key order
    std::size_t head = 0;
  };
  std::size_t drain();                 // rings -> staging; returns records moved
  void merge(uint64_t done);           // staging -> batch, key order, committable only
  bool recovered_again(const JournalRecord& r);  // true: checked and dropped
  int commit();                        // writes the pending batch; returns its size
  Store& store_;
  uint32_t run_id_;
  std::vector<SpscRing<JournalRecord>*> rings_;
  const std::atomic<uint64_t>* done_seq_;
  std::vector<Staging> staging_;       // one per ring
  std::vector<JournalRecord> batch_;  // sized batch_max_ once; [0, pending_) is pending
  std::size_t batch_max_;
  std::size_t pending_ = 0;
  RecoveryRanges recovery_;
  uint64_t dropped_ = 0;               // recovery records dropped, not yet published
  PersisterStats stats_;
  std::atomic<uint64_t> committed_{0};
};

}  // namespace tp::storage
