// tp::app control socket - see tp/app/ctl.hpp.
#include "tp/app/ctl.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>

namespace tp::app {

namespace {

sockaddr_un address(const std::string& path) {
  sockaddr_un a{};
  a.sun_family = AF_UNIX;
  if (path.size() >= sizeof a.sun_path) {
    throw std::runtime_error("control socket path too long (" + std::to_string(path.size()) + " bytes, at most " +
                             std::to_string(sizeof a.sun_path - 1) + "): " + path + " - use a shorter --db");
  }
  std::memcpy(a.sun_path, path.c_str(), path.size() + 1);
  return a;
}

/// Reads until '\n' or EOF (at most 64 KiB) within `timeout_ms`.
std::string read_line(int fd, int timeout_ms, bool to_eof) {
  std::string s;
  char buf[4096];
  for (;;) {
    pollfd p{fd, POLLIN, 0};
    if (poll(&p, 1, timeout_ms) <= 0) break;
    const ssize_t n = read(fd, buf, sizeof buf);
    if (n <= 0) break;
    s.append(buf, static_cast<std::size_t>(n));
    if (s.size() > 65536) break;
    if (!to_eof && s.find('\n') != std::string::npos) break;
  }
  return s;
}

void write_all(int fd, const std::string& s) {
  std::size_t off = 0;
  while (off < s.size()) {
    const ssize_t n = write(fd, s.data() + off, s.size() - off);
    if (n <= 0) {
      if (n < 0 && errno == EINTR) continue;
      return;
    }
    off += static_cast<std::size_t>(n);
  }
}

}  // namespace

std::string ctl_socket_path(const std::string& db) { return db + "/ctl.sock"; }

ControlServer::ControlServer(const std::string& path) : path_(path) {
  const sockaddr_un a = address(path);
  fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  if (fd_ < 0) throw std::runtime_error("control socket: " + std::string(std::strerror(errno)));
  unlink(path.c_str());  // a socket left by a killed engine
  if (bind(fd_, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0 || listen(fd_, 8) != 0) {
    const std::string why = std::strerror(errno);
    close(fd_);
    throw std::runtime_error("control socket " + path + ": " + why);
  }
}

ControlServer::~ControlServer() {
  if (fd_ >= 0) close(fd_);
  unlink(path_.c_str());
}

void ControlServer::poll(const std::function<std::string(const std::string&)>& handle) {
  for (;;) {
    const int c = accept4(fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (c < 0) return;  // EAGAIN: nobody waits
    std::string line = read_line(c, 1000, false);
    while (!line.empty() && (line.back() == '\n' || line.back() == '\r')) line.pop_back();
    std::string answer;
    try {
      answer = handle(line);
    } catch (const std::exception& e) {
      answer = std::string("error: ") + e.what();
    }
    if (answer.empty() || answer.back() != '\n') answer += '\n';
    write_all(c, answer);
    close(c);
  }
}

std::string ctl_request(const std::string& db, const std::string& line, int timeout_ms) {
  const std::string path = ctl_socket_path(db);
  const sockaddr_un a = address(path);
  const int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) throw std::runtime_error("socket: " + std::string(std::strerror(errno)));
  if (connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) != 0) {
    const std::string why = std::strerror(errno);
    close(fd);
    throw std::runtime_error("no engine is running on " + db + " (" + path + ": " + why + ")");
  }
  write_all(fd, line + "\n");
  shutdown(fd, SHUT_WR);
  const std::string answer = read_line(fd, timeout_ms, true);
  close(fd);
  if (answer.empty()) throw std::runtime_error("the engine on " + db + " did not answer within " +
                                               std::to_string(timeout_ms) + " ms");
  return answer;
}

}  // namespace tp::app
