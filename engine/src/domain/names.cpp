// String names of the engine's enums (reports, journal dumps, diagnostics).
#include "tp/engine/input/readers.hpp"
#include "tp/engine/journal.hpp"
#include "tp/engine/messages.hpp"

namespace tp {

const char* to_string(RejectReason r) noexcept {
  switch (r) {
    case RejectReason::None: return "none";
    case RejectReason::InvalidQty: return "invalid_qty";
    case RejectReason::InvalidPrice: return "invalid_price";
    case RejectReason::Unsupported: return "unsupported";
    case RejectReason::UnknownOrder: return "unknown_order";
    case RejectReason::DuplicateId: return "duplicate_id";
    case RejectReason::VenueDown: return "venue_down";
    case RejectReason::VenueOther: return "venue_other";
    case RejectReason::KillSwitch: return "kill_switch";
    case RejectReason::MaxPosition: return "max_position";
    case RejectReason::MaxOrderSize: return "max_order_size";
    case RejectReason::PriceBand: return "price_band";
    case RejectReason::Throttle: return "throttle";
    case RejectReason::DailyLoss: return "daily_loss";
  }
  return "?";
}

const char* to_string(Stage s) noexcept {
  switch (s) {
    case Stage::Feed: return "feed";
    case Stage::Tracker: return "tracker";
    case Stage::Risk: return "risk";
    case Stage::Gateway: return "gateway";
    case Stage::Persister: return "persister";
  }
  return "?";
}

const char* to_string(OrderState s) noexcept {
  switch (s) {
    case OrderState::PendingNew: return "PENDING_NEW";
    case OrderState::New: return "NEW";
    case OrderState::PartiallyFilled: return "PARTIALLY_FILLED";
    case OrderState::Filled: return "FILLED";
    case OrderState::Cancelled: return "CANCELLED";
    case OrderState::Rejected: return "REJECTED";
  }
  return "?";
}

const char* to_string(PositionState s) noexcept {
  switch (s) {
    case PositionState::PendingEntry: return "PENDING_ENTRY";
    case PositionState::Active: return "ACTIVE";
    case PositionState::PendingClosing: return "PENDING_CLOSING";
    case PositionState::Closed: return "CLOSED";
    case PositionState::EntryFailed: return "ENTRY_FAILED";
  }
  return "?";
}

const char* to_string(ExitReason r) noexcept {
  switch (r) {
    case ExitReason::None: return "none";
    case ExitReason::InitialStop: return "initial_stop";
    case ExitReason::TrailingStop: return "trailing_stop";
    case ExitReason::ProtectiveStop: return "protective_stop";
    case ExitReason::TakeProfit: return "take_profit";
    case ExitReason::EndOfDay: return "end_of_day";
    case ExitReason::Overfill: return "overfill";
    case ExitReason::KillSwitch: return "kill_switch";
    case ExitReason::Reconciled: return "reconciled";
  }
  return "?";
}

const char* to_string(ControlKind k) noexcept {
  switch (k) {
    case ControlKind::RunSwitch: return "run_switch";
    case ControlKind::Reconcile: return "reconcile";
    case ControlKind::Kill: return "kill";
    case ControlKind::Flatten: return "flatten";
    case ControlKind::Pause: return "pause";
    case ControlKind::Resume: return "resume";
    case ControlKind::Limits: return "limits";
    case ControlKind::Status: return "status";
  }
  return "?";
}

const char* to_string(JournalType t) noexcept {
  switch (t) {
    case JournalType::OrderSent: return "order_sent";
    case JournalType::ExecReport: return "exec_report";
    case JournalType::OrderUpdate: return "order_update";
    case JournalType::Fill: return "fill";
    case JournalType::UnknownReport: return "unknown_report";
    case JournalType::Position: return "position";
    case JournalType::Group: return "group";
    case JournalType::Signal: return "signal";
    case JournalType::RiskReject: return "risk_reject";
    case JournalType::Chase: return "chase";
    case JournalType::Session: return "session";
    case JournalType::Input: return "input";
    case JournalType::Reconcile: return "reconcile";
    case JournalType::Operator: return "operator";
  }
  return "?";
}

const char* to_string(SkipReason r) noexcept {
  switch (r) {
    case SkipReason::None: return "none";
    case SkipReason::RangeTooWide: return "range_too_wide";
    case SkipReason::NoBreakout: return "no_breakout";
    case SkipReason::LossLimit: return "loss_limit";
    case SkipReason::ProfitTarget: return "profit_target";
    case SkipReason::NoRangeData: return "no_range_data";
    case SkipReason::EntriesRefused: return "entries_refused";
    case SkipReason::GroupIdsExhausted: return "group_ids_exhausted";
  }
  return "?";
}

const char* to_string(InputFormat f) noexcept {
  switch (f) {
    case InputFormat::Auto: return "auto";
    case InputFormat::Taifex: return "taifex";
    case InputFormat::Bars: return "bars";
    case InputFormat::Jsonl: return "jsonl";
    case InputFormat::Binary: return "binary";
  }
  return "?";
}

bool parse_input_format(std::string_view s, InputFormat& out) noexcept {
  if (s == "auto") out = InputFormat::Auto;
  else if (s == "taifex") out = InputFormat::Taifex;
  else if (s == "bars" || s == "capital") out = InputFormat::Bars;
  else if (s == "jsonl" || s == "json") out = InputFormat::Jsonl;
  else if (s == "binary" || s == "tpk") out = InputFormat::Binary;
  else return false;
  return true;
}

}  // namespace tp

namespace tp {
const char* to_string(SessionEvent e) noexcept {
  switch (e) {
    case SessionEvent::Logon: return "logon";
    case SessionEvent::Logout: return "logout";
    case SessionEvent::Disconnect: return "disconnect";
    case SessionEvent::Garbled: return "garbled";
    case SessionEvent::RejectSent: return "reject_sent";
    case SessionEvent::RejectReceived: return "reject_received";
    case SessionEvent::GapDetected: return "gap_detected";
    case SessionEvent::GapFillSent: return "gap_fill_sent";
    case SessionEvent::SeqTooLow: return "seq_too_low";
    case SessionEvent::PossDupIgnored: return "poss_dup_ignored";
    case SessionEvent::BadReport: return "bad_report";
    case SessionEvent::BadMarketData: return "bad_market_data";
    case SessionEvent::Unhandled: return "unhandled";
    case SessionEvent::StopRequested: return "stop_requested";
    case SessionEvent::SeqCheckpoint: return "seq_checkpoint";
  }
  return "?";
}
}  // namespace tp
