// Reader for the normalized JSON-lines tick format (docs/FORMATS.md, "jsonl"), parsed
// with simdjson On Demand one line at a time. Prices are converted exactly from their
// decimal text (a JSON string, or a JSON number's raw token), never through a double.
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <iterator>
#include <limits>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "internal.hpp"
#include "tp/engine/input/readers.hpp"

namespace tp {

namespace {

namespace od = simdjson::ondemand;

enum class RecType : uint8_t { None, Trade, Quote, Tick };

/// Parses one JSON line into an InputEvent (no symbol filter, no time-order check).
/// Reports problems through BadLines (which throws unless skip_bad). The parser and the
/// padded line buffer are reused, so steady-state parsing does not allocate.
class RecordParser {
 public:
  RecordParser(const Instrument& inst, const SessionHours& hours, detail::BadLines& bad)
      : inst_(inst), hours_(hours), bad_(bad) {}

  /// True and `e`, `symbol` filled for a valid record. `symbol` stays valid until the
  /// next call.
  bool parse(std::string_view line, uint32_t ln, InputEvent& e, std::string_view& symbol) {
    ln_ = ln;
    line_ = line;
    const std::size_t n = line.size();
    if (buf_.size() < n + simdjson::SIMDJSON_PADDING) buf_.resize(n + simdjson::SIMDJSON_PADDING);
    std::memcpy(buf_.data(), line.data(), n);
    std::memset(buf_.data() + n, ' ', simdjson::SIMDJSON_PADDING);

    od::document doc;
    if (const auto err = parser_.iterate(buf_.data(), n, buf_.size()).get(doc)) return json_error(err);
    od::object obj;
    if (const auto err = doc.get_object().get(obj)) {
      return err == simdjson::INCORRECT_TYPE ? fail("json", line, "a record must be a JSON object")
                                             : json_error(err);
    }
    RecType type = RecType::None;
    bool has_ts = false, has_day = false, has_symbol = false, has_price = false, has_qty = false,
         has_bids = false, has_asks = false, auction = false;
    int64_t ts = 0, day = 0;
    Price price;
    Qty qty;
    e = InputEvent{};
    // Every key once: a duplicate is bad input, never "the last one wins". Known keys
    // are tracked by bit, the others are collected (views into the parser's string
    // buffer, valid until the next line) and checked after the loop.
    static constexpr std::string_view kKnown[] = {"type", "ts_ns", "day",     "symbol", "price",
                                                  "qty",  "auction", "bids", "asks"};
    uint32_t seen = 0;
    other_keys_.clear();
    for (auto field_r : obj) {
      od::field field;
      if (const auto err = std::move(field_r).get(field)) return json_error(err);
      std::string_view key;
      if (const auto err = field.unescaped_key().get(key)) return json_error(err);
      bool known = false;
      for (uint32_t k = 0; k < std::size(kKnown); ++k) {
        if (key != kKnown[k]) continue;
        if (seen & (1u << k)) return fail(key, token(field.value()), "duplicate key in one record");
        seen |= 1u << k;
        known = true;
        break;
      }
      if (!known) other_keys_.push_back(key);
      od::value v = field.value();
      if (key == "type") {
        std::string_view s;
        if (v.get_string().get(s)) return fail("type", token(v), "expected a string");
        if (s == "trade") type = RecType::Trade;
        else if (s == "quote") type = RecType::Quote;
        else if (s == "tick") type = RecType::Tick;
        else return fail("type", s, "expected \"trade\", \"quote\" or \"tick\"");
      } else if (key == "ts_ns") {
        if (v.get_int64().get(ts) || ts <= 0) {
          return fail("ts_ns", token(v), "expected a positive integer (ns since the Unix epoch, UTC)");
        }
        if (!detail::event_time_ok(ts)) return fail("ts_ns", token(v), detail::kEventTimeRangeMessage);
        has_ts = true;
      } else if (key == "day") {
        TimeNs t;
        if (v.get_int64().get(day) || day < 19700101 || day > 22001231 ||
            !make_time(static_cast<int32_t>(day), 0, 0, 0, t)) {
          return fail("day", token(v), "expected a trading day YYYYMMDD");
        }
        has_day = true;
      } else if (key == "symbol") {
        if (v.get_string().get(symbol)) return fail("symbol", token(v), "expected a string");
        has_symbol = true;
      } else if (key == "price") {
        if (!get_price(v, "price", price)) return false;
        has_price = true;
      } else if (key == "qty") {
        if (!get_qty(v, "qty", qty)) return false;
        has_qty = true;
      } else if (key == "auction") {
        if (v.get_bool().get(auction)) return fail("auction", token(v), "expected true or false");
      } else if (key == "bids") {
        if (!get_levels(v, "bids", e.bid_px, e.bid_qty, e.bid_levels, true)) return false;
        has_bids = true;
      } else if (key == "asks") {
        if (!get_levels(v, "asks", e.ask_px, e.ask_qty, e.ask_levels, false)) return false;
        has_asks = true;
      } else if (!validate(v, 0)) {  // unknown keys are ignored, but must be valid JSON
        return false;
      }
    }
    // Anything after the object is an error ({"a":1} {"b":2} is two records on one line).
    const char* rest = nullptr;
    if (!doc.current_location().get(rest) && rest != nullptr) {
      return fail("json", line, "trailing characters after the JSON object");
    }
    if (other_keys_.size() > 1) {
      std::sort(other_keys_.begin(), other_keys_.end());
      const auto dup = std::adjacent_find(other_keys_.begin(), other_keys_.end());
      if (dup != other_keys_.end()) return fail(*dup, "", "duplicate key in one record");
    }

    if (type == RecType::None) return fail("type", "", "missing required field");
    if (!has_ts) return fail("ts_ns", "", "missing required field");
    if (!has_symbol) return fail("symbol", "", "missing required field");
    const bool trade = type != RecType::Quote;
    const bool book = type != RecType::Trade;
    if (trade) {
      if (!has_price) return fail("price", "", "missing required field");
      if (!has_qty) return fail("qty", "", "missing required field");
    } else if (has_price || has_qty || auction) {
      return fail(has_price ? "price" : has_qty ? "qty" : "auction", "",
                  "a quote carries no trade; use type \"tick\" for a trade with book levels");
    }
    if (book) {
      if (!has_bids && !has_asks) return fail("bids", "", "a quote needs \"bids\" and/or \"asks\"");
      if (e.bid_levels > 0 && e.ask_levels > 0 && e.bid_px[0] >= e.ask_px[0]) {
        return fail("bids", inst_.format_price(e.bid_px[0]),
                    "crossed book: best bid is not below the best ask " + inst_.format_price(e.ask_px[0]));
      }
    } else if (has_bids || has_asks) {
      return fail(has_bids ? "bids" : "asks", "",
                  "a trade carries no book; use type \"tick\" for a trade with book levels");
    }
    e.ts = TimeNs{ts};
    e.line = ln;
    e.flags = static_cast<uint8_t>((trade ? kInTrade : 0) | (book ? kInQuote : 0) |
                                   (auction ? kInAuction : 0));
    if (trade) {
      e.last = price;
      e.last_qty = qty;
    }
    e.day = trading_day_of(e.ts, inst_.utc_offset_ns, hours_);
    if (has_day && e.day.yyyymmdd != day) {
      return fail("day", std::to_string(day),
                  "disagrees with ts_ns " + std::to_string(ts) + ", which belongs to trading day " +
                      std::to_string(e.day.yyyymmdd) + " (" + format_date(local_date(e.ts, inst_.utc_offset_ns)) +
                      " " + format_hhmmss(local_seconds_of_day(e.ts, inst_.utc_offset_ns)) +
                      " exchange time; night-session times belong to the next trading day)");
    }
    e.session = session_of(e.ts, inst_.utc_offset_ns, hours_);
    return true;
  }

