// Zero heap allocations on the hot path in steady state (SPEC §8, issue #3 §5).
//
// This binary replaces the global operator new / new[] / delete / delete[] (every
// sized, aligned and nothrow form) with versions that count calls made on hot threads
// while the counter is armed. "Hot" is every thread except the ones a test marks
// exempt (thread_local flag): the driver thread that sleeps in Pipeline::run() and the
// persister's thread. In the inline layout the driver thread IS the hot thread, so it is
// not exempt there.
//
// The counting window is opened and closed by the agent that takes the persister's place
// in Pipeline::run() (CountingWindow, wrapping JournalDiscard or the real LMDB Persister),
// so no engine code is touched and the real run() loop is what gets measured:
//   * inline:  opened in on_start(), i.e. after run()'s own set-up and just before the
//              first duty cycle;
//   * fused / pairs / threads: opened before run() starts the threads (the driver is
//              exempt), so the hot threads are counted from their first instruction; the
//              persister thread marks itself exempt in on_start();
//   * closed once the pipeline has finished and every journal record is drained, before
//     run() can notice (it stops the threads and tears down after that).
// kWarmupEvents = 0: counting starts at the very first event; nothing in the stages is
// allocated lazily, so no warm-up is needed. Each
// counted allocation is recorded with its thread name and call stack and printed,
// symbolized with addr2line.
//
// Not counted: malloc/calloc/realloc called directly (C code: LMDB, libc). The stages
// are C++ and allocate, if ever, through operator new.
//
// Sanitizer builds replace operator new themselves: the tests are skipped there and the
// replacement is compiled out.
#include <gtest/gtest.h>

#include <dlfcn.h>
#include <execinfo.h>
#include <pthread.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <new>
#include <string>
#include <vector>

#include "tp/app/replay.hpp"
#include "tp/engine/pipeline/pipeline.hpp"
#include "tp/storage/persister.hpp"
#include "tp/storage/store.hpp"
#include "tp/storage/temp_dir.hpp"
#include "real_day_util.hpp"

#include "alloc_counting.hpp"

namespace tp::alloc_count {

constexpr int kMaxSites = 16;
constexpr int kMaxFrames = 24;

/// One recorded allocation (the first kMaxSites while armed).
struct Site {
  void* frames[kMaxFrames];
  int depth;
  std::size_t bytes;  ///< 0 for a delete
  char thread[16];
};

std::atomic<bool> g_armed{false};
thread_local bool t_exempt = false;   ///< this thread is not a hot thread
thread_local bool t_recording = false;  ///< re-entrancy guard while recording a site
std::atomic<uint64_t> g_hot_news{0};
std::atomic<uint64_t> g_hot_deletes{0};
std::atomic<uint64_t> g_other_news{0};  ///< armed, on exempt threads (for information)
std::atomic<int> g_sites_used{0};
Site g_sites[kMaxSites];

inline void record(std::size_t bytes) noexcept {
  const int i = g_sites_used.fetch_add(1, std::memory_order_relaxed);
  if (i >= kMaxSites || t_recording) return;
  t_recording = true;
  Site& s = g_sites[i];
  s.depth = backtrace(s.frames, kMaxFrames);  // pre-warmed: no allocation from here on
  s.bytes = bytes;
  s.thread[0] = '\0';
  pthread_getname_np(pthread_self(), s.thread, sizeof s.thread);
  t_recording = false;
}

inline void on_new(std::size_t bytes) noexcept {
  if (!g_armed.load(std::memory_order_relaxed)) return;
  if (t_exempt) {
    g_other_news.fetch_add(1, std::memory_order_relaxed);
    return;
  }
  g_hot_news.fetch_add(1, std::memory_order_relaxed);
  record(bytes == 0 ? 1 : bytes);
}

inline void on_delete(void* p) noexcept {
  if (p == nullptr || !g_armed.load(std::memory_order_relaxed) || t_exempt) return;
  g_hot_deletes.fetch_add(1, std::memory_order_relaxed);
  record(0);
}

void reset() noexcept {
  g_hot_news.store(0);
  g_hot_deletes.store(0);
  g_other_news.store(0);
  g_sites_used.store(0);
}

/// Runs addr2line once on `addrs` (hex offsets into `file`); one line per address.
std::vector<std::string> symbolize(const std::string& file, const std::vector<std::string>& addrs) {
  std::string cmd = "addr2line -f -C -p -e '" + file + "'";
  for (const std::string& a : addrs) cmd += " " + a;
  std::vector<std::string> lines;
  if (FILE* p = popen((cmd + " 2>/dev/null").c_str(), "r")) {
    char buf[1024];
    while (std::fgets(buf, sizeof buf, p) != nullptr) {
      std::string l(buf);
      if (!l.empty() && l.back() == '\n') l.pop_back();
      lines.push_back(l);
    }
    pclose(p);
  }
  lines.resize(addrs.size(), "?");
  return lines;
}

/// The recorded sites, one "binary+offset  function at file:line" line per frame
/// (cold; called after the run; needs binutils' addr2line, else prints offsets only).
std::string describe_sites() {
  std::string out;
  const int n = std::min(g_sites_used.load(), kMaxSites);
  for (int i = 0; i < n; ++i) {
    const Site& s = g_sites[i];
    out += "  #" + std::to_string(i) + (s.bytes ? " new " + std::to_string(s.bytes) + " bytes" : std::string(" delete")) +
           " on thread '" + s.thread + "':\n";
    // Frame 0 is record(). Consecutive frames of one binary are symbolized together.
    int f = 1;
    while (f < s.depth) {
      Dl_info info{};
      if (dladdr(s.frames[f], &info) == 0 || info.dli_fname == nullptr) {
        char line[64];
        std::snprintf(line, sizeof line, "    %p\n", s.frames[f]);
        out += line;
        ++f;
        continue;
      }
      const std::string file = info.dli_fname;
      const std::string base = file.substr(file.rfind('/') + 1);
      std::vector<std::string> addrs;
      for (; f < s.depth; ++f) {
        Dl_info fi{};
        if (dladdr(s.frames[f], &fi) == 0 || fi.dli_fname == nullptr || file != fi.dli_fname) break;
        // The return address points after the call: step back into it.
        const auto off = reinterpret_cast<uintptr_t>(s.frames[f]) - reinterpret_cast<uintptr_t>(fi.dli_fbase) - 1;
        char hex[32];
        std::snprintf(hex, sizeof hex, "0x%zx", static_cast<std::size_t>(off));
        addrs.emplace_back(hex);
      }
      const std::vector<std::string> lines = symbolize(file, addrs);
      for (std::size_t k = 0; k < addrs.size(); ++k) out += "    " + base + "+" + addrs[k] + "  " + lines[k] + "\n";
    }
  }
  return out;
}

}  // namespace tp::alloc_count

