#include "tp/venue/faults.hpp"

#include <charconv>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tp/engine/input/readers.hpp"

namespace tp::venue {

const char* to_string(FaultKind k) noexcept {
  switch (k) {
    case FaultKind::Reject:
      return "reject";
    case FaultKind::Delay:
      return "delay";
    case FaultKind::DropAck:
      return "drop_ack";
    case FaultKind::DuplicateFill:
      return "duplicate_fill";
    case FaultKind::UnknownReport:
      return "unknown_report";
    case FaultKind::PartialIoc:
      return "partial_ioc";
    case FaultKind::Disconnect:
      return "disconnect";
    case FaultKind::SeqGap:
      return "seq_gap";
    case FaultKind::Halt:
      return "halt";
  }
  return "?";
}

namespace {

bool parse_kind(std::string_view s, FaultKind& k) {
  for (int i = 0; i < kFaultKinds; ++i) {
    const auto c = static_cast<FaultKind>(i);
    if (s == to_string(c)) {
      k = c;
      return true;
    }
  }
  return false;
}

bool is_session_fault(FaultKind k) {
  return k == FaultKind::Disconnect || k == FaultKind::SeqGap;
}

}  // namespace

std::vector<Fault> parse_faults_text(const std::string& name, std::string_view text) {
  std::vector<Fault> out;
  uint32_t lineno = 0;
  std::size_t pos = 0;
  while (pos <= text.size()) {
    std::size_t eol = text.find('\n', pos);
    if (eol == std::string_view::npos) eol = text.size();
    std::string_view line = text.substr(pos, eol - pos);
    pos = eol + 1;
    ++lineno;
    if (const auto hash = line.find('#'); hash != std::string_view::npos)
      line = line.substr(0, hash);
    std::vector<std::string_view> tokens;
    std::size_t i = 0;
    while (i < line.size()) {
      while (i < line.size() && (line[i] == ' ' || line[i] == '\t' || line[i] == '\r')) ++i;
      std::size_t j = i;
      while (j < line.size() && line[j] != ' ' && line[j] != '\t' && line[j] != '\r') ++j;
      if (j > i) tokens.push_back(line.substr(i, j - i));
      i = j;
    }
    if (tokens.empty()) {
      if (eol == text.size()) break;
      continue;
    }
    auto bad = [&](std::string_view field, std::string_view value, const std::string& msg) {
      return InputError(name, lineno, std::string(field), std::string(value), msg);
    };
    Fault f;
    f.line = lineno;
    std::size_t first = 1;
    if (tokens[0].starts_with("delay_ms=")) {  // shorthand: `delay_ms=200 clordid=X`
      f.kind = FaultKind::Delay;
      first = 0;
    } else if (!parse_kind(tokens[0], f.kind)) {
      throw bad("kind", tokens[0],
                "unknown fault (expected reject, delay, drop_ack, duplicate_fill, unknown_report, "
                "partial_ioc, "
                "disconnect, seq_gap or halt)");
    }
    std::vector<std::string_view> seen;
    bool next_given = false;
    for (std::size_t t = first; t < tokens.size(); ++t) {
      const std::string_view tok = tokens[t];
      const auto eq = tok.find('=');
      if (eq == std::string_view::npos || eq == 0)
        throw bad("key=value", tok, "expected key=value");
      const std::string_view key = tok.substr(0, eq);
      const std::string_view value = tok.substr(eq + 1);
      for (std::string_view s : seen) {
        if (s == key) throw bad(key, value, "given twice");
      }
      seen.push_back(key);
      auto number = [&](int64_t lo, int64_t hi) {
        int64_t v = 0;
        const auto r = std::from_chars(value.data(), value.data() + value.size(), v);
        if (value.empty() || r.ec != std::errc{} || r.ptr != value.data() + value.size() ||
            v < lo || v > hi) {
          throw bad(key, value,
                    "must be an integer " + std::to_string(lo) + ".." + std::to_string(hi));
        }
        return v;
      };
      auto allowed = [&](bool ok, const char* why) {
        if (!ok)
          throw bad(key, value, std::string("not allowed for ") + to_string(f.kind) + ": " + why);
      };
      if (key == "clordid") {
        allowed(!is_session_fault(f.kind),
                "session faults are keyed by after_orders or after_msgs");
        if (value.empty()) throw bad(key, value, "must not be empty");
        f.clordid = std::string(value);
      } else if (key == "after_orders") {
        f.after_orders = number(0, 1'000'000'000);
      } else if (key == "after_msgs") {
        allowed(is_session_fault(f.kind), "order faults are keyed by clordid or after_orders");
        f.after_msgs = number(0, 1'000'000'000);
      } else if (key == "next") {
        allowed(!is_session_fault(f.kind) && f.kind != FaultKind::Halt,
                "it fires once / halts for good");
        f.next = number(1, 1'000'000'000);
        next_given = true;
      } else if (key == "delay_ms") {
        allowed(f.kind == FaultKind::Delay, "only delay has delay_ms");
        f.delay_ms = number(1, 60'000);
      } else if (key == "skip") {
        allowed(f.kind == FaultKind::SeqGap, "only seq_gap has skip");
        f.skip = number(1, 1'000'000);
      } else if (key == "qty") {
        allowed(f.kind == FaultKind::PartialIoc, "only partial_ioc has qty");
        f.qty = number(1, kMaxQtyLots);
      } else if (key == "session") {
        allowed(is_session_fault(f.kind), "only disconnect and seq_gap have session");
        if (value == "md") {
          f.md_session = true;
        } else if (value != "order") {
          throw bad(key, value, "must be order or md");
        }
      } else if (key == "md") {
        allowed(f.kind == FaultKind::Halt, "only halt has md");
        if (value == "Y") {
          f.halt_md = true;
        } else if (value != "N") {
          throw bad(key, value, "must be Y or N");
        }
      } else {
        throw bad(key, value, "unknown key");
      }
    }
    const int triggers =
        (f.clordid.empty() ? 0 : 1) + (f.after_orders >= 0 ? 1 : 0) + (f.after_msgs >= 0 ? 1 : 0);
    if (triggers != 1) {
      throw bad("trigger", tokens[0],
                is_session_fault(f.kind) ? "needs exactly one of after_orders=N or after_msgs=N"
                                         : "needs exactly one of clordid=ID or after_orders=N");
    }
    if (next_given && !f.clordid.empty())
      throw bad("next", std::to_string(f.next), "a ClOrdID names one order");
    if (f.kind == FaultKind::Delay && f.delay_ms == 0)
      throw bad("delay_ms", "", "delay needs delay_ms=MS");
    if (f.kind == FaultKind::SeqGap && f.skip == 0) throw bad("skip", "", "seq_gap needs skip=K");
    out.push_back(std::move(f));
    if (eol == text.size()) break;
  }
  return out;
}

std::vector<Fault> parse_faults(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::invalid_argument("--faults: cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return parse_faults_text(path, ss.str());
}

bool order_fault_due(const Fault& f, int64_t k, std::string_view clordid) noexcept {
  if (!f.clordid.empty()) return f.fired == 0 && f.clordid == clordid;
  if (f.after_orders < 0 || k <= f.after_orders) return false;
  if (f.kind == FaultKind::Halt) return true;
  return f.fired < f.next;
}

}  // namespace tp::venue
