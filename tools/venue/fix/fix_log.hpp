// QuickFIX island (C++14): a LogFactory that writes every session's messages in and out
// and its events to one text file, one line each:
//   <UTC time, microseconds> <SenderCompID>-><TargetCompID> in|out|event <message, SOH as |>
// Thread-safe (one mutex around the file). An empty path logs nothing.
#pragma once

#include <quickfix/Log.h>
#include <quickfix/SessionID.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <fstream>
#include <memory>
#include <mutex>
#include <stdexcept>
#include <string>

namespace tp {
namespace venue {

class FixFileLogFactory : public FIX::LogFactory {
 public:
  explicit FixFileLogFactory(const std::string& path) {
    if (!path.empty()) {
      out_.open(path, std::ios::out | std::ios::trunc);
      if (!out_) throw std::runtime_error("cannot write the FIX log " + path);
    }
  }

  void write(const std::string& who, const char* dir, const std::string& text) {
    if (!out_.is_open()) return;
    std::string t = text;
    std::replace(t.begin(), t.end(), '\x01', '|');
    const auto now = std::chrono::system_clock::now().time_since_epoch();
    const long long us = std::chrono::duration_cast<std::chrono::microseconds>(now).count();
    const std::time_t sec = static_cast<std::time_t>(us / 1000000);
    std::tm tm{};
    gmtime_r(&sec, &tm);
    char stamp[64];
    std::snprintf(stamp, sizeof stamp, "%04d-%02d-%02dT%02d:%02d:%02d.%06lldZ", tm.tm_year + 1900,
                  tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, us % 1000000);
    std::lock_guard<std::mutex> l(mu_);
    out_ << stamp << ' ' << who << ' ' << dir << ' ' << t << '\n';
    out_.flush();
  }
  void event(const std::string& text) { write("-", "event", text); }

  FIX::Log* create() override { return new SessionLog(*this, "-"); }
  FIX::Log* create(const FIX::SessionID& id) override {
    return new SessionLog(
        *this, id.getSenderCompID().getString() + "->" + id.getTargetCompID().getString());
  }
  void destroy(FIX::Log* log) override { delete log; }

 private:
  class SessionLog : public FIX::Log {
   public:
    SessionLog(FixFileLogFactory& f, std::string who) : f_(f), who_(std::move(who)) {}
    void clear() override {}
    void backup() override {}
    void onIncoming(const std::string& s) override { f_.write(who_, "in", s); }
    void onOutgoing(const std::string& s) override { f_.write(who_, "out", s); }
    void onEvent(const std::string& s) override { f_.write(who_, "event", s); }

   private:
    FixFileLogFactory& f_;
    std::string who_;
  };

  std::mutex mu_;
  std::ofstream out_;
};

}  // namespace venue
}  // namespace tp
