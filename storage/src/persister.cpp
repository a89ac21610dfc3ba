// tp::storage::Persister - see tp/storage/persister.hpp.
#include "tp/storage/persister.hpp"

#include <cstring>
#include <span>
#include <stdexcept>
#include <tuple>
#include <utility>

namespace tp::storage {

namespace {

bool key_less(const JournalRecord& a, const JournalRecord& b) noexcept {
  return std::tie(a.seq, a.stage, a.sub) < std::tie(b.seq, b.stage, b.sub);
}

// Below the watermark, or a feed record keyed before the event the feed emits next:
// nothing with a smaller key can still be produced (docs/DESIGN.md "Crash consistency").
bool committable(const JournalRecord& r, uint64_t done) noexcept {
  return r.seq <= done || (r.stage == Stage::Feed && done != UINT64_MAX && r.seq == done + 1);
}

}  // namespace

Persister::Persister(Store& store, uint32_t run_id, std::vector<SpscRing<JournalRecord>*> rings,
                     int batch_records, const std::atomic<uint64_t>* done_seq)
    : store_(store), run_id_(run_id), rings_(std::move(rings)), done_seq_(done_seq),
      batch_max_(batch_records > 0 ? static_cast<std::size_t>(batch_records) : 0) {
  if (batch_records < 1) throw std::invalid_argument("Persister: batch_records must be >= 1");
  for (const auto* r : rings_) {
    if (r == nullptr) throw std::invalid_argument("Persister: null journal ring");
  }
  batch_.resize(batch_max_);
  staging_.resize(rings_.size());
  for (std::size_t i = 0; i < rings_.size(); ++i) staging_[i].v.reserve(rings_[i]->capacity());
}

std::size_t Persister::drain() {
  std::size_t moved = 0;
  std::size_t held = 0;
  for (std::size_t i = 0; i < rings_.size(); ++i) {
    Staging& st = staging_[i];
    if (st.head == st.v.size()) {
      st.v.clear();
      st.head = 0;
    } else if (st.head > 0 && st.head >= st.v.size() / 2) {
      st.v.erase(st.v.begin(), st.v.begin() + static_cast<std::ptrdiff_t>(st.head));
      st.head = 0;
    }
    moved += rings_[i]->drain([&st](const JournalRecord& r) { st.v.push_back(r); });
    held += st.v.size() - st.head;
  }
  if (held > stats_.held_max) stats_.held_max = held;
  return moved;
}

bool Persister::recovered_again(const JournalRecord& r) {
  const std::vector<RecoveryRanges::Range>& rs = recovery_.ranges;
  if (rs.empty() || r.seq > rs.back().last_seq) return false;
  std::size_t i = 0;
  while (rs[i].last_seq < r.seq) ++i;
  const JournalRecord mine = Store::canonical(r);
  for (; i < rs.size(); ++i) {  // its run; past that run's crash point, a later run's tail
    JournalRecord stored;
    if (!store_.get_journal(rs[i].run_id, r.seq, r.stage, r.sub, stored)) continue;
    if (std::memcmp(&stored, &mine, sizeof mine) == 0) {
      ++stats_.recovery_matched;
    } else {
      ++stats_.recovery_differed;
    }
    ++dropped_;
    return true;
  }
  ++stats_.recovery_new;
  return false;
}

void Persister::merge(uint64_t done) {
  while (pending_ < batch_max_) {
    Staging* best = nullptr;
    for (Staging& st : staging_) {
      if (st.head == st.v.size()) continue;
      const JournalRecord& r = st.v[st.head];
      if (!committable(r, done)) continue;
      if (best == nullptr || key_less(r, best->v[best->head])) best = &st;
    }
    if (best == nullptr) return;
    const JournalRecord& r = best->v[best->head++];
    if (recovered_again(r)) continue;
    batch_[pending_++] = r;
  }
}

int Persister::commit() {
  if (dropped_ > 0) {  // checked recovery records count as handled
    committed_.store(committed_.load(std::memory_order_relaxed) + dropped_, std::memory_order_release);
    dropped_ = 0;
  }
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
  // The watermark first: every record at or below it is in a ring by now, so the drain
  // that follows has them all.
  const uint64_t done = done_seq_ != nullptr ? done_seq_->load(std::memory_order_acquire) : UINT64_MAX;
  const std::size_t moved = drain();
  // A batch left pending by a failed commit is retried before anything is added to it.
  if (pending_ == 0) merge(done);
  const int committed = commit();
  if (moved > 0) return static_cast<int>(moved);
  return committed;
}

void Persister::on_close() {
  // The producers have stopped: everything staged is final.
  for (;;) {
    const std::size_t moved = drain();
    if (pending_ == 0) merge(UINT64_MAX);
    const int committed = commit();  // also a batch left pending by a failed commit
    if (moved == 0 && committed == 0) return;  // rings and staging empty, nothing pending
  }
}

bool Persister::drained() const noexcept {
  if (pending_ != 0) return false;
  for (const Staging& st : staging_) {
    if (st.head != st.v.size()) return false;
  }
  for (const auto* r : rings_) {
    if (!r->empty_approx()) return false;
  }
  return true;
}

}  // namespace tp::storage
