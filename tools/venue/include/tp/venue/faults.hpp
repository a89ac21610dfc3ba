// Scriptable, deterministic faults of `tickpipe venue --faults FILE` (docs/FIX.md
// "Venue faults"): one fault a line, `KIND key=value ...`, keyed by the count of orders
// received, a ClOrdID, or the count of application messages sent.
//
// Threads: a FaultPlan is owned by the venue and used under its lock. Allocation:
// parsing allocates (cold path); the queries do not.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace tp::venue {

enum class FaultKind : uint8_t {
  Reject,         ///< reject the order (103=99, 58 names the fault)
  Delay,          ///< answer the order delay_ms late (the order session's thread waits)
  DropAck,        ///< do not send the order's New report (fills / cancel still go)
  DuplicateFill,  ///< send the order's first fill report twice (same ExecID)
  UnknownReport,  ///< after answering the order, send a fill report for an order that does not
                  ///< exist
  PartialIoc,  ///< an IOC order fills at most `qty` lots (default: half, at least 1), the rest is
               ///< cancelled
  Disconnect,  ///< drop the TCP connection of a session (no Logout)
  SeqGap,      ///< skip `skip` outgoing MsgSeqNums on a session
  Halt,  ///< reject every later order (103=99 "venue halted"); md=Y also stops the market data
};
inline constexpr int kFaultKinds = 9;
const char* to_string(FaultKind k) noexcept;

/// One line of the faults file.
struct Fault {
  FaultKind kind = FaultKind::Reject;
  uint32_t line = 0;  ///< line in the file (diagnostics)
  // trigger (exactly one):
  std::string clordid;  ///< the order with this ClOrdID
  int64_t after_orders =
      -1;  ///< order faults: orders N+1 .. N+next; session faults: once N orders are answered
  int64_t after_msgs = -1;  ///< session faults: once N application messages were sent on `session`
  // parameters:
  int64_t next = 1;         ///< order faults: how many orders it applies to
  int64_t delay_ms = 0;     ///< Delay
  int64_t skip = 0;         ///< SeqGap
  int64_t qty = 0;          ///< PartialIoc (0 = half the order, at least 1)
  bool md_session = false;  ///< Disconnect / SeqGap: session=md (default order)
  bool halt_md = false;     ///< Halt: md=Y
  // state:
  int64_t fired = 0;
};

/// The parsed file. Throws tp::InputError (file, line, field = the key or "kind",
/// value, message) on the first bad line; std::invalid_argument when the file cannot be read.
std::vector<Fault> parse_faults(const std::string& path);
/// Same, from text (`name` is used in errors).
std::vector<Fault> parse_faults_text(const std::string& name, std::string_view text);

/// Is `f` (an order fault) due for order number `k` (1-based count of NewOrderSingle
/// received) with ClOrdID `clordid`? Does not mark it fired.
bool order_fault_due(const Fault& f, int64_t k, std::string_view clordid) noexcept;

}  // namespace tp::venue
