// A QuickFIX/C++ FIX 4.4 initiator used as a peer by bench/fix_wire_latency: it logs on
// to the harness (acting as the venue), decodes every MarketDataIncrementalRefresh (X)
// it receives (the 268 group: 5-level book both sides + a trade) and answers each with
// one NewOrderSingle (D) through FIX::Session::sendToTarget, from QuickFIX's own thread.
//
// Plain C++ interface: no QuickFIX type here, so the C++20 harness never includes a
// QuickFIX header (they do not compile as C++17/20). The implementation is a C++14
// static library (tp_bench_qf_initiator). Distinct from the venue's and the codec
// benchmark's QuickFIX islands.
//
// Threads: start() creates QuickFIX's initiator thread (it inherits the calling thread's
// CPU affinity); stop() logs out, waits for the Logout answer (QuickFIX waits up to
// 10 s for it: the acceptor must keep serving meanwhile, i.e. call stop() from a
// thread other than the acceptor's) and joins that thread.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace tp {
namespace bench {

struct QfInitiatorStats {
  uint64_t md_in = 0;        ///< X decoded
  uint64_t orders_out = 0;   ///< D sent
  uint64_t decode_errors = 0;
  bool logged_on = false;
};

class QfInitiator {
 public:
  QfInitiator();
  ~QfInitiator();
  QfInitiator(const QfInitiator&) = delete;
  QfInitiator& operator=(const QfInitiator&) = delete;

  /// Starts the initiator (connects to 127.0.0.1:port, HeartBtInt heartbeat_s). Returns
  /// false with `error` filled when QuickFIX refused the configuration.
  bool start(uint16_t port, const std::string& sender, const std::string& target, int heartbeat_s,
             std::string& error);
  /// Logs out and stops the initiator thread (idempotent).
  void stop();
  /// Counters (safe to read from any thread; relaxed snapshots).
  QfInitiatorStats stats() const;
  /// How QuickFIX decodes the 268 group (for the report).
  static const char* dictionary_note();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace bench
}  // namespace tp