 private:
  bool fail(std::string_view field, std::string_view value, std::string_view message) {
    bad_.report(ln_, field, value, message);
    return false;
  }
  bool json_error(simdjson::error_code err) {
    return fail("json", line_, std::string("invalid JSON: ") + simdjson::error_message(err));
  }
  static std::string_view token(od::value& v) {
    return detail::trim(v.raw_json_token());
  }

  /// Consumes a value of an unknown key completely, so that On Demand's lazy skipping
  /// cannot let malformed JSON through.
  bool validate(od::value v, int depth) {
    if (depth > 32) return fail("json", line_, "nesting too deep");
    od::json_type t;
    if (const auto err = v.type().get(t)) return json_error(err);
    simdjson::error_code err = simdjson::SUCCESS;
    switch (t) {
      case od::json_type::object: {
        od::object o;
        if ((err = v.get_object().get(o))) break;
        for (auto f_r : o) {
          od::field f;
          if ((err = std::move(f_r).get(f))) break;
          if (!validate(f.value(), depth + 1)) return false;
        }
        break;
      }
      case od::json_type::array: {
        od::array a;
        if ((err = v.get_array().get(a))) break;
        for (auto e_r : a) {
          od::value e;
          if ((err = std::move(e_r).get(e))) break;
          if (!validate(e, depth + 1)) return false;
        }
        break;
      }
      case od::json_type::string: {
        std::string_view s;
        err = v.get_string().get(s);
        break;
      }
      case od::json_type::number: {
        od::number n;
        err = v.get_number().get(n);
        break;
      }
      case od::json_type::boolean: {
        bool b = false;
        err = v.get_bool().get(b);
        break;
      }
      case od::json_type::null: {
        bool is_null = false;
        if (!(err = v.is_null().get(is_null)) && !is_null) err = simdjson::INCORRECT_TYPE;
        break;
      }
    }
    return err ? json_error(err) : true;
  }

