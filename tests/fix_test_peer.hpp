// A scripted FIX counterparty for the tp::fix tests: a loopback listening socket on
// 127.0.0.1 (port 0, non-blocking), one accepted connection at a time, every message
// received kept (raw bytes), messages sent with tp::fix::Encoder. Driven from the test
// thread (pump()); it never blocks and closes its sockets on destruction.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <functional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "tp/fix/codec.hpp"

namespace tp::fix::test {

/// A received message, parsed on demand.
struct RxMsg {
  std::string raw;
  [[nodiscard]] std::string type() const { return get(35); }
  [[nodiscard]] bool has(int tag) const {
    MessageView m;
    std::size_t c = 0;
    return parse(raw, m, c) == ParseStatus::Ok && m.find(tag) >= 0;
  }
  [[nodiscard]] std::string get(int tag) const {
    MessageView m;
    std::size_t c = 0;
    std::string_view v;
    if (parse(raw, m, c) != ParseStatus::Ok || !m.get(tag, v)) return {};
    return std::string(v);
  }
  [[nodiscard]] uint64_t seq() const { return std::stoull(get(34)); }
};

class Peer {
 public:
  Peer() {
    lfd_ = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (lfd_ < 0) throw std::runtime_error("socket");
    const int one = 1;
    ::setsockopt(lfd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    if (::bind(lfd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || ::listen(lfd_, 4) != 0)
      throw std::runtime_error("bind/listen");
    socklen_t len = sizeof a;
    ::getsockname(lfd_, reinterpret_cast<sockaddr*>(&a), &len);
    port_ = ntohs(a.sin_port);
  }
  ~Peer() {
    close_conn();
    ::close(lfd_);
  }
  Peer(const Peer&) = delete;
  Peer& operator=(const Peer&) = delete;

  [[nodiscard]] uint16_t port() const { return port_; }
  [[nodiscard]] bool connected() const { return fd_ >= 0; }
  int accepts = 0;
  bool peer_closed = false;  ///< the session closed the connection (read 0)
  std::vector<RxMsg> rx;
  uint64_t next_out = 1;
  std::string sender = "TPVENUE", target = "TICKPIPE";

  /// Accepts, reads and splits what arrived; never blocks.
  void pump() {
    if (fd_ < 0) {
      const int fd = ::accept4(lfd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
      if (fd >= 0) {
        fd_ = fd;
        ++accepts;
        peer_closed = false;
        in_.clear();
      }
    }
    if (fd_ < 0) return;
    char buf[65536];
    for (;;) {
      const ssize_t n = ::recv(fd_, buf, sizeof buf, 0);
      if (n > 0) {
        in_.append(buf, static_cast<std::size_t>(n));
        continue;
      }
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) {
        peer_closed = true;
        close_conn();
      }
      break;
    }
    MessageView m;
    for (;;) {
      std::size_t c = 0;
      const ParseStatus st = parse(in_, m, c);
      if (st == ParseStatus::Incomplete) break;
      if (st == ParseStatus::Ok) rx.push_back(RxMsg{in_.substr(0, c)});
      in_.erase(0, c);
    }
  }

  /// Waits (poll(2)) up to `ms` for input on the peer's sockets.
  void wait(int ms) const {
    pollfd p[2] = {{lfd_, POLLIN, 0}, {fd_, POLLIN, 0}};
    ::poll(p, fd_ >= 0 ? 2 : 1, ms);
  }

  void send_raw(std::string_view bytes) {
    std::size_t off = 0;
    int spins = 0;
    while (off < bytes.size() && fd_ >= 0 && spins < 100000) {
      const ssize_t n = ::send(fd_, bytes.data() + off, bytes.size() - off, MSG_NOSIGNAL);
      if (n > 0) {
        off += static_cast<std::size_t>(n);
      } else {
        ++spins;
      }
    }
  }

  /// Sends a message with MsgSeqNum `seq` (0: next_out, which then advances).
  std::string send(std::string_view type, const std::function<void(Encoder&)>& body = {}, uint64_t seq = 0,
                   bool poss_dup = false) {
    const bool own = seq == 0;
    if (own) seq = next_out;
    enc_.begin(type, sender, target, seq, 1'627'261'323'000'000'000LL, poss_dup, 1'627'261'322'000'000'000LL);
    if (body) body(enc_);
    std::string m(enc_.finish());
    if (own) ++next_out;
    send_raw(m);
    return m;
  }

  void close_conn() {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

  [[nodiscard]] int count(std::string_view type) const {
    int n = 0;
    for (const RxMsg& m : rx) n += m.type() == type ? 1 : 0;
    return n;
  }
  [[nodiscard]] const RxMsg* last(std::string_view type) const {
    for (auto it = rx.rbegin(); it != rx.rend(); ++it) {
      if (it->type() == type) return &*it;
    }
    return nullptr;
  }

 private:
  int lfd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
  std::string in_;
  Encoder enc_;
};

}  // namespace tp::fix::test
