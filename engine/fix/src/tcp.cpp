// Non-blocking IPv4 TCP client (tcp.hpp).
#include "tp/fix/tcp.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

namespace tp::fix {

namespace {
constexpr std::size_t kErrCap = 200;
}

TcpConnection::TcpConnection() { err_.reserve(kErrCap); }

TcpConnection::~TcpConnection() { close(); }

void TcpConnection::set_error(const char* what, int errnum) noexcept {
  // err_ has kErrCap reserved: assigning a shorter text never allocates.
  char tmp[kErrCap];
  const char* text = errnum != 0 ? strerror_r(errnum, tmp, sizeof tmp) : "";
  err_.assign(what);
  if (errnum != 0) {
    err_.append(": ");
    err_.append(text, std::min(std::strlen(text), kErrCap - err_.size() - 1));
  }
}

bool TcpConnection::connect(const std::string& host, uint16_t port) noexcept {
  close();
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  if (inet_pton(AF_INET, host.c_str(), &addr.sin_addr) != 1) {
    set_error("connect: not a numeric IPv4 address", 0);
    return false;
  }
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    set_error("socket", errno);
    return false;
  }
  const int one = 1;
  if (::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one) != 0) {
    set_error("setsockopt(TCP_NODELAY)", errno);
    ::close(fd);
    return false;
  }
  fd_ = fd;
  if (::connect(fd, reinterpret_cast<const sockaddr*>(&addr), sizeof addr) == 0) {
    connecting_ = false;
    return true;
  }
  if (errno == EINPROGRESS) {
    connecting_ = true;
    return true;
  }
  set_error("connect", errno);
  close();
  return false;
}

int TcpConnection::poll_connected() noexcept {
  if (fd_ < 0) return -1;
  if (!connecting_) return 1;
  // Writable = the connect finished (either way); SO_ERROR tells which.
  int err = 0;
  socklen_t len = sizeof err;
  if (::getsockopt(fd_, SOL_SOCKET, SO_ERROR, &err, &len) != 0) {
    set_error("getsockopt(SO_ERROR)", errno);
    close();
    return -1;
  }
  if (err != 0) {
    set_error("connect", err);
    close();
    return -1;
  }
  sockaddr_in peer{};
  socklen_t plen = sizeof peer;
  if (::getpeername(fd_, reinterpret_cast<sockaddr*>(&peer), &plen) != 0) {
    if (errno == ENOTCONN) return 0;  // still in progress
    set_error("getpeername", errno);
    close();
    return -1;
  }
  connecting_ = false;
  return 1;
}

long TcpConnection::read(char* buf, std::size_t cap) noexcept {
  if (fd_ < 0 || connecting_) return fd_ < 0 ? -1 : 0;
  const ssize_t n = ::recv(fd_, buf, cap, 0);
  if (n > 0) return static_cast<long>(n);
  if (n == 0) {
    set_error("closed by the peer", 0);
    close();
    return -1;
  }
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  set_error("recv", errno);
  close();
  return -1;
}

long TcpConnection::write(const char* buf, std::size_t len) noexcept {
  if (fd_ < 0) return -1;
  if (connecting_ || len == 0) return 0;
  const ssize_t n = ::send(fd_, buf, len, MSG_NOSIGNAL);
  if (n >= 0) return static_cast<long>(n);
  if (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR) return 0;
  set_error("send", errno);
  close();
  return -1;
}

void TcpConnection::close() noexcept {
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
  connecting_ = false;
}

}  // namespace tp::fix