  bool get_price(od::value v, std::string_view field, Price& out) {
    od::json_type t;
    if (const auto err = v.type().get(t)) return json_error(err);
    std::string_view text;
    if (t == od::json_type::string) {
      if (v.get_string().get(text)) return fail(field, token(v), "invalid string");
    } else if (t == od::json_type::number) {
      text = token(v);  // the number's own decimal text: exact, no double
    } else {
      return fail(field, token(v), "expected a decimal price (string or number)");
    }
    Decimal d;
    if (!parse_decimal(text, d)) {
      return fail(field, text, "not a decimal number (no exponents, at most 9 decimals)");
    }
    if (std::string why = detail::check_price(inst_, d, out); !why.empty()) {
      return fail(field, text, why);
    }
    return true;
  }

  bool get_qty(od::value v, std::string_view field, Qty& out) {
    int64_t q = 0;
    if (v.get_int64().get(q) || q <= 0) {
      return fail(field, token(v), "expected a positive whole number of lots");
    }
    if (q > kMaxQtyLots) {
      return fail(field, token(v), "quantity out of range (at most 1000000 lots)");
    }
    out = Qty{static_cast<int32_t>(q)};
    return true;
  }

  bool get_levels(od::value v, std::string_view field, Price* px, Qty* qty, uint8_t& count,
                  bool descending) {
    od::array arr;
    if (v.get_array().get(arr)) return fail(field, token(v), "expected an array of [price, qty] levels");
    count = 0;
    for (auto lvl_r : arr) {
      od::value lvl;
      if (const auto err = std::move(lvl_r).get(lvl)) return json_error(err);
      od::array pair;
      if (lvl.get_array().get(pair)) return fail(field, token(lvl), "each level must be [price, qty]");
      int k = 0;
      Price p;
      Qty q;
      for (auto el_r : pair) {
        od::value el;
        if (const auto err = std::move(el_r).get(el)) return json_error(err);
        if (k == 0) {
          if (!get_price(el, field, p)) return false;
        } else if (k == 1) {
          if (!get_qty(el, field, q)) return false;
        } else {
          return fail(field, token(el), "each level must be [price, qty]");
        }
        ++k;
      }
      if (k != 2) return fail(field, "", "each level must be [price, qty]");
      if (count >= kMaxLevels) return fail(field, "", "more than 5 levels");
      if (count > 0 && (descending ? p >= px[count - 1] : p <= px[count - 1])) {
        return fail(field, inst_.format_price(p),
                    descending ? "bid levels must be strictly descending (best first)"
                               : "ask levels must be strictly ascending (best first)");
      }
      px[count] = p;
      qty[count] = q;
      ++count;
    }
    return true;
  }