#if TP_ALLOC_COUNTING
// ------------------------------------------------------- the replaced operators
// GCC flags free() on memory from operator new once both are inlined into one caller;
// here that pairing is the point (new = malloc/posix_memalign, delete = free).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
namespace {
void* plain_alloc(std::size_t n) noexcept { return std::malloc(n == 0 ? 1 : n); }
void* aligned_alloc_(std::size_t n, std::align_val_t al) noexcept {
  std::size_t a = static_cast<std::size_t>(al);
  if (a < sizeof(void*)) a = sizeof(void*);
  void* p = nullptr;
  return posix_memalign(&p, a, n == 0 ? 1 : n) == 0 ? p : nullptr;
}
void* checked(void* p) {
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
}  // namespace

void* operator new(std::size_t n) { tp::alloc_count::on_new(n); return checked(plain_alloc(n)); }
void* operator new[](std::size_t n) { tp::alloc_count::on_new(n); return checked(plain_alloc(n)); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { tp::alloc_count::on_new(n); return plain_alloc(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { tp::alloc_count::on_new(n); return plain_alloc(n); }
void* operator new(std::size_t n, std::align_val_t al) { tp::alloc_count::on_new(n); return checked(aligned_alloc_(n, al)); }
void* operator new[](std::size_t n, std::align_val_t al) { tp::alloc_count::on_new(n); return checked(aligned_alloc_(n, al)); }
void* operator new(std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  tp::alloc_count::on_new(n);
  return aligned_alloc_(n, al);
}
void* operator new[](std::size_t n, std::align_val_t al, const std::nothrow_t&) noexcept {
  tp::alloc_count::on_new(n);
  return aligned_alloc_(n, al);
}
void operator delete(void* p) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete[](void* p) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete(void* p, std::size_t) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { tp::alloc_count::on_delete(p); std::free(p); }
void operator delete(void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  tp::alloc_count::on_delete(p);
  std::free(p);
}
void operator delete[](void* p, std::align_val_t, const std::nothrow_t&) noexcept {
  tp::alloc_count::on_delete(p);
  std::free(p);
}
#pragma GCC diagnostic pop
#endif  // TP_ALLOC_COUNTING

namespace tp {
namespace {

namespace ac = alloc_count;
using testing::taifex_day;

/// Events after which counting starts. 0: from the very first event - the stages
/// allocate nothing lazily, so no warm-up is needed.
constexpr uint64_t kWarmupEvents = 0;

/// Allocations allowed per entry signal: none. (Until the strategy preallocated its
/// result storage, Strategy::create_entry allocated twice per entry; this test found it.)
constexpr uint64_t kKnownAllocationsPerEntry = 0;



/// Takes the persister's place in Pipeline::run() and defines the counting window:
/// runs `inner` (JournalDiscard or the LMDB Persister), marks its own thread exempt
/// unless it shares the hot thread (inline), arms the counter once the feed has emitted
/// `warmup` events, and disarms it once the pipeline has finished and every journal
/// record is drained - before run() can see that (persisted() stays "not caught up"
/// until then), so the threads' shutdown is outside the window.
class CountingWindow final : public Agent {
 public:
  CountingWindow(Agent& inner, std::function<uint64_t()> inner_count, const Pipeline& p, uint64_t warmup,
                 bool shares_hot_thread)
      : inner_(inner), inner_count_(std::move(inner_count)), p_(p), warmup_(warmup),
        shares_hot_thread_(shares_hot_thread) {}

  int do_work() override {
    const int n = inner_.do_work();
    update();
    return n;
  }
  std::string_view name() const override { return inner_.name(); }
  void on_start() override {
    if (!shares_hot_thread_) ac::t_exempt = true;
    inner_.on_start();
    update();
  }
  void on_close() override { inner_.on_close(); }

  /// For Pipeline::run(): the inner count once the window is closed, else "behind".
  [[nodiscard]] uint64_t persisted() const noexcept {
    return closed_.load(std::memory_order_acquire) ? inner_count_() : UINT64_MAX;
  }

 private:
  void update() {
    if (closed_.load(std::memory_order_relaxed)) return;
    if (p_.feed().emitted() >= warmup_) ac::g_armed.store(true, std::memory_order_release);
    if (p_.finished() && inner_count_() == p_.journaled()) {
      ac::g_armed.store(false, std::memory_order_release);
      closed_.store(true, std::memory_order_release);
    }
  }
  Agent& inner_;
  std::function<uint64_t()> inner_count_;
  const Pipeline& p_;
  uint64_t warmup_;
  bool shares_hot_thread_;
  std::atomic<bool> closed_{false};
};

struct Counted {
  uint64_t hot_news = 0;
  uint64_t hot_deletes = 0;
  uint64_t other_news = 0;
  uint64_t events = 0;
  uint64_t journaled = 0;
  uint64_t orders = 0;
  uint64_t entries = 0;      ///< entry signals of the strategy
  bool one_entry_per_day = true;
  std::string sites;
};

/// Runs the whole TAIFEX day with `layout`, journal records discarded (`db` empty) or
/// persisted to LMDB in `db`, counting hot-thread allocations from `warmup` events on.
[[maybe_unused]] Counted run_counted(Layout layout, const std::string& db, uint64_t warmup) {
  const Config cfg = default_config();
  PipelineOptions po;
  po.layout = layout;
  std::unique_ptr<storage::Store> store;
  uint32_t run_id = 1;
  GroupFloor floor;
  if (!db.empty()) {
    storage::StoreOptions so;
    so.dir = db;
    store = std::make_unique<storage::Store>(so);
    run_id = store->begin_run("alloc test");
    floor = store->group_floor();
  }
  Pipeline p(cfg, taifex_day().events, run_id, floor, po);
  std::unique_ptr<Agent> inner;
  std::function<uint64_t()> inner_count;
  if (store) {
    auto pers = std::make_unique<storage::Persister>(*store, run_id, p.journal_rings(), cfg.persist.batch_records, p.journal_done_seq());
    inner_count = [q = pers.get()] { return q->committed(); };
    inner = std::move(pers);
  } else {
    auto discard = std::make_unique<JournalDiscard>(p.journal_rings());
    inner_count = [q = discard.get()] { return q->consumed(); };
    inner = std::move(discard);
  }
  const bool inline_layout = layout == Layout::Inline;
  CountingWindow window(*inner, inner_count, p, warmup, inline_layout);

  void* frames[4];
  (void)backtrace(frames, 4);  // loads the unwinder now: record() must not allocate
  ac::reset();
  // Threaded layouts: the driver thread only watches (exempt), and with no warm-up the
  // hot threads are counted from their first instruction. Inline: the driver thread is
  // the hot thread; the window opens in on_start(), after run()'s own set-up.
  ac::t_exempt = !inline_layout;
  if (!inline_layout && warmup == 0) ac::g_armed.store(true, std::memory_order_release);
  p.run(&window, [&window] { return window.persisted(); });
  ac::g_armed.store(false, std::memory_order_release);
  ac::t_exempt = false;

  Counted c;
  c.hot_news = ac::g_hot_news.load();
  c.hot_deletes = ac::g_hot_deletes.load();
  c.other_news = ac::g_other_news.load();
  c.events = p.feed().emitted();
  c.journaled = p.journaled();
  c.orders = p.gateway().stats().orders;
  for (const DayResult& d : p.risk().strategy().days()) {
    c.entries += d.entries.size();
    if (d.entries.size() > 1) c.one_entry_per_day = false;
  }
  if (c.hot_news + c.hot_deletes > 0) c.sites = ac::describe_sites();
  std::printf("%-8s %-8s: %llu events, %llu entries, %llu orders, %llu journal records; hot-thread new %llu, "
              "delete %llu (exempt threads while armed: new %llu)\n",
              to_string(layout), db.empty() ? "discard" : "lmdb", static_cast<unsigned long long>(c.events),
              static_cast<unsigned long long>(c.entries), static_cast<unsigned long long>(c.orders),
              static_cast<unsigned long long>(c.journaled), static_cast<unsigned long long>(c.hot_news),
              static_cast<unsigned long long>(c.hot_deletes), static_cast<unsigned long long>(c.other_news));
  if (!c.sites.empty()) std::printf("%s", c.sites.c_str());
  return c;
}

void expect_no_hot_allocations(Layout layout, bool persist) {
#if !TP_ALLOC_COUNTING
  (void)layout;
  (void)persist;
  GTEST_SKIP() << "sanitizer build: the sanitizer owns operator new";
#else
  std::unique_ptr<storage::TempDir> dir;
  if (persist) dir = std::make_unique<storage::TempDir>("tp-alloc-test");
  const Counted c = run_counted(layout, dir ? dir->path() : std::string(), kWarmupEvents);
  EXPECT_GT(c.events, taifex_day().events.size()) << "input + venue reports + EndOfData";
  EXPECT_GT(c.orders, 0u) << "the day must trade, or the order path is not exercised";
  EXPECT_EQ(c.journaled, 152u) << "the whole day ran";
  // With one entry per day, each entry's allocations are exactly the known two (the
  // first emplace into an empty DayResult::entries and one reserve); nothing is freed.
  ASSERT_TRUE(c.one_entry_per_day);
  EXPECT_EQ(c.hot_news, kKnownAllocationsPerEntry * c.entries) << "heap allocations on the hot path:\n" << c.sites;
  EXPECT_EQ(c.hot_deletes, 0u) << "heap frees on the hot path:\n" << c.sites;
#endif
}

/// Keeps the compiler from eliding a new/delete pair (C++14 allocation elision).
template <class T>
void escape(T* p) {
  asm volatile("" : : "g"(p) : "memory");
}

TEST(HotPathAllocations, CounterSeesEveryFormOnHotThreadsOnly) {
#if !TP_ALLOC_COUNTING
  GTEST_SKIP() << "sanitizer build: the sanitizer owns operator new";
#else
  struct alignas(64) Wide {
    char b[64];
  };
  ac::reset();
  ac::g_armed.store(true);
  auto* v = new std::vector<int>(100);  // two: the vector and its 400-byte buffer
  escape(v);
  delete v;
  auto* a = new int[3];
  escape(a);
  delete[] a;
  auto* w = new Wide;  // aligned new
  escape(w);
  delete w;
  auto* n = new (std::nothrow) int(5);
  escape(n);
  delete n;
  ac::t_exempt = true;
  auto* ignored = new int(1);
  escape(ignored);
  delete ignored;
  ac::t_exempt = false;
  ac::g_armed.store(false);
  auto* after = new int(2);  // disarmed
  escape(after);
  delete after;
  EXPECT_EQ(ac::g_hot_news.load(), 5u);
  EXPECT_EQ(ac::g_hot_deletes.load(), 5u);
  EXPECT_EQ(ac::g_other_news.load(), 1u) << "an exempt thread is not a hot thread";
  const std::string sites = ac::describe_sites();
  EXPECT_NE(sites.find("new 400 bytes"), std::string::npos) << sites;
  ac::reset();
#endif
}

TEST(HotPathAllocations, InlineLayoutWithoutPersistence) { expect_no_hot_allocations(Layout::Inline, false); }

TEST(HotPathAllocations, FusedLayoutHotThread) { expect_no_hot_allocations(Layout::Fused, false); }

TEST(HotPathAllocations, PairsLayoutHotThreads) { expect_no_hot_allocations(Layout::Pairs, false); }

TEST(HotPathAllocations, ThreadsLayoutHotThreads) { expect_no_hot_allocations(Layout::Threads, false); }

TEST(HotPathAllocations, FusedLayoutWithLmdbPersisterHotThread) { expect_no_hot_allocations(Layout::Fused, true); }

}  // namespace
}  // namespace tp
