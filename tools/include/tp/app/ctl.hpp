// Operator control of a running `tickpipe live` (issue #10 item 6; docs/DESIGN.md
// "Operator control"): a local Unix socket, <db>/ctl.sock, one command line per
// connection, one answer back. Commands enter the engine as Control events through the
// feed's moodycamel::ConcurrentQueue, so each takes effect at one point of the event
// stream and the risk stage journals it with its result (JournalType::Operator):
//   status          positions, working orders, PnL, counters (JSON; from the committed tables)
//   kill            kill switch: no new opening orders, resting orders cancelled
//   flatten         every open lot exits through the normal exit path; entries paused
//   pause / resume  no new entries / entries again
//   limits FILE     the [risk] section of a TOML file replaces the risk limits
// Cold path throughout (the driver's thread and the `tickpipe ctl` process).
#pragma once

#include <functional>
#include <string>

namespace tp::app {

/// <db>/ctl.sock.
std::string ctl_socket_path(const std::string& db);

/// The engine's side: a listening Unix socket, polled by the driver's thread.
class ControlServer {
 public:
  /// Binds and listens at `path` (a stale socket file left by a killed engine is
  /// replaced). Throws std::runtime_error naming the path and the OS error.
  explicit ControlServer(const std::string& path);
  /// Closes and removes the socket file.
  ~ControlServer();
  ControlServer(const ControlServer&) = delete;
  ControlServer& operator=(const ControlServer&) = delete;
  /// Answers the connections waiting now, each with handle(its command line); returns
  /// at once when none waits. A client has 1 s to send its line. Driver thread only.
  void poll(const std::function<std::string(const std::string&)>& handle);

 private:
  std::string path_;
  int fd_ = -1;
};

/// The operator's side: sends `line` to the engine running on `db`, returns its answer.
/// Throws std::runtime_error when no engine listens there (no socket, connection
/// refused) or it does not answer within `timeout_ms`.
std::string ctl_request(const std::string& db, const std::string& line, int timeout_ms = 5000);

}  // namespace tp::app
