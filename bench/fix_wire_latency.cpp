// FIX wire-to-wire latency over loopback TCP (issue: "ours within 2x of bare TCP").
//
// The harness plays the venue: a TCP acceptor on 127.0.0.1 written with tickpipe's
// codec (tp::fix::parse / Encoder) over raw non-blocking sockets. At a fixed rate it
// sends one market-data message and measures, on its own thread, the time until the
// peer's answer is received and parsed:
//
//   bare       bare TCP ping-pong: a message the size of an X, a client thread echoes a
//              reply the size of a D (both busy-polling non-blocking sockets)
//   ours       tickpipe's FIX initiator (tp::fix::Session), a client thread busy-polling
//              its socket: decodes each MarketDataIncrementalRefresh (X: a 5-level book
//              both sides + a trade, docs/FIX.md) and sends one NewOrderSingle (D)
//   engine     the whole engine: tp::fix::FixPipeline, layout fused (one hot thread:
//              socket -> FixFeed decode -> tracker -> risk (a minimal TradingLogic: one
//              FOK per market event) -> gateway -> FixFeed encode -> socket), journal
//              discarded. The harness answers each D with ExecutionReports 150=0 then
//              150=4 so the orders terminate; X go on the market-data session (after
//              the engine's MarketDataRequest V, answered with an empty W), D come on
//              the order session
//   quickfix   a QuickFIX/C++ initiator doing the job of `ours` (bench/qf_peer, C++14)
//
// latency = CLOCK_MONOTONIC when the harness has received and parsed the answer -
// CLOCK_MONOTONIC right before the harness's send() of the X. The answer to the k-th X
// is the k-th answer (one per X, in order, on one TCP stream). Open loop: the harness
// sends on schedule whatever the answers do; the "CO" columns measure from the
// scheduled send time instead (coordinated-omission corrected: includes the harness's
// own lateness). Between sends the harness blocks in ppoll(); it busy-polls only while
// an answer is outstanding (< 1 ms old) or the next send is under 60 us away, so that
// receive stamps do not include a wake-up.
//
// Threads (2 cores): the harness on CPU 0, the peer's client thread on the last CPU
// (the engine: its fused hot thread there, the journal discard with the harness;
// QuickFIX: its initiator thread there). Every socket and thread stops by itself:
// setup, drain and teardown have deadlines.
//
// Usage: fix_wire_latency [--quick] [--seconds N] [--warmup-seconds N] [--rate R]
//                         [--peers bare,ours,engine,quickfix] [--heartbeat S]
//                         [--check-ratio X]
// --quick: 1 s per peer after 0.2 s warm-up (CI). --check-ratio X: exit 1 when ours
// p50 > X * bare p50 (a ratio within the run, used by scripts/bench.sh --quick).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <charconv>
#include <cinttypes>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <new>
#include <sstream>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "qf_initiator.hpp"
#include "tp/engine/config/config.hpp"
#include "tp/engine/latency_histogram.hpp"
#include "tp/fix/codec.hpp"
#include "tp/fix/fix_pipeline.hpp"
#include "tp/fix/session.hpp"

// ---------------------------------------------------------------- allocation probe
// Counts operator new calls made by a thread that has set t_alloc_sink: the measured
// path of our initiator (from its Logon to its Logout) and the engine's hot thread
// (from its first market event) must allocate nothing.
namespace {
thread_local std::atomic<uint64_t>* t_alloc_sink = nullptr;
}  // namespace

