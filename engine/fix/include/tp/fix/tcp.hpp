// A non-blocking TCP client connection (loopback in tests). Never blocks: connect()
// starts the connect, poll_connected() completes it, read()/write() return what the
// kernel takes now. TCP_NODELAY is set; send uses MSG_NOSIGNAL (no SIGPIPE). Errors
// close the connection and keep errno's text in last_error() (at most 200 bytes, in a
// string reserved at construction: no allocation after it). One thread uses a
// connection.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace tp::fix {

class TcpConnection {
 public:
  /// Reserves last_error()'s text (so that a later error does not allocate).
  TcpConnection();
  ~TcpConnection();
  TcpConnection(const TcpConnection&) = delete;
  TcpConnection& operator=(const TcpConnection&) = delete;

  /// Starts a connect to host:port (numeric IPv4). False on immediate failure.
  bool connect(const std::string& host, uint16_t port) noexcept;
  /// 1 connected, 0 still connecting, -1 failed (closed).
  int poll_connected() noexcept;
  /// Bytes read (>0), 0 nothing available, -1 closed by the peer or an error (closed).
  long read(char* buf, std::size_t cap) noexcept;
  /// Bytes written (may be fewer than asked, or 0 when the socket buffer is full), -1 on
  /// error (closed).
  long write(const char* buf, std::size_t len) noexcept;
  void close() noexcept;
  [[nodiscard]] bool is_open() const noexcept { return fd_ >= 0; }
  [[nodiscard]] int fd() const noexcept { return fd_; }
  [[nodiscard]] const std::string& last_error() const noexcept { return err_; }

 private:
  void set_error(const char* what, int errnum) noexcept;

  int fd_ = -1;
  bool connecting_ = false;
  std::string err_;
};

}  // namespace tp::fix
