// Child processes for the end-to-end tests (tickpipe venue + tickpipe live on loopback):
// spawn with stdout/stderr captured, read a line with a deadline, wait with a deadline
// and kill -9 past it, so a hung process fails its test instead of hanging CI.
#pragma once

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

namespace tp::test {

class Child {
 public:
  /// Starts `argv[0]` with `argv`; stdout is a pipe (line reads), stderr goes to
  /// `stderr_file` ("" = inherited).
  Child(const std::vector<std::string>& argv, const std::string& stderr_file = "") {
    int out[2];
    if (pipe(out) != 0) throw std::runtime_error("pipe failed");
    pid_ = fork();
    if (pid_ < 0) throw std::runtime_error("fork failed");
    if (pid_ == 0) {
      dup2(out[1], STDOUT_FILENO);
      if (!stderr_file.empty()) {
        const int fd = open(stderr_file.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
        if (fd >= 0) dup2(fd, STDERR_FILENO);
      }
      close(out[0]);
      close(out[1]);
      std::vector<char*> args;
      for (const std::string& a : argv) args.push_back(const_cast<char*>(a.c_str()));
      args.push_back(nullptr);
      execv(args[0], args.data());
      _exit(127);
    }
    close(out[1]);
    out_fd_ = out[0];
  }
  ~Child() {
    if (pid_ > 0 && !reaped_) {
      kill(pid_, SIGKILL);
      int st = 0;
      waitpid(pid_, &st, 0);
    }
    if (out_fd_ >= 0) close(out_fd_);
  }
  Child(const Child&) = delete;
  Child& operator=(const Child&) = delete;

  /// The next stdout line (without '\n'); false at EOF or past the deadline.
  bool read_line(std::string& line, std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      const auto nl = buf_.find('\n');
      if (nl != std::string::npos) {
        line = buf_.substr(0, nl);
        buf_.erase(0, nl + 1);
        return true;
      }
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
      if (left.count() <= 0) return false;
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) continue;
      char tmp[4096];
      const ssize_t n = read(out_fd_, tmp, sizeof tmp);
      if (n <= 0) return false;
      buf_.append(tmp, static_cast<std::size_t>(n));
    }
  }
  /// Everything still on stdout until EOF (call after the child exited).
  std::string rest_of_stdout() {
    std::string s = buf_;
    buf_.clear();
    char tmp[4096];
    ssize_t n;
    while ((n = read(out_fd_, tmp, sizeof tmp)) > 0) s.append(tmp, static_cast<std::size_t>(n));
    return s;
  }
  /// Exit status, or -1 if it had to be killed after `timeout` (or died by a signal).
  int wait(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    for (;;) {
      int st = 0;
      const pid_t r = waitpid(pid_, &st, WNOHANG);
      if (r == pid_) {
        reaped_ = true;
        return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        kill(pid_, SIGKILL);
        waitpid(pid_, &st, 0);
        reaped_ = true;
        return -1;
      }
      // Drain stdout so a chatty child never blocks on a full pipe.
      pollfd p{out_fd_, POLLIN, 0};
      if (poll(&p, 1, 10) > 0) {
        char tmp[4096];
        const ssize_t n = read(out_fd_, tmp, sizeof tmp);
        if (n > 0) buf_.append(tmp, static_cast<std::size_t>(n));
      }
    }
  }
  void signal(int sig) { kill(pid_, sig); }
  [[nodiscard]] pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  bool reaped_ = false;
  std::string buf_;
};

/// Runs a command to completion (deadline `timeout`), returns its stdout; `rc` its status.
inline std::string run_capture(const std::vector<std::string>& argv, int& rc,
                               std::chrono::milliseconds timeout = std::chrono::seconds(120),
                               const std::string& stderr_file = "") {
  Child c(argv, stderr_file);
  rc = c.wait(timeout);
  return c.rest_of_stdout();
}

}  // namespace tp::test