namespace {
// Out of line so that the compiler does not pair an inlined malloc with a free it sees
// elsewhere (-Wmismatched-new-delete).
[[gnu::noinline]] void* raw_alloc(std::size_t n) noexcept { return std::malloc(n == 0 ? 1 : n); }
[[gnu::noinline]] void raw_free(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(std::size_t n) {
  if (std::atomic<uint64_t>* s = t_alloc_sink) s->fetch_add(1, std::memory_order_relaxed);
  void* p = raw_alloc(n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { raw_free(p); }
void operator delete[](void* p) noexcept { raw_free(p); }
void operator delete(void* p, std::size_t) noexcept { raw_free(p); }
void operator delete[](void* p, std::size_t) noexcept { raw_free(p); }

namespace {

using tp::LatencyHistogram;
namespace fix = tp::fix;

constexpr int64_t kNs = 1'000'000'000;
constexpr int64_t kSpinBeforeSendNs = 60'000;
constexpr int64_t kSpinForAnswerNs = 1'000'000;
constexpr std::string_view kVenue = "TPVENUE";
constexpr int kLevels = 5;

int64_t mono_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNs + ts.tv_nsec;
}
int64_t utc_ns() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<int64_t>(ts.tv_sec) * kNs + ts.tv_nsec;
}

int last_cpu() { return std::max(0, static_cast<int>(std::thread::hardware_concurrency()) - 1); }

cpu_set_t g_all_cpus;  ///< the process's affinity at start (restored around pipeline starts)

void unpin_self() { (void)pthread_setaffinity_np(pthread_self(), sizeof g_all_cpus, &g_all_cpus); }

void pin_self(int cpu) {
  if (std::thread::hardware_concurrency() < 2) return;
  cpu_set_t set;
  CPU_ZERO(&set);
  CPU_SET(cpu, &set);
  (void)pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

struct Options {
  double rate = 10'000;
  double seconds = 3;
  double warmup_s = 0.5;
  int heartbeat_s = 1;
  std::vector<std::string> peers = {"bare", "ours", "engine", "quickfix"};
  double check_ratio = 0;
};

// ----------------------------------------------------------------- the acceptor

/// One accepted connection, seen from the venue side.
struct Conn {
  int fd = -1;
  bool raw = false;  ///< bare TCP (fixed-size frames), else FIX
  std::unique_ptr<char[]> rbuf{new char[1 << 20]};
  std::size_t rlen = 0;
  std::string obuf;  ///< bytes the kernel did not take yet
  // FIX session state (venue side)
  std::string peer;  ///< their SenderCompID (from the Logon)
  uint64_t out_seq = 1, in_seq = 1;
  bool logged_on = false, logout_sent = false, logout_rcvd = false;
  int64_t last_sent = 0;
  int64_t hb_ns = kNs;
  std::string md_req_id;
  bool md_requested = false;
  // counters
  uint64_t heartbeats_in = 0, heartbeats_out = 0, test_requests_in = 0, resend_requests_in = 0;
  uint64_t seq_gaps = 0, rejects_in = 0, garbled = 0;
};

class Acceptor {
 public:
  using AppHandler = std::function<void(Conn&, const fix::MessageView&, int64_t t_recv)>;
  using RawHandler = std::function<void(Conn&, int64_t t_recv)>;  // consumes c.rbuf frames

  explicit Acceptor(bool raw) : raw_(raw) {
    lfd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    const int one = 1;
    ::setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(lfd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd_, 8) != 0) {
      std::perror("bind/listen");
      std::exit(2);
    }
    socklen_t len = sizeof a;
    ::getsockname(lfd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Acceptor() {
    for (auto& c : conns_) close_conn(*c);
    if (lfd_ >= 0) ::close(lfd_);
  }
  Acceptor(const Acceptor&) = delete;
  Acceptor& operator=(const Acceptor&) = delete;

  [[nodiscard]] uint16_t port() const noexcept { return port_; }
  std::vector<std::unique_ptr<Conn>>& conns() noexcept { return conns_; }
  void on_app(AppHandler h) { app_ = std::move(h); }
  void on_raw(RawHandler h) { rawh_ = std::move(h); }
  void set_heartbeat(int s) { hb_s_ = s; }
  [[nodiscard]] int open_conns() const noexcept {
    int n = 0;
    for (const auto& c : conns_) n += c->fd >= 0 ? 1 : 0;
    return n;
  }
  Conn* find_peer(std::string_view comp) noexcept {
    for (auto& c : conns_) {
      if (c->fd >= 0 && c->logged_on && c->peer == comp) return c.get();
    }
    return nullptr;
  }

  /// Waits up to `timeout_ns` (0: just look) for input, then handles what came.
  void service(int64_t timeout_ns) {
    pollfd fds[16];
    Conn* who[16];
    int n = 0;
    fds[n] = {lfd_, POLLIN, 0};
    who[n++] = nullptr;
    for (auto& c : conns_) {
      if (c->fd < 0 || n == 16) continue;
      fds[n] = {c->fd, static_cast<short>(POLLIN | (c->obuf.empty() ? 0 : POLLOUT)), 0};
      who[n++] = c.get();
    }
    timespec ts{static_cast<time_t>(timeout_ns / kNs), static_cast<long>(timeout_ns % kNs)};
    const int r = ::ppoll(fds, static_cast<nfds_t>(n), &ts, nullptr);
    if (r > 0) {
      if ((fds[0].revents & POLLIN) != 0) accept_all();
      for (int i = 1; i < n; ++i) {
        if (fds[i].revents == 0) continue;
        Conn& c = *who[i];
        if ((fds[i].revents & POLLOUT) != 0) flush(c);
        if ((fds[i].revents & (POLLIN | POLLHUP | POLLERR)) != 0) read_conn(c);
      }
    }
    const int64_t now = mono_ns();
    for (auto& c : conns_) {
      if (c->fd < 0 || c->raw || !c->logged_on) continue;
      if (now - c->last_sent >= c->hb_ns) {
        enc_.begin("0", kVenue, c->peer, c->out_seq++, utc_ns());
        send(*c, enc_.finish());
        ++c->heartbeats_out;
      }
    }
  }

  /// Queues bytes on `c` and writes what the kernel takes now.
  void send(Conn& c, std::string_view bytes) {
    if (c.fd < 0) return;
    c.last_sent = mono_ns();
    if (!c.obuf.empty()) {
      c.obuf.append(bytes);
      flush(c);
      return;
    }
    const ssize_t w = ::send(c.fd, bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
    if (w == static_cast<ssize_t>(bytes.size())) return;
    if (w < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) {
      close_conn(c);
      return;
    }
    c.obuf.append(bytes.substr(w < 0 ? 0 : static_cast<std::size_t>(w)));
  }

  fix::Encoder& begin(Conn& c, std::string_view type) {
    enc_.begin(type, kVenue, c.peer, c.out_seq++, utc_ns());
    return enc_;
  }
  void finish(Conn& c) { send(c, enc_.finish()); }

  void logout_all() {
    for (auto& c : conns_) {
      if (c->fd >= 0 && !c->raw && c->logged_on && !c->logout_sent) {
        begin(*c, "5").add(58, "harness done");
        finish(*c);
        c->logout_sent = true;
      }
    }
  }
  void close_conn(Conn& c) {
    if (c.fd >= 0) ::close(c.fd);
    c.fd = -1;
    c.logged_on = false;
  }

 private:
  void accept_all() {
    for (;;) {
      const int fd = ::accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd < 0) return;
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto c = std::make_unique<Conn>();
      c->fd = fd;
      c->raw = raw_;
      c->obuf.reserve(1 << 20);
      c->last_sent = mono_ns();
      conns_.push_back(std::move(c));
    }
  }

  void flush(Conn& c) {
    while (c.fd >= 0 && !c.obuf.empty()) {
      const ssize_t w = ::send(c.fd, c.obuf.data(), c.obuf.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
      if (w < 0) {
        if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) close_conn(c);
        return;
      }
      c.obuf.erase(0, static_cast<std::size_t>(w));
    }
  }

  void read_conn(Conn& c) {
    bool closed = false;
    while (c.rlen < (1u << 20)) {
      const ssize_t n = ::recv(c.fd, c.rbuf.get() + c.rlen, (1u << 20) - c.rlen, MSG_DONTWAIT);
      if (n > 0) {
        c.rlen += static_cast<std::size_t>(n);
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) closed = true;
      break;
    }
    if (c.raw) {
      if (rawh_) rawh_(c, mono_ns());
    } else {
      std::size_t off = 0;
      while (off < c.rlen) {
        std::size_t consumed = 0;
        const fix::ParseStatus st = fix::parse({c.rbuf.get() + off, c.rlen - off}, view_, consumed);
        if (st == fix::ParseStatus::Incomplete) break;
        off += consumed;
        if (st != fix::ParseStatus::Ok) {
          ++c.garbled;
          continue;
        }
        handle(c, view_, mono_ns());
        if (c.fd < 0) return;
      }
      if (off > 0) {
        std::memmove(c.rbuf.get(), c.rbuf.get() + off, c.rlen - off);
        c.rlen -= off;
      }
    }
    if (closed) close_conn(c);
  }

  /// The venue side of the FIX session layer (docs/FIX.md): Logon reply, heartbeats,
  /// test requests, gap fills for resend requests, logout; the rest goes to app_.
  void handle(Conn& c, const fix::MessageView& m, int64_t t) {
    const std::string_view type = m.msg_type();
    const uint64_t seq = m.seq_num();
    std::string_view v;
    if (type == "A") {
      (void)m.get(49, v);
      c.peer.assign(v);
      uint64_t hb = 0;
      if (m.get_uint(108, hb) && hb > 0) c.hb_ns = static_cast<int64_t>(hb) * kNs;
      const bool reset = m.get(141, v) && v == "Y";
      if (reset) c.out_seq = 1;
      c.in_seq = seq + 1;
      fix::Encoder& e = begin(c, "A");
      e.add_int(98, 0);
      e.add_int(108, c.hb_ns / kNs);
      if (reset) e.add_char(141, 'Y');
      finish(c);
      c.logged_on = true;
      return;
    }
    if (seq != c.in_seq) ++c.seq_gaps;
    c.in_seq = seq + 1;
    if (type.size() == 1) {
      switch (type[0]) {
        case '0': ++c.heartbeats_in; return;
        case '1': {
          ++c.test_requests_in;
          (void)m.get(112, v);
          begin(c, "0").add(112, v);
          finish(c);
          ++c.heartbeats_out;
          return;
        }
        case '2': {  // answer with one gap fill up to our next number (nothing is resent)
          ++c.resend_requests_in;
          uint64_t from = 0;
          if (!m.get_uint(7, from) || from == 0 || from >= c.out_seq) return;
          const int64_t now_utc = utc_ns();
          enc_.begin("4", kVenue, c.peer, from, now_utc, true, now_utc);
          enc_.add_char(123, 'Y');
          enc_.add_int(36, static_cast<int64_t>(c.out_seq));
          send(c, enc_.finish());
          return;
        }
        case '3':
          if (c.rejects_in++ == 0) {
            (void)m.get(58, v);
            std::fprintf(stderr, "  %s sent Reject(3): %.*s\n", c.peer.c_str(), static_cast<int>(v.size()), v.data());
          }
          return;
        case '4': {
          uint64_t ns = 0;
          if (m.get_uint(36, ns)) c.in_seq = ns;
          return;
        }
        case '5':
          c.logout_rcvd = true;
          if (!c.logout_sent) {
            begin(c, "5");
            finish(c);
            c.logout_sent = true;
          }
          c.logged_on = false;
          return;
        default: break;
      }
    }
    if (app_) app_(c, m, t);
  }

  bool raw_;
  int lfd_ = -1;
  uint16_t port_ = 0;
  int hb_s_ = 1;
  std::vector<std::unique_ptr<Conn>> conns_;
  fix::Encoder enc_;
  fix::MessageView view_;
  AppHandler app_;
  RawHandler rawh_;
};

// ------------------------------------------------------------ market data (venue)

/// The market the harness streams: a random walk, 5 levels both sides, a trade each time.
struct Market {
  int64_t px = 17'000;
  uint32_t rng = 1;
  void step() {
    rng = rng * 1664525u + 1013904223u;
    px += static_cast<int64_t>(rng >> 31) * 2 - 1;
  }
};

/// MarketDataIncrementalRefresh (docs/FIX.md): 60, 75, 336, 5001 before the group; 268 =
/// 5 bid + 5 ask levels (279=0 new, level 1..5) + one trade.
void encode_x(fix::Encoder& e, const Market& mk, std::string_view md_req_id) {
  if (!md_req_id.empty()) e.add(262, md_req_id);
  e.add_utc_timestamp(60, utc_ns(), 9);
  e.add(75, "20260105");
  e.add_char(336, '1');
  e.add_char(5001, 'N');
  e.add_int(268, 2 * kLevels + 1);
  for (int side = 0; side < 2; ++side) {
    for (int l = 1; l <= kLevels; ++l) {
      e.add_char(279, '0');
      e.add_char(269, side == 0 ? '0' : '1');
      e.add_int(270, side == 0 ? mk.px - l : mk.px + l - 1);
      e.add_int(271, 3 + (l * 7 + static_cast<int>(mk.rng >> 28)) % 20);
      e.add_int(1023, l);
    }
  }
  e.add_char(279, '0');
  e.add_char(269, '2');
  e.add_int(270, mk.px);
  e.add_int(271, 1);
}

// ---------------------------------------------------------------- measurement

struct Sample {
  std::vector<int64_t> send_ns, due_ns;
  uint64_t sent = 0, answered = 0, warmup = 0;
  uint64_t mismatched = 0;  ///< answers whose id did not name the expected X
  LatencyHistogram lat, co, late;
  void init(uint64_t total, uint64_t warm) {
    send_ns.assign(total, 0);
    due_ns.assign(total, 0);
    warmup = warm;
  }
  void on_send(uint64_t k, int64_t due, int64_t t) {
    send_ns[k] = t;
    due_ns[k] = due;
    sent = k + 1;
    if (k >= warmup) late.record(t - due);
  }
  /// The next answer (FIFO); expected_id 0 = not checked.
  void on_answer(int64_t t, uint64_t id = 0) {
    if (answered >= sent) {
      ++mismatched;
      return;
    }
    const uint64_t k = answered++;
    if (id != 0 && id != k + 1) ++mismatched;
    if (k < warmup) return;
    lat.record(t - send_ns[k]);
    co.record(t - due_ns[k]);
  }
  [[nodiscard]] bool outstanding_recent(int64_t now) const {
    return answered < sent && now - send_ns[answered] < kSpinForAnswerNs;
  }
};

struct Result {
  std::string name;
  std::string what;
  Sample s;
  std::vector<std::string> notes;
  bool ok = false;
};

/// Fixed-rate open-loop stream of `total` sends; `send_one(k)` sends message k and
/// returns; the answers arrive through the acceptor's handlers (into r.s).
void stream(Acceptor& acc, Sample& s, const Options& o, uint64_t total, const std::function<void(uint64_t)>& send_one) {
  const auto interval = static_cast<int64_t>(1e9 / o.rate);
  const int64_t t0 = mono_ns() + 1'000'000;
  uint64_t k = 0;
  while (k < total) {
    const int64_t due = t0 + static_cast<int64_t>(k) * interval;
    const int64_t now = mono_ns();
    if (now >= due) {
      s.due_ns[k] = due;
      send_one(k);
      ++k;
      continue;
    }
    const int64_t left = due - now;
    if (s.outstanding_recent(now) || left <= kSpinBeforeSendNs) {
      acc.service(0);
    } else {
      acc.service(left - kSpinBeforeSendNs);
    }
  }
  // Drain: every answer, or 2 s.
  const int64_t deadline = mono_ns() + 2 * kNs;
  while (s.answered < s.sent && mono_ns() < deadline) acc.service(s.outstanding_recent(mono_ns()) ? 0 : 200'000);
}

/// Serves until `ready()` or the deadline; false on timeout.
bool serve_until(Acceptor& acc, int64_t timeout_ns, const std::function<bool()>& ready) {
  const int64_t deadline = mono_ns() + timeout_ns;
  while (!ready()) {
    if (mono_ns() >= deadline) return false;
    acc.service(1'000'000);
  }
  return true;
}

uint64_t totals(const Options& o, uint64_t& warm) {
  warm = static_cast<uint64_t>(o.rate * o.warmup_s);
  return warm + static_cast<uint64_t>(o.rate * o.seconds);
}

// ------------------------------------------------------------------ peer 1: bare

/// The sizes of the FIX messages the bare ping-pong imitates.
void fix_sizes(std::size_t& x_size, std::size_t& d_size) {
  fix::Encoder e;
  Market mk;
  e.begin("X", kVenue, "TICKPIPE", 123456, utc_ns());
  encode_x(e, mk, "1");
  x_size = e.finish().size();
  e.begin("D", "TICKPIPE", kVenue, 123456, utc_ns());
  e.add(11, "123456");
  e.add(55, "MTX");
  e.add_char(54, '1');
  e.add_int(38, 1);
  e.add_char(40, '2');
  e.add_int(44, 17000);
  e.add_char(59, '4');
  e.add_char(77, 'O');
  e.add_utc_timestamp(60, utc_ns(), 6);
  d_size = e.finish().size();
}

Result run_bare(const Options& o) {
  Result r;
  r.name = "bare";
  std::size_t xs = 0, ds = 0;
  fix_sizes(xs, ds);
  char what[160];
  std::snprintf(what, sizeof what, "bare TCP ping-pong, %zu B out / %zu B back, busy-polling echo thread", xs, ds);
  r.what = what;
  Acceptor acc(true);
  const uint16_t port = acc.port();
  std::atomic<bool> stop{false};
  const int64_t client_deadline = mono_ns() + static_cast<int64_t>((o.seconds + o.warmup_s + 20) * 1e9);
  std::thread client([&stop, port, xs, ds, client_deadline] {
    pin_self(last_cpu());
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(port);
    if (::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
      ::close(fd);
      return;
    }
    const int one = 1;
    ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
    std::vector<char> in(1 << 16), reply(ds, 'r');
    std::size_t have = 0;
    while (!stop.load(std::memory_order_relaxed) && mono_ns() < client_deadline) {
      const ssize_t n = ::recv(fd, in.data() + have, in.size() - have, 0);
      if (n == 0) break;
      if (n < 0) {
        if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) continue;
        break;
      }
      have += static_cast<std::size_t>(n);
      std::size_t off = 0;
      while (have - off >= xs) {
        std::memcpy(reply.data(), in.data() + off, 8);  // the message's index
        (void)::send(fd, reply.data(), reply.size(), MSG_NOSIGNAL);
        off += xs;
      }
      std::memmove(in.data(), in.data() + off, have - off);
      have -= off;
    }
    ::close(fd);
  });
  uint64_t warm = 0;
  const uint64_t total = totals(o, warm);
  r.s.init(total, warm);
  acc.on_raw([&r, ds](Conn& c, int64_t) {
    std::size_t off = 0;
    while (c.rlen - off >= ds) {
      uint64_t idx = 0;
      std::memcpy(&idx, c.rbuf.get() + off, 8);
      off += ds;
      r.s.on_answer(mono_ns(), idx + 1);
    }
    std::memmove(c.rbuf.get(), c.rbuf.get() + off, c.rlen - off);
    c.rlen -= off;
  });
  if (serve_until(acc, 5 * kNs, [&acc] { return acc.open_conns() == 1; })) {
    Conn& c = *acc.conns()[0];
    std::string msg(xs, 'x');
    stream(acc, r.s, o, total, [&](uint64_t k) {
      std::memcpy(msg.data(), &k, 8);
      const int64_t t = mono_ns();
      r.s.on_send(k, r.s.due_ns[k], t);
      acc.send(c, msg);
    });
    r.ok = r.s.answered == total;
  } else {
    r.notes.push_back("the echo client did not connect");
  }
  stop.store(true);
  for (auto& c : acc.conns()) acc.close_conn(*c);
  client.join();
  return r;
}

// -------------------------------------------------------- FIX peers: shared parts

/// Streams X on `md` once the peer is ready; answers are handled by the caller's app
/// handler. Returns false if the peer never got ready.
bool stream_fix(Acceptor& acc, Result& r, const Options& o, const std::function<Conn*()>& md_conn,
                const std::function<bool()>& ready) {
  if (!serve_until(acc, 10 * kNs, ready)) {
    r.notes.push_back("the peer did not log on (or send its MarketDataRequest) within 10 s");
    return false;
  }
  Conn* md = md_conn();
  uint64_t warm = 0;
  const uint64_t total = totals(o, warm);
  r.s.init(total, warm);
  Market mk;
  fix::Encoder& unused = acc.begin(*md, "0");  // keep the peer's clock honest: one heartbeat first
  (void)unused;
  acc.finish(*md);
  stream(acc, r.s, o, total, [&](uint64_t k) {
    mk.step();
    fix::Encoder& e = acc.begin(*md, "X");
    encode_x(e, mk, md->md_req_id);
    const std::string_view bytes = e.finish();
    const int64_t t = mono_ns();  // right before send()
    r.s.on_send(k, r.s.due_ns[k], t);
    acc.send(*md, bytes);
  });
  return true;
}

/// Serves until every connection is closed (the peer's Logout handshake) or the deadline.
void serve_teardown(Acceptor& acc, int64_t timeout_ns, const std::function<bool()>& done) {
  const int64_t deadline = mono_ns() + timeout_ns;
  while ((acc.open_conns() > 0 || !done()) && mono_ns() < deadline) acc.service(1'000'000);
}

void session_notes(Acceptor& acc, Result& r) {
  for (auto& c : acc.conns()) {
    char b[240];
    std::snprintf(b, sizeof b,
                  "session %s: heartbeats in %" PRIu64 " / out %" PRIu64 ", test requests in %" PRIu64
                  ", resend requests in %" PRIu64 ", seq gaps %" PRIu64 ", rejects in %" PRIu64 ", garbled %" PRIu64
                  ", logout %s",
                  c->peer.c_str(), c->heartbeats_in, c->heartbeats_out, c->test_requests_in, c->resend_requests_in,
                  c->seq_gaps, c->rejects_in, c->garbled,
                  c->logout_rcvd ? "answered" : "not seen");
    r.notes.emplace_back(b);
  }
}

// --------------------------------------------------- peer 2: tickpipe's initiator

/// Our FIX initiator as a peer: tp::fix::Session, busy-polled; decodes each X into a
/// 5-level book + trade and answers with a D. No allocation after construction.
class OursClient final : public fix::SessionHandler {
 public:
  OursClient(uint16_t port, int hb_s) : s_(config(port, hb_s), fix::SeqNums{}) {}

  void run(const std::atomic<bool>& stop, int64_t deadline) {
    pin_self(last_cpu());
    bool logout = false;
    for (;;) {
      const int64_t now = mono_ns();
      s_.poll(now, *this);
      if (s_.state() == fix::SessionState::Closed) break;
      if (!logout && (stop.load(std::memory_order_relaxed) || now > deadline)) {
        s_.logout("done", now);
        logout = true;
      }
      if (now > deadline + 3 * kNs) break;
    }
    t_alloc_sink = nullptr;
  }

  void on_logon() override { t_alloc_sink = &allocs; }  // the measured path starts here
  void on_logout(std::string_view) override { t_alloc_sink = nullptr; }
  void on_app_message(const fix::MessageView& m) override {
    if (m.msg_type() != "X") return;
    ++md_in;
    // Decode the group: each entry starts at 279.
    int64_t px[2][kLevels] = {};
    uint64_t qty[2][kLevels] = {};
    int64_t last_px = 0;
    uint64_t last_qty = 0;
    int type = -1;
    uint64_t level = 0;
    int64_t e_px = 0;
    uint64_t e_qty = 0;
    int scale = 0;
    auto commit = [&] {
      if (type == 2) {
        last_px = e_px;
        last_qty = e_qty;
      } else if ((type == 0 || type == 1) && level >= 1 && level <= kLevels) {
        px[type][level - 1] = e_px;
        qty[type][level - 1] = e_qty;
      }
    };
    const int g = m.find(268);
    if (g < 0) {
      ++bad;
      return;
    }
    for (int i = g + 1; i < m.count(); ++i) {
      const std::string_view v = m.value(i);
      switch (m.field(i).tag) {
        case 279:
          commit();
          type = -1;
          level = 0;
          break;
        case 269: type = v.size() == 1 ? v[0] - '0' : -1; break;
        case 270: {
          int sc = 0;
          if (!fix::parse_decimal(v, e_px, sc)) ++bad;
          scale = sc;
          break;
        }
        case 271:
          if (!fix::parse_uint(v, e_qty)) ++bad;
          break;
        case 1023:
          if (!fix::parse_uint(v, level)) ++bad;
          break;
        default: break;
      }
    }
    commit();
    if (px[1][0] <= 0 || qty[0][0] + qty[1][0] == 0 || last_qty == 0 || last_px <= 0) {
      ++bad;
      return;
    }
    // One FOK buy of 1 at the best ask.
    const int64_t now = mono_ns();
    fix::Encoder& e = s_.begin_app("D", now);
    char id[24];
    const auto res = std::to_chars(id, id + sizeof id, ++next_id_);
    e.add(11, std::string_view(id, static_cast<std::size_t>(res.ptr - id)));
    e.add(55, "MTX");
    e.add_char(54, '1');
    e.add_int(38, 1);
    e.add_char(40, '2');
    e.add_decimal(44, px[1][0], scale);
    e.add_char(59, '4');
    e.add_char(77, 'O');
    e.add_utc_timestamp(60, utc_ns(), 6);
    if (s_.send_app()) ++orders_out;
  }

  [[nodiscard]] const fix::Session& session() const noexcept { return s_; }
  std::atomic<uint64_t> allocs{0};
  uint64_t md_in = 0, orders_out = 0, bad = 0;

 private:
  static fix::SessionConfig config(uint16_t port, int hb_s) {
    fix::SessionConfig c;
    c.host = "127.0.0.1";
    c.port = port;
    c.sender = "TICKPIPE";
    c.target = std::string(kVenue);
    c.heartbeat_s = hb_s;
    c.reset_seq_on_logon = true;
    c.reconnect = false;
    return c;
  }
  fix::Session s_;
  uint64_t next_id_ = 0;
};

/// The D handler of the initiator peers: the k-th D answers the k-th X (ClOrdID k checked).
Acceptor::AppHandler d_answers(Result& r) {
  return [&r](Conn&, const fix::MessageView& m, int64_t t) {
    if (m.msg_type() != "D") return;
    uint64_t id = 0;
    if (!m.get_uint(11, id)) id = ~0ull;
    r.s.on_answer(t, id);
  };
}

Result run_ours(const Options& o) {
  Result r;
  r.name = "ours";
  r.what = "tickpipe FIX initiator (tp::fix::Session), busy-polling client thread";
  Acceptor acc(false);
  acc.on_app(d_answers(r));
  auto client = std::make_unique<OursClient>(acc.port(), o.heartbeat_s);
  std::atomic<bool> stop{false};
  const int64_t deadline = mono_ns() + static_cast<int64_t>((o.seconds + o.warmup_s + 20) * 1e9);
  std::thread th([&] { client->run(stop, deadline); });
  r.ok = stream_fix(acc, r, o, [&acc] { return acc.find_peer("TICKPIPE"); },
                    [&acc] { return acc.find_peer("TICKPIPE") != nullptr; });
  stop.store(true);
  serve_teardown(acc, 5 * kNs, [] { return true; });
  th.join();
  r.ok = r.ok && r.s.answered == r.s.sent && r.s.mismatched == 0;
  session_notes(acc, r);
  char b[200];
  std::snprintf(b, sizeof b, "client: X decoded %" PRIu64 ", D sent %" PRIu64 ", decode problems %" PRIu64
                ", heap allocations from Logon to Logout on its thread: %" PRIu64,
                client->md_in, client->orders_out, client->bad, client->allocs.load());
  r.notes.emplace_back(b);
  return r;
}

// ------------------------------------------------------------ peer 3: the engine

/// One FOK buy of 1 lot at the ask for every market event (the risk stage's logic).
class FokLogic final : public tp::TradingLogic {
 public:
  void on_market(const tp::Event& ev, tp::StrategySink& sink) override {
    if (t_alloc_sink == nullptr) t_alloc_sink = &allocs;  // the hot thread, from its first event
    if (!ev.u.md.has_ask()) return;
    tp::OrderRequest o;
    o.client_id = tp::ClientOrderId{(uint64_t{1} << 32) | ++n_};
    o.side = tp::Side::Buy;
    o.tif = tp::Tif::Fok;
    o.qty = tp::Qty{1};
    o.limit = ev.u.md.ask;
    o.open_close = tp::OpenClose::Open;
    if (sink.submit(o) != tp::RejectReason::None) ++refused;
  }
  void on_exec(const tp::Event&, tp::StrategySink&) override {}
  void on_end_of_data(const tp::Event&, tp::StrategySink&) override { t_alloc_sink = nullptr; }
  int open_lots() const override { return 0; }
  tp::Ticks day_pnl() const override { return tp::Ticks{0}; }
  std::atomic<uint64_t> allocs{0};
  uint64_t refused = 0;

 private:
  uint64_t n_ = 0;
};

Result run_engine(const Options& o) {
  Result r;
  r.name = "engine";
  r.what = "tickpipe engine: FixPipeline fused (FixFeed->tracker->risk->gateway->FixFeed), FOK per X";
  Acceptor acc(false);
  uint64_t exec_id = 0;
  uint64_t reports = 0;
  acc.on_app([&](Conn& c, const fix::MessageView& m, int64_t t) {
    const std::string_view type = m.msg_type();
    std::string_view v;
    if (type == "V") {  // MarketDataRequest: remember 262, answer with the (empty) snapshot
      (void)m.get(262, v);
      c.md_req_id.assign(v);
      fix::Encoder& e = acc.begin(c, "W");
      e.add(262, v);
      e.add(55, "MTX");
      e.add_utc_timestamp(60, utc_ns(), 9);
      e.add(75, "20260105");
      e.add_char(336, '1');
      e.add_char(5001, 'N');
      e.add_int(268, 0);
      acc.finish(c);
      c.md_requested = true;
      return;
    }
    if (type != "D") return;
    r.s.on_answer(t);
    // Terminate the FOK: New, then Canceled (not filled), echoing the order's fields.
    std::string_view cl, side, qty, px, tif;
    (void)m.get(11, cl);
    (void)m.get(54, side);
    (void)m.get(38, qty);
    (void)m.get(44, px);
    (void)m.get(59, tif);
    ++reports;
    for (int k = 0; k < 2; ++k) {
      const bool fin = k == 1;
      fix::Encoder& e = acc.begin(c, "8");
      e.add_int(37, static_cast<int64_t>(reports));
      e.add(11, cl);
      e.add_int(17, static_cast<int64_t>(++exec_id));
      e.add_char(150, fin ? '4' : '0');
      e.add_char(39, fin ? '4' : '0');
      e.add(55, "MTX");
      e.add(54, side);
      e.add(38, qty);
      e.add(44, px);
      e.add(59, tif);
      e.add_char(77, 'O');
      e.add_int(14, 0);
      e.add(151, fin ? std::string_view("0") : qty);
      e.add_int(6, 0);
      e.add_utc_timestamp(60, utc_ns(), 6);
      acc.finish(c);
    }
  });

  tp::Config cfg = tp::default_config();
  cfg.risk.max_orders_per_sec = 0;  // an order per X on purpose
  cfg.risk.max_position_lots = 0;
  cfg.risk.price_band_ticks = tp::Ticks{0};
  FokLogic logic;
  tp::PipelineOptions lo;
  lo.layout = tp::Layout::Fused;
  lo.idle.kind = tp::IdleKind::BusySpin;
  lo.order_ring = 1024;
  if (std::thread::hardware_concurrency() >= 2) {
    lo.cpus = {last_cpu()};
    lo.persister_cpu = 0;
  }
  fix::FixFeedConfig fc;
  fc.host = "127.0.0.1";
  fc.port = acc.port();
  fc.heartbeat_s = o.heartbeat_s;
  fc.reset_seq_on_logon = true;
  fc.instrument = cfg.instrument;
  auto p = std::make_unique<fix::FixPipeline>(
      cfg, [&fc](const tp::FeedPorts<tp::SpscRing>& ports) { return std::make_unique<fix::FixFeed>(fc, ports); },
      logic, lo);
  // The pipeline checks its pins against the calling thread's affinity: let it see every CPU.
  unpin_self();
  p->start(nullptr);  // journal discarded
  pin_self(0);
  r.ok = stream_fix(
      acc, r, o, [&acc] { return acc.find_peer("TICKPIPE-MD"); },
      [&acc] {
        Conn* md = acc.find_peer("TICKPIPE-MD");
        return acc.find_peer("TICKPIPE") != nullptr && md != nullptr && md->md_requested;
      });
  // Let the last reports reach the engine, then stop it: it logs both sessions out.
  serve_until(acc, 200'000'000, [] { return false; });
  p->feed().request_stop();
  serve_teardown(acc, 5 * kNs, [&p] { return p->feed().finished(); });
  if (!p->feed().finished()) r.notes.emplace_back("the engine's feed did not finish within 5 s of its stop");
  p->stop();
  r.ok = r.ok && r.s.answered == r.s.sent && r.s.mismatched == 0;
  session_notes(acc, r);
  const fix::FixFeedStats& fs = p->feed().stats();
  char b[320];
  std::snprintf(b, sizeof b,
                "engine: market events %" PRIu64 ", D sent %" PRIu64 ", refused %" PRIu64 ", exec reports %" PRIu64
                ", risk refusals %" PRIu64 ", heap allocations on the hot thread after its first event: %" PRIu64,
                fs.market_events, fs.orders_sent, fs.orders_refused, fs.exec_reports, logic.refused,
                logic.allocs.load());
  r.notes.emplace_back(b);
  return r;
}

// ------------------------------------------------------------ peer 4: QuickFIX

Result run_quickfix(const Options& o) {
  Result r;
  r.name = "quickfix";
  r.what = "QuickFIX/C++ 1.15 SocketInitiator, fromApp decodes X, sendToTarget(D)";
  r.notes.emplace_back(std::string("QuickFIX: MemoryStore, PersistMessages=N, no log; ") +
                       tp::bench::QfInitiator::dictionary_note());
  Acceptor acc(false);
  acc.on_app(d_answers(r));
  tp::bench::QfInitiator qf;
  std::string err;
  // QuickFIX's thread inherits the creating thread's affinity: start it from the client CPU.
  pin_self(last_cpu());
  const bool started = qf.start(acc.port(), "QFCLIENT", std::string(kVenue), o.heartbeat_s, err);
  pin_self(0);
  if (!started) {
    r.notes.push_back("QuickFIX did not start: " + err);
    return r;
  }
  r.ok = stream_fix(acc, r, o, [&acc] { return acc.find_peer("QFCLIENT"); },
                    [&acc] { return acc.find_peer("QFCLIENT") != nullptr; });
  // QuickFIX's stop() waits (up to 10 s) for the Logout answer: serve while it does.
  std::atomic<bool> stopped{false};
  std::thread stopper([&] {
    qf.stop();
    stopped.store(true);
  });
  serve_teardown(acc, 15 * kNs, [&stopped] { return stopped.load(); });
  stopper.join();
  const tp::bench::QfInitiatorStats st = qf.stats();
  r.ok = r.ok && r.s.answered == r.s.sent && r.s.mismatched == 0;
  session_notes(acc, r);
  char b[200];
  std::snprintf(b, sizeof b, "client: X decoded %" PRIu64 ", D sent %" PRIu64 ", decode problems %" PRIu64,
                st.md_in, st.orders_out, st.decode_errors);
  r.notes.emplace_back(b);
  return r;
}

// ------------------------------------------------------------------------ main

std::vector<std::string> split(const std::string& s) {
  std::vector<std::string> v;
  std::stringstream ss(s);
  std::string x;
  while (std::getline(ss, x, ',')) {
    if (!x.empty()) v.push_back(x);
  }
  return v;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::fprintf(stderr, "%s needs a value\n", a.c_str());
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--quick") {
      o.seconds = 1;
      o.warmup_s = 0.2;
    } else if (a == "--seconds") {
      o.seconds = std::stod(next());
    } else if (a == "--warmup-seconds") {
      o.warmup_s = std::stod(next());
    } else if (a == "--rate") {
      o.rate = std::stod(next());
    } else if (a == "--peers") {
      o.peers = split(next());
    } else if (a == "--heartbeat") {
      o.heartbeat_s = std::stoi(next());
    } else if (a == "--check-ratio") {
      o.check_ratio = std::stod(next());
    } else {
      std::fprintf(stderr,
                   "usage: %s [--quick] [--seconds N] [--warmup-seconds N] [--rate R] "
                   "[--peers bare,ours,engine,quickfix] [--heartbeat S] [--check-ratio X]\n",
                   argv[0]);
      return 2;
    }
  }
  if (o.rate <= 0 || o.seconds <= 0 || o.warmup_s < 0 || o.heartbeat_s <= 0) {
    std::fprintf(stderr, "--rate, --seconds and --heartbeat must be > 0\n");
    return 2;
  }
  prctl(PR_SET_TIMERSLACK, 1UL, 0, 0, 0);
  CPU_ZERO(&g_all_cpus);
  (void)pthread_getaffinity_np(pthread_self(), sizeof g_all_cpus, &g_all_cpus);
  pin_self(0);
  std::printf("FIX wire-to-wire over loopback: %.0f msgs/s, %.1f s measured after %.1f s warm-up per peer, "
              "%u cores, HeartBtInt %d s\n",
              o.rate, o.seconds, o.warmup_s, std::thread::hardware_concurrency(), o.heartbeat_s);
  std::printf("latency = harness receive+parse of the answer - harness stamp right before send() of the X (ns)\n");
  std::fflush(stdout);

  std::vector<Result> res;
  for (const std::string& p : o.peers) {
    if (p == "bare") res.push_back(run_bare(o));
    else if (p == "ours") res.push_back(run_ours(o));
    else if (p == "engine") res.push_back(run_engine(o));
    else if (p == "quickfix") res.push_back(run_quickfix(o));
    else {
      std::fprintf(stderr, "unknown peer %s\n", p.c_str());
      return 2;
    }
  }

  const Result* bare = nullptr;
  for (const Result& r : res) {
    if (r.name == "bare") bare = &r;
  }
  const int64_t bare_p50 = bare != nullptr ? bare->s.lat.percentile(0.5) : 0;
  auto ratio = [bare_p50](int64_t v) { return static_cast<double>(v) / static_cast<double>(std::max<int64_t>(1, bare_p50)); };

  std::printf("\n%-9s %9s %9s %9s %9s %10s %9s %8s | %9s %9s %9s\n", "peer", "p50_ns", "p90_ns", "p99_ns",
              "p99.9_ns", "max_ns", "answers", "p50/bare", "CO_p50", "CO_p99", "late_p99");
  int rc = 0;
  for (const Result& r : res) {
    const LatencyHistogram& h = r.s.lat;
    std::printf("%-9s %9" PRId64 " %9" PRId64 " %9" PRId64 " %9" PRId64 " %10" PRId64 " %9" PRIu64 " %8.2f | %9" PRId64
                " %9" PRId64 " %9" PRId64 "%s\n",
                r.name.c_str(), h.percentile(0.5), h.percentile(0.9), h.percentile(0.99), h.percentile(0.999),
                h.max(), r.s.answered, bare != nullptr ? ratio(h.percentile(0.5)) : 0.0, r.s.co.percentile(0.5),
                r.s.co.percentile(0.99), r.s.late.percentile(0.99), r.ok ? "" : "  INCOMPLETE");
    if (!r.ok) rc = 1;
  }
  std::printf("\n");
  for (const Result& r : res) {
    std::printf("%s: %s (%" PRIu64 " sent, %" PRIu64 " answered, %" PRIu64 " out of order/unmatched)\n",
                r.name.c_str(), r.what.c_str(), r.s.sent, r.s.answered, r.s.mismatched);
    for (const std::string& n : r.notes) std::printf("  %s\n", n.c_str());
  }
  if (bare != nullptr) {
    for (const Result& r : res) {
      if (&r == bare) continue;
      std::printf("ratio %s_p50/bare_p50 = %.2f\n", r.name.c_str(), ratio(r.s.lat.percentile(0.5)));
    }
  }
  if (o.check_ratio > 0) {
    const Result* ours = nullptr;
    for (const Result& r : res) {
      if (r.name == "ours") ours = &r;
    }
    if (bare == nullptr || ours == nullptr) {
      std::printf("--check-ratio needs the bare and ours peers\n");
      rc = 1;
    } else {
      const double q = ratio(ours->s.lat.percentile(0.5));
      std::printf("check: ours p50 %.2fx bare TCP p50 (limit %.2fx): %s\n", q, o.check_ratio,
                  q <= o.check_ratio ? "ok" : "REGRESSION");
      if (q > o.check_ratio) rc = 1;
    }
  }
  return rc;
}