  const Instrument& inst_;
  const SessionHours& hours_;
  detail::BadLines& bad_;
  od::parser parser_;
  std::string buf_;
  std::vector<std::string_view> other_keys_;
  uint32_t ln_ = 0;
  std::string_view line_;
};

}  // namespace

TickData read_jsonl(const std::string& name, std::string_view data, const Instrument& inst,
                    const ReadOptions& opt) {
  TickData td;
  td.source = name;
  ReadStats& st = td.stats;
  st.format = InputFormat::Jsonl;
  detail::BadLines bad(name, opt.skip_bad, st);
  detail::PriceBand band(inst, opt);
  const std::string_view want = detail::trim(opt.symbol);
  RecordParser parser(inst, opt.hours, bad);

  // Pass 1: parse and validate every line. The time order is a property of the whole
  // file (every symbol), so the time of every valid record is kept; events only for the
  // selected symbol (`sel[i]`: index into `events`, or -1).
  std::vector<int64_t> times;
  std::vector<uint32_t> lines;
  std::vector<int64_t> sel;
  std::vector<InputEvent> events;
  const std::size_t guess = data.size() / 100;
  times.reserve(guess);
  lines.reserve(guess);
  sel.reserve(guess);
  events.reserve(guess);
  detail::LineReader lr(data);
  std::string_view line;
  bool seen_symbol = false;
  InputEvent e;
  std::string_view symbol;
  while (lr.next(line)) {
    const uint32_t ln = lr.line_no();
    if (detail::trim(line).empty()) continue;
    ++st.lines;
    if (!parser.parse(line, ln, e, symbol)) continue;
    times.push_back(e.ts.ns);
    lines.push_back(ln);
    if (!want.empty() && symbol != want) {
      sel.push_back(-1);
      ++st.filtered;
      continue;
    }
    seen_symbol = true;
    sel.push_back(static_cast<int64_t>(events.size()));
    events.push_back(e);
  }
  if (!seen_symbol) {
    bad.throw_first();  // errors of single lines first: they name the file's first bad line
    detail::throw_symbol_not_found(name, "symbol", want, st.lines);
  }

  // Pass 2: time order (docs/FORMATS.md "Time order"): the fewest lines are dropped.
  const std::vector<bool> in_order = detail::keep_in_time_order(times, false);
  std::vector<InputEvent> ordered;
  ordered.reserve(events.size());
  for (std::size_t i = 0; i < times.size(); ++i) {
    if (!in_order[i]) {
      bad.report(lines[i], "ts_ns", std::to_string(times[i]),
                 detail::time_order_message(times, lines, in_order, i, false, [&](std::size_t j) {
                   return "ts_ns " + std::to_string(times[j]);
                 }));
      if (sel[i] >= 0) continue;
      --st.filtered;  // counted as skipped, not as filtered
      continue;
    }
    if (sel[i] >= 0) ordered.push_back(events[static_cast<std::size_t>(sel[i])]);
  }
  events.clear();
  events.shrink_to_fit();

  // Pass 3: the price band of each trading day (before the session filter).
  const auto best = [](const InputEvent& x, Price& p) {
    if (x.bid_levels > 0) {
      p = x.bid_px[0];
    } else if (x.ask_levels > 0) {
      p = x.ask_px[0];
    } else {
      return false;
    }
    return true;
  };
  if (band.on()) {
    for (const InputEvent& x : ordered) {
      Price p;
      if (x.flags & kInTrade) {
        band.observe(x.day, x.last, true);
      } else if (best(x, p)) {
        band.observe(x.day, p, false);
      }
    }
    band.settle();
  }
  bool any_book = false;
  td.events.reserve(ordered.size());
  for (const InputEvent& x : ordered) {
    const char* field = nullptr;
    Price out;
    if ((x.flags & kInTrade) && !band.contains(x.day, x.last)) {
      field = "price";
      out = x.last;
    }
    for (int k = 0; k < x.bid_levels && field == nullptr; ++k) {
      if (!band.contains(x.day, x.bid_px[k])) {
        field = "bids";
        out = x.bid_px[k];
      }
    }
    for (int k = 0; k < x.ask_levels && field == nullptr; ++k) {
      if (!band.contains(x.day, x.ask_px[k])) {
        field = "asks";
        out = x.ask_px[k];
      }
    }
    if (field != nullptr) {
      bad.report(x.line, field, inst.format_price(out), band.message(x.day, out));
      continue;
    }
    if (!detail::keep_session(x.session, opt)) {
      ++st.filtered;
      continue;
    }
    any_book = any_book || (x.flags & kInQuote) != 0;
    td.events.push_back(x);
  }
  bad.throw_first();
  // Trades-only recordings get the synthetic book of the tick rule.
  if (!any_book) apply_tick_rule(td.events, opt.tick_rule);
  st.events = td.events.size();
  return td;
}

}  // namespace tp
