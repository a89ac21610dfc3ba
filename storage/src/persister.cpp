// tp::storage::Persister - see tp/storage/persister.hpp.
#include "tp/storage/persister.hpp"

#include <span>
#include <stdexcept>
#include <utility>

namespace tp::storage {

Persister::Persister(Store& store, uint32_t run_id, std::vector<SpscRing<JournalRecord>*> rings,
                     int batch_records)
    : store_(store), run_id_(run_id), rings_(std::move(rings)),
      batch_max_(batch_records > 0 ? static_cast<std::size_t>(batch_records) : 0) {
  if (batch_records < 1) throw std::invalid_argument("Persister: batch_records must be >= 1");
  for (const auto* r : rings_) {
    if (r == nullptr) throw std::invalid_argument("Persister: null journal ring");
  }
  batch_.resize(batch_max_);  // the only allocation: do_work() copies into this buffer
}

std::size_t Persister::fill() {
  std::size_t moved = 0;
  const std::size_t n = rings_.size();
  if (n == 0) return 0;
  // Passes over the rings, starting one ring further each call (round-robin fairness),
  // until the batch is full or a whole pass found every ring empty.
  const std::size_t first = next_ring_;
  next_ring_ = next_ring_ + 1 == n ? 0 : next_ring_ + 1;
  for (;;) {
    std::size_t pass = 0;
    for (std::size_t i = 0; i < n && pending_ < batch_max_; ++i) {
      SpscRing<JournalRecord>& ring = *rings_[(first + i) % n];
      JournalRecord* out = batch_.data() + pending_;
      const std::size_t got = ring.drain([&out](const JournalRecord& r) noexcept { *out++ = r; },
                                         batch_max_ - pending_);
      pending_ += got;
      pass += got;
    }
    moved += pass;
    if (pass == 0 || pending_ == batch_max_) return moved;
  }
}

int Persister::commit() {
  if (pending_ == 0) return 0;
  try {
    store_.write_batch(run_id_, std::span<const JournalRecord>(batch_.data(), pending_));
  } catch (...) {
    ++stats_.failed_commits;  // the batch stays pending; the next call retries it first
    throw;
  }
  const std::size_t n = pending_;
  pending_ = 0;
  stats_.records += n;
  stats_.batches += 1;
  if (n > stats_.max_batch) stats_.max_batch = n;
  // Single writer: a plain load + release store publishes the new total.
  committed_.store(committed_.load(std::memory_order_relaxed) + n, std::memory_order_release);
  return static_cast<int>(n);
}

int Persister::do_work() {
  const std::size_t moved = fill();
  // Commit when the batch is full, or when the rings were found empty with something
  // pending (fill() returns only in those two cases).
  const int committed = commit();
  if (moved > 0) return static_cast<int>(moved);
  return committed;
}

void Persister::on_close() {
  for (;;) {
    const std::size_t moved = fill();
    const int committed = commit();  // also a batch left pending by a failed commit
    if (moved == 0 && committed == 0) return;  // rings empty and nothing pending
  }
}

bool Persister::drained() const noexcept {
  if (pending_ != 0) return false;
  for (const auto* r : rings_) {
    if (!r->empty_approx()) return false;
  }
  return true;
}

}  // namespace tp::storage
