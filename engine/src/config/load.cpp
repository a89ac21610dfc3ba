// The TOML configuration loader, validation and the human-readable summary
// (config.hpp). Cold path only: allocates, throws ConfigError.
//
// This is the only translation unit that includes toml++ (it is linked privately into
// tp_engine), so the rest of the engine never sees the TOML types.
//
// Error messages (STYLE §5, cold path):
//   * TOML syntax errors:       "FILE:LINE:COL: <toml++ description>"
//   * unknown key or table:     "FILE:LINE:COL: unknown key 'strategy.grups' (...)"
//   * wrong type / bad string:  "FILE:LINE:COL: strategy.groups must be an integer, got string
//   \"3\""
//   * value out of range:       "FILE: strategy.groups must be 1..5, got 7"
//   * not on the tick grid:     "FILE: strategy.initial_stop_points: 2.5 points is not ..."
// where FILE is Config::source ("config" for a configuration built in code).
#include <sys/stat.h>
#include <toml++/toml.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <initializer_list>
#include <limits>
#include <sstream>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tp/engine/config/config.hpp"

namespace tp {

namespace {

// ------------------------------------------------------------------ formatting

std::string fmt_double(double v) {
  if (std::isnan(v)) return "nan";
  if (std::isinf(v)) return v > 0 ? "inf" : "-inf";
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

std::string fmt_decimal(const Decimal& d) {
  const bool neg = d.mantissa < 0;
  // |INT64_MIN| does not fit; parse_decimal never produces it, but stay safe.
  const uint64_t a =
      neg ? uint64_t{0} - static_cast<uint64_t>(d.mantissa) : static_cast<uint64_t>(d.mantissa);
  std::string digits = std::to_string(a);
  if (d.scale > 0) {
    const auto scale = static_cast<std::size_t>(d.scale);
    if (digits.size() <= scale) digits.insert(0, scale + 1 - digits.size(), '0');
    digits.insert(digits.size() - scale, 1, '.');
  }
  return (neg ? "-" : "") + digits;
}

std::string fmt_time(int32_t sec_of_day) {
  if (sec_of_day < 0 || sec_of_day >= 86400) return std::to_string(sec_of_day) + " s";
  return format_hhmmss(sec_of_day);
}

/// "10%" for 0.10 (via parts per million, so 0.2 prints 20 and not 20.000000000000004).
std::string fmt_percent(double fraction) {
  if (!std::isfinite(fraction)) return fmt_double(fraction);
  return fmt_double(static_cast<double>(std::llround(fraction * 1'000'000.0)) / 10'000.0) + "%";
}

/// The name used at the start of every message.
std::string label(const std::string& source) {
  return source.empty() ? std::string("config") : source;
}

std::string at(const std::string& src, const toml::source_region& r) {
  if (r.begin.line == 0) return src;
  return src + ":" + std::to_string(r.begin.line) + ":" + std::to_string(r.begin.column);
}

const char* type_name(toml::node_type t) noexcept {
  switch (t) {
    case toml::node_type::none:
      return "nothing";
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a float";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
  }
  return "?";
}

/// "string \"3\"", "float 2.5", "table": what the file actually has, for type errors.
std::string describe_node(const toml::node& n) {
  std::string s = type_name(n.type());
  if (const auto* v = n.as_string()) return s + " \"" + v->get() + "\"";
  if (const auto* v = n.as_integer()) return s + " " + std::to_string(v->get());
  if (const auto* v = n.as_floating_point()) return s + " " + fmt_double(v->get());
  if (const auto* v = n.as_boolean()) return s + (v->get() ? " true" : " false");
  return s;
}

// ------------------------------------------------------------------ range checks
// Shared by the loader (which must check integers before narrowing them) and by
// validate(). Every message: "FILE: FIELD must be RANGE, got VALUE".

[[noreturn]] void range_error(const std::string& src, std::string_view field,
                              std::string_view range, std::string_view got) {
  throw ConfigError(src + ": " + std::string(field) + " must be " + std::string(range) + ", got " +
                    std::string(got));
}

void check_time_of_day(const std::string& src, std::string_view field, int32_t v) {
  if (v < 0 || v >= 86400)
    range_error(src, field, "a time of day 00:00:00..23:59:59", std::to_string(v) + " s");
}

/// a < b (or a <= b when !strict), both times of day of fields `fa` and `fb`.
void check_order(const std::string& src, std::string_view fa, int32_t a, std::string_view fb,
                 int32_t b, bool strict) {
  if (strict ? a < b : a <= b) return;
  range_error(src, fa,
              std::string(strict ? "before " : "at or before ") + std::string(fb) + " (" +
                  fmt_time(b) + ")",
              fmt_time(a));
}

// ------------------------------------------------------------------ table reader

/// Reads the keys of one TOML table into typed fields, naming each field by its full
/// dotted path ("strategy.chase.max_retries") in errors.
class Reader {
 public:
  Reader(const toml::table& t, std::string path, const std::string& src)
      : t_(t), path_(std::move(path)), src_(src) {}

  [[nodiscard]] std::string field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }

  /// Every key of the table must be in `allowed`; a typo is an error naming it.
  void check_keys(const std::vector<std::string_view>& allowed) const {
    for (auto&& [k, v] : t_) {
      bool ok = false;
      for (std::string_view a : allowed) ok = ok || a == k.str();
      if (ok) continue;
      std::string what;
      if (v.is_table()) {
        what = "unknown table [" + field(k.str()) + "]";
      } else if (v.is_array_of_tables()) {
        what = "unknown table [[" + field(k.str()) + "]]";
      } else {
        what = "unknown key '" + field(k.str()) + "'";
      }
      std::string list;
      for (std::string_view a : allowed) list += (list.empty() ? "" : ", ") + std::string(a);
      throw ConfigError(at(src_, k.source()) + ": " + what + " (" +
                        (path_.empty() ? std::string("top level") : "[" + path_ + "]") +
                        " accepts: " + list + ")");
    }
  }

  [[nodiscard]] const toml::node* get(std::string_view key) const { return t_.get(key); }

  [[noreturn]] void type_error(std::string_view key, const toml::node& n,
                               std::string_view expected) const {
    throw ConfigError(at(src_, n.source()) + ": " + field(key) + " must be " +
                      std::string(expected) + ", got " + describe_node(n));
  }

  /// A number; an integer is accepted for a float field ("40" means 40.0).
  bool read_double(std::string_view key, double& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    if (const auto* f = n->as_floating_point()) {
      out = f->get();
    } else if (const auto* i = n->as_integer()) {
      out = static_cast<double>(i->get());
    } else {
      type_error(key, *n, "a number");
    }
    return true;
  }

  bool read_bool(std::string_view key, bool& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    const auto* v = n->as_boolean();
    if (v == nullptr) type_error(key, *n, "a boolean (true or false)");
    out = v->get();
    return true;
  }

  bool read_string(std::string_view key, std::string& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    const auto* v = n->as_string();
    if (v == nullptr) type_error(key, *n, "a string");
    out = v->get();
    return true;
  }

  /// "HH:MM" or "HH:MM:SS" (a string), or a bare TOML local time (08:45:00).
  bool read_time(std::string_view key, int32_t& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    if (const auto* t = n->as_time()) {
      const toml::time tm = t->get();
      if (tm.nanosecond != 0)
        type_error(key, *n, "a time of day \"HH:MM[:SS]\" without fractional seconds");
      out = tm.hour * 3600 + tm.minute * 60 + tm.second;
      return true;
    }
    const auto* s = n->as_string();
    if (s == nullptr || !parse_hhmmss(s->get(), out))
      type_error(key, *n, "a time of day \"HH:MM\" or \"HH:MM:SS\"");
    return true;
  }

  /// One of the names in `values` (case-insensitive).
  template <class E>
  bool read_enum(std::string_view key, std::initializer_list<std::pair<std::string_view, E>> values,
                 E& out) const {
    const toml::node* n = get(key);
    if (n == nullptr) return false;
    std::string list;
    for (const auto& [name, e] : values) list += (list.empty() ? "" : "|") + std::string(name);
    const auto* s = n->as_string();
    if (s != nullptr) {
      for (const auto& [name, e] : values) {
        if (iequals(name, s->get())) {
          out = e;
          return true;
        }
      }
    }
    type_error(key, *n, "one of \"" + list + "\"");
  }

  /// A sub-table; nullptr when absent; error when present but not a table.
  [[nodiscard]] const toml::table* table(std::string_view key) const {
    const toml::node* n = get(key);
    if (n == nullptr) return nullptr;
    const auto* t = n->as_table();
    if (t == nullptr) type_error(key, *n, "a table");
    return t;
  }

  [[nodiscard]] const std::string& path() const { return path_; }
  [[nodiscard]] const std::string& src() const { return src_; }

  static bool iequals(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
      auto lower = [](char c) {
        return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
      };
      if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
  }

 private:
  const toml::table& t_;
  std::string path_;
  const std::string& src_;
};

// ------------------------------------------------------------------ the field table

/// A number in a message: integers without an exponent ("1000000", not "1e+06").
std::string fmt_number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  return fmt_double(v);
}

/// "1..5", ">= 0", "> 0", "in (0, 1) exclusive", "0..0.01 (a fraction: 0.2 = 20%)".
std::string range_of(const ConfigField& f) {
  std::string r;
  const bool no_hi = !std::isfinite(f.hi) || f.hi >= static_cast<double>(std::numeric_limits<int32_t>::max());
  if (f.kind == ConfigFieldKind::Int) {
    r = no_hi ? ">= " + fmt_number(f.lo) : fmt_number(f.lo) + ".." + fmt_number(f.hi);
  } else if (no_hi) {
    r = (f.lo_open ? "> " : ">= ") + fmt_number(f.lo);
  } else if (f.lo_open && f.hi_open) {
    r = "in (" + fmt_number(f.lo) + ", " + fmt_number(f.hi) + ") exclusive";
  } else if (f.lo_open) {
    r = "> " + fmt_number(f.lo) + " and <= " + fmt_number(f.hi);
  } else {
    r = fmt_number(f.lo) + ".." + fmt_number(f.hi);
  }
  if (f.unit == "fraction") r += " (a fraction: 0.2 = 20%)";
  return r;
}

bool in_range(const ConfigField& f, double v) {
  if (!std::isfinite(v) && !(std::isinf(f.hi) && v > 0 && std::isinf(v))) return false;
  if (std::isinf(v)) return false;  // no field accepts an infinite value
  if (f.lo_open ? !(v > f.lo) : !(v >= f.lo)) return false;
  if (f.hi_open ? !(v < f.hi) : !(v <= f.hi)) return false;
  return true;
}

/// The enum names of a field, in value order.
std::vector<std::string_view> choices_of(const ConfigField& f) {
  std::vector<std::string_view> out;
  std::string_view s = f.choices;
  while (!s.empty()) {
    const std::size_t bar = s.find('|');
    out.push_back(s.substr(0, bar));
    if (bar == std::string_view::npos) break;
    s.remove_prefix(bar + 1);
  }
  return out;
}

/// The keys a section accepts (sub-tables included).
std::vector<std::string_view> keys_of(std::string_view section) {
  std::vector<std::string_view> out;
  for (const ConfigField& f : config_fields()) {
    if (f.section == section) out.push_back(f.name);
  }
  return out;
}

/// The field's value as a number (Int / Number / Bool / Time / Enum), file units.
double value_of(const ConfigField& f, Config& c, std::size_t rule) {
  const ConfigFieldRef r = f.ref(c, rule);
  const double scale = static_cast<double>(f.scale);
  if (auto* p = std::get_if<int32_t*>(&r)) return static_cast<double>(**p) / scale;
  if (auto* p = std::get_if<int64_t*>(&r)) return static_cast<double>(**p) / scale;
  if (auto* p = std::get_if<double*>(&r)) return **p;
  if (auto* p = std::get_if<bool*>(&r)) return **p ? 1.0 : 0.0;
  if (auto* p = std::get_if<uint8_t*>(&r)) return static_cast<double>(**p);
  return 0.0;
}

/// Stores a number (already range-checked) into the field.
void store(const ConfigField& f, Config& c, std::size_t rule, double v) {
  const ConfigFieldRef r = f.ref(c, rule);
  if (auto* p = std::get_if<int32_t*>(&r)) **p = static_cast<int32_t>(std::llround(v) * f.scale);
  if (auto* p = std::get_if<int64_t*>(&r)) **p = static_cast<int64_t>(std::llround(v)) * f.scale;
  if (auto* p = std::get_if<double*>(&r)) **p = v;
  if (auto* p = std::get_if<bool*>(&r)) **p = v != 0.0;
  if (auto* p = std::get_if<uint8_t*>(&r)) **p = static_cast<uint8_t>(v);
}

/// Reads one generic field from the section table `r` into `c`.
void read_field(const Reader& r, const ConfigField& f, Config& c, std::size_t rule) {
  const std::string_view key = f.name;
  const toml::node* n = r.get(key);
  if (n == nullptr) return;
  switch (f.kind) {
    case ConfigFieldKind::Int: {
      const auto* v = n->as_integer();
      if (v == nullptr) r.type_error(key, *n, "an integer");
      // Checked before narrowing, so 2^32 + 1 is not read as 1.
      const int64_t x = v->get();
      if (static_cast<double>(x) < f.lo || static_cast<double>(x) > f.hi)
        range_error(r.src(), r.field(key), range_of(f), std::to_string(x));
      store(f, c, rule, static_cast<double>(x));
      return;
    }
    case ConfigFieldKind::Number: {
      double x = 0;
      r.read_double(key, x);
      store(f, c, rule, x);  // range-checked by validate()
      return;
    }
    case ConfigFieldKind::Bool: {
      bool b = false;
      r.read_bool(key, b);
      store(f, c, rule, b ? 1.0 : 0.0);
      return;
    }
    case ConfigFieldKind::Time: {
      int32_t t = 0;
      r.read_time(key, t);
      store(f, c, rule, t);
      return;
    }
    case ConfigFieldKind::Enum: {
      const auto names = choices_of(f);
      const auto* s = n->as_string();
      if (s != nullptr) {
        for (std::size_t k = 0; k < names.size(); ++k) {
          if (Reader::iequals(names[k], s->get())) {
            store(f, c, rule, static_cast<double>(k));
            return;
          }
        }
      }
      r.type_error(key, *n, "one of \"" + std::string(f.choices) + "\"");
    }
    case ConfigFieldKind::String: {
      std::string* out = std::get<std::string*>(f.ref(c, rule));
      r.read_string(key, *out);
      return;
    }
    case ConfigFieldKind::Decimal: {
      std::string text;
      if (const auto* s = n->as_string()) {
        text = s->get();
      } else if (const auto* i = n->as_integer()) {
        text = std::to_string(i->get());
      } else {
        r.type_error(key, *n, "a decimal string such as \"1\" or \"0.05\"");
      }
      Decimal d;
      if (!parse_decimal(text, d)) r.type_error(key, *n, "a decimal string such as \"1\" or \"0.05\"");
      *std::get<Decimal*>(f.ref(c, rule)) = d;
      return;
    }
    case ConfigFieldKind::Table:
      return;
  }
}

/// Reads every generic field of `section` from the table `r`.
void read_section(const Reader& r, std::string_view section, Config& c, std::size_t rule = 0) {
  r.check_keys(keys_of(section));
  for (const ConfigField& f : config_fields()) {
    if (f.section == section && !f.custom && f.kind != ConfigFieldKind::Table) read_field(r, f, c, rule);
  }
}

// ------------------------------------------------------------------ sections with custom keys

void load_instrument(const Reader& r, const std::string& src, Config& c) {
  Instrument& inst = c.instrument;
  std::string symbol;
  r.check_keys(keys_of("instrument"));
  if (r.read_string("symbol", symbol)) {
    c.instrument_given = true;
    if (symbol.empty()) range_error(src, r.field("symbol"), "a product code such as MTX", "\"\"");
    const int64_t offset = inst.utc_offset_ns;
    if (builtin_instrument(symbol, inst)) {
      inst.utc_offset_ns = offset;
    } else {
      // Not built in: the file must say what a tick and a point are (never guess a price scale).
      inst.symbol = symbol;
      for (const char* k : {"tick_size", "point_value", "currency"}) {
        if (r.get(k) == nullptr) {
          throw ConfigError(src + ": " + r.field(k) + " is required for symbol '" + symbol +
                            "' (built-in symbols: MTX, TM, TX)");
        }
      }
    }
  }
  read_section(r, "instrument", c);
}

void load_strategy(const Reader& r, const std::string& src, Config& c) {
  StrategyConfig& s = c.strategy;
  r.check_keys(keys_of("strategy"));
  // The preset first, so that explicit groups / lots_per_group override it.
  std::string preset;
  if (r.read_string("preset", preset) && !preset.empty()) {
    try {
      apply_preset(s, preset);
    } catch (const ConfigError& e) {
      throw ConfigError(at(src, r.get("preset")->source()) + ": " + e.what());
    }
  }
  read_section(r, "strategy", c);
  if (const toml::table* t = r.table("chase")) read_section(Reader(*t, r.field("chase"), src), "strategy.chase", c);

  if (const toml::node* n = r.get("rules")) {
    const auto* arr = n->as_array();
    if (arr == nullptr || !arr->is_array_of_tables()) {
      if (arr == nullptr || !arr->empty())
        r.type_error("rules", *n, "an array of [[strategy.rules]] tables");
    }
    const std::size_t given = arr->size();
    if (given < static_cast<std::size_t>(s.lots_per_group) || given > s.rules.size()) {
      const std::string lo = std::to_string(s.lots_per_group);
      range_error(src, r.field("rules"),
                  (s.lots_per_group == 3 ? lo : lo + "..3") +
                      " [[strategy.rules]] tables (at least strategy.lots_per_group = " + lo +
                      ": rule i applies to lot i of every group)",
                  std::to_string(given));
    }
    for (std::size_t i = 0; i < given; ++i) {
      const std::string name = r.field("rules") + "[" + std::to_string(i + 1) + "]";
      const toml::node& elem = (*arr)[i];
      const toml::table* t = elem.as_table();
      if (t == nullptr) {
        throw ConfigError(at(src, elem.source()) + ": " + name + " must be a table, got " +
                          describe_node(elem));
      }
      read_section(Reader(*t, name, src), "strategy.rules", c, i);
    }
  }
}

Config load_table(const toml::table& root, const std::string& name) {
  Config c = default_config();
  c.source = name;
  const std::string src = label(name);
  const Reader top(root, "", src);
  std::vector<std::string_view> sections;
  for (const ConfigField& f : config_fields()) {
    const std::string_view top_name = f.section.substr(0, f.section.find('.'));
    if (std::find(sections.begin(), sections.end(), top_name) == sections.end()) sections.push_back(top_name);
  }
  top.check_keys(sections);
  for (std::string_view sec : sections) {
    const toml::table* t = top.table(sec);
    if (t == nullptr) continue;
    const Reader r(*t, std::string(sec), src);
    if (sec == "instrument") {
      load_instrument(r, src, c);
    } else if (sec == "strategy") {
      load_strategy(r, src, c);
    } else {
      read_section(r, sec, c);
    }
  }
  validate(c);
  try {
    resolve(c);
  } catch (const ConfigError& e) {
    throw ConfigError(src + ": " + e.what());
  }
  return c;
}

}  // namespace

std::string ConfigField::key(std::size_t rule) const {
  if (per_rule()) return std::string(section) + "[" + std::to_string(rule + 1) + "]." + std::string(name);
  return std::string(section) + "." + std::string(name);
}

// ------------------------------------------------------------------ public API

Config load_config_text(std::string_view toml_text, const std::string& name) {
  const std::string src = label(name);
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(src));
  } catch (const toml::parse_error& e) {
    throw ConfigError(at(src, e.source()) + ": " + std::string(e.description()));
  }
  return load_table(root, name);
}

bool config_override_key(std::string_view key, ConfigFieldKind* kind) {
  for (const ConfigField& f : config_fields()) {
    if (f.kind == ConfigFieldKind::Table) continue;
    if (f.custom && !(f.section == "strategy" && f.name == "preset")) continue;
    const std::size_t rules = f.per_rule() ? 3 : 1;
    for (std::size_t r = 0; r < rules; ++r) {
      if (f.key(r) == key) {
        if (kind != nullptr) *kind = f.kind;
        return true;
      }
    }
  }
  return false;
}

namespace {

toml::table parse_with_overrides(std::string_view toml_text, std::span<const ConfigOverride> overrides,
                                 const std::string& src) {
  toml::table root;
  try {
    root = toml::parse(toml_text, std::string_view(src));
  } catch (const toml::parse_error& e) {
    throw ConfigError(at(src, e.source()) + ": " + std::string(e.description()));
  }
  for (const ConfigOverride& o : overrides) {
    if (!config_override_key(o.key)) {
      throw ConfigError(src + ": '" + o.key + "' is not a configuration field (keys as in config/default.toml, "
                        "e.g. strategy.entry_end or strategy.rules[1].trailing_pullback)");
    }
    toml::table value_doc;
    try {
      value_doc = toml::parse("v = " + o.value, std::string_view(src + " " + o.key));
    } catch (const toml::parse_error& e) {
      throw ConfigError(src + ": " + o.key + " = " + o.value + ": not a TOML value (" +
                        std::string(e.description()) + ")");
    }
    // Walk "a.b.rules[2].c": tables created as needed, rules[i] the i-th array table.
    toml::table* t = &root;
    std::string_view rest = o.key;
    while (true) {
      const std::size_t dot = rest.find('.');
      if (dot == std::string_view::npos) break;
      std::string_view part = rest.substr(0, dot);
      rest = rest.substr(dot + 1);
      const std::size_t br = part.find('[');
      if (br == std::string_view::npos) {
        toml::node* n = t->get(part);
        if (n == nullptr) n = &t->insert_or_assign(part, toml::table{}).first->second;
        t = n->as_table();
        if (t == nullptr) throw ConfigError(src + ": " + std::string(part) + " is not a table (override " + o.key + ")");
        continue;
      }
      const std::string_view arr_name = part.substr(0, br);
      const std::size_t index = static_cast<std::size_t>(std::stoul(std::string(part.substr(br + 1))));
      toml::node* n = t->get(arr_name);
      if (n == nullptr) n = &t->insert_or_assign(arr_name, toml::array{}).first->second;
      toml::array* arr = n->as_array();
      if (arr == nullptr) throw ConfigError(src + ": " + std::string(arr_name) + " is not an array of tables (override " + o.key + ")");
      // An added rules array lists every rule (empty tables keep the defaults), so that
      // lots_per_group never finds too few tables.
      const std::size_t want = std::max<std::size_t>(index, arr->empty() ? 3 : index);
      while (arr->size() < want) arr->push_back(toml::table{});
      t = (*arr)[index - 1].as_table();
      if (t == nullptr) throw ConfigError(src + ": " + std::string(part) + " is not a table (override " + o.key + ")");
    }
    value_doc.get("v")->visit([&](const auto& v) { t->insert_or_assign(rest, v); });
  }
  return root;
}

}  // namespace

Config load_config_text_with(std::string_view toml_text, std::span<const ConfigOverride> overrides,
                             const std::string& name) {
  return load_table(parse_with_overrides(toml_text, overrides, label(name)), name);
}

std::string config_text_with(std::string_view toml_text, std::span<const ConfigOverride> overrides,
                             const std::string& name) {
  const std::string src = label(name);
  const toml::table root = parse_with_overrides(toml_text, overrides, src);
  load_table(root, name);  // the same checks: never write a file the loader refuses
  std::ostringstream out;
  out << root << "\n";
  return out.str();
}

Config load_config(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) == 0 && !S_ISREG(st.st_mode)) {
    throw ConfigError(path + ": " +
                      (S_ISDIR(st.st_mode) ? "is a directory, not a configuration file"
                                           : "is not a regular file"));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open configuration file");
  std::ostringstream ss;
  ss << in.rdbuf();
  if (in.bad()) throw ConfigError(path + ": cannot read configuration file");
  return load_config_text(ss.str(), path);
}

void validate(const Config& c) {
  const std::string src = label(c.source);
  Config& m = const_cast<Config&>(c);  // read only: the field table's refs are non-const

  // Every field's own range (config_fields()), every rule's.
  for (const ConfigField& f : config_fields()) {
    if (f.custom || f.ref == nullptr) continue;
    if (f.kind != ConfigFieldKind::Int && f.kind != ConfigFieldKind::Number && f.kind != ConfigFieldKind::Time)
      continue;
    for (std::size_t rule = 0; rule < (f.per_rule() ? c.strategy.rules.size() : 1); ++rule) {
      const ConfigFieldRef r = f.ref(m, rule);
      if (f.kind == ConfigFieldKind::Time) {
        check_time_of_day(src, f.key(rule), *std::get<int32_t*>(r));
        continue;
      }
      if (f.kind == ConfigFieldKind::Int && f.scale != 1) {
        // Stored scaled (minutes -> ns): it must be a whole number of file units.
        const int64_t v = *std::get<int64_t*>(r);
        if (v % f.scale != 0 || static_cast<double>(v / f.scale) < f.lo || static_cast<double>(v / f.scale) > f.hi) {
          range_error(src, f.key(rule), "whole " + std::string(f.unit) + " in " + range_of(f),
                      fmt_double(static_cast<double>(v) / static_cast<double>(f.scale)));
        }
        continue;
      }
      const double v = value_of(f, m, rule);
      if (!in_range(f, v)) {
        range_error(src, f.key(rule), range_of(f),
                    f.kind == ConfigFieldKind::Int ? std::to_string(static_cast<long long>(v)) : fmt_double(v));
      }
    }
  }

  // [instrument]: what the table cannot say.
  const Instrument& inst = c.instrument;
  if (inst.symbol.empty())
    range_error(src, "instrument.symbol", "a product code such as MTX", "\"\"");
  if (inst.tick_size.scale < 0 || inst.tick_size.scale > 9) {
    range_error(src, "instrument.tick_size", "a decimal with at most 9 fractional digits",
                fmt_decimal(inst.tick_size));
  }
  if (inst.tick_size.mantissa <= 0)
    range_error(src, "instrument.tick_size", "> 0", fmt_decimal(inst.tick_size));
  if (inst.currency.empty())
    range_error(src, "instrument.currency", "a currency code such as TWD", "\"\"");

  // Orders between fields.
  const SessionHours& h = c.hours;
  check_order(src, "session.day_open", h.day_open_sec, "session.day_close", h.day_close_sec, true);
  check_order(src, "session.day_close", h.day_close_sec, "session.night_open", h.night_open_sec, false);
  check_order(src, "session.night_close", h.night_close_sec, "session.day_open", h.day_open_sec, false);
  const StrategyConfig& s = c.strategy;
  check_order(src, "strategy.range_start", s.range_start_sec, "strategy.range_end", s.range_end_sec, true);
  check_order(src, "strategy.range_end", s.range_end_sec, "strategy.entry_end", s.entry_end_sec, false);
  check_order(src, "strategy.entry_end", s.entry_end_sec, "strategy.flatten_time", s.flatten_time_sec,
              false);
  if (s.initial_stop == InitialStopMode::FixedPoints && !(s.initial_stop_points > 0.0)) {
    range_error(src, "strategy.initial_stop_points", "> 0 when strategy.initial_stop = \"fixed_points\"",
                fmt_double(s.initial_stop_points));
  }
}

void select_instrument(Config& c, std::string_view symbol) {
  const std::string src = label(c.source);
  if (c.instrument_given) {
    if (c.instrument.symbol != symbol) {
      throw ConfigError(src + ": field 'instrument.symbol' value '" + c.instrument.symbol +
                        "' disagrees with the traded symbol '" + std::string(symbol) +
                        "' (--symbol): prices would be valued at the wrong point value");
    }
    return;
  }
  Instrument inst;
  if (!builtin_instrument(symbol, inst)) {
    throw ConfigError(src + ": no built-in instrument for the traded symbol '" + std::string(symbol) +
                      "' (built-in: MTX, TM, TX); give [instrument] symbol, tick_size, point_value, currency");
  }
  inst.utc_offset_ns = c.instrument.utc_offset_ns;
  c.instrument = inst;
  try {
    resolve(c);
  } catch (const ConfigError& e) {
    throw ConfigError(src + ": " + e.what());
  }
}

std::string describe(const Config& c) {
  Config& m = const_cast<Config&>(c);  // read only
  auto value_text = [&](const ConfigField& f, std::size_t rule) -> std::string {
    const ConfigFieldRef r = f.ref(m, rule);
    std::string v;
    switch (f.kind) {
      case ConfigFieldKind::Time: return fmt_time(*std::get<int32_t*>(r));
      case ConfigFieldKind::Bool: return *std::get<bool*>(r) ? "true" : "false";
      case ConfigFieldKind::Enum: {
        const auto names = choices_of(f);
        const uint8_t k = *std::get<uint8_t*>(r);
        return k < names.size() ? std::string(names[k]) : std::to_string(k);
      }
      case ConfigFieldKind::String: return *std::get<std::string*>(r);
      case ConfigFieldKind::Decimal: return fmt_decimal(*std::get<Decimal*>(r));
      case ConfigFieldKind::Int:
      case ConfigFieldKind::Number:
        if (f.unit == "fraction") return fmt_percent(value_of(f, m, rule));
        v = fmt_number(value_of(f, m, rule));
        break;
      case ConfigFieldKind::Table: return "";
    }
    if (f.unit == "currency") {
      v += " " + c.instrument.currency;
    } else if (f.unit == "currency per point") {
      v += " " + c.instrument.currency + " per point";
    } else if (!f.unit.empty()) {
      v += " " + std::string(f.unit);
    }
    return v;
  };
  std::ostringstream o;
  o << "config      " << (c.source.empty() ? std::string("(built-in defaults)") : c.source)
    << (c.strategy.preset.empty() ? std::string() : ", preset " + c.strategy.preset) << "\n";
  // One line per section (rules: one per rule in use), every field as key value unit.
  auto line = [&](std::string head, std::string_view section, std::size_t rule) {
    head.resize(12, ' ');
    std::string out = head;
    std::size_t width = head.size();
    bool first = true;
    if (section == "instrument") {  // instrument.symbol is a custom field (built-in expansion)
      out += "symbol " + c.instrument.symbol;
      width += 7 + c.instrument.symbol.size();
      first = false;
    }
    for (const ConfigField& f : config_fields()) {
      if (f.section != section || f.ref == nullptr) continue;
      std::string item = std::string(f.name) + " " + value_text(f, rule);
      if (!first && width + item.size() + 2 > 110) {
        out += ",\n            ";
        width = 12;
      } else if (!first) {
        out += ", ";
        width += 2;
      }
      out += item;
      width += item.size();
      first = false;
    }
    o << out << "\n";
  };
  line("instrument", "instrument", 0);
  line("session", "session", 0);
  line("strategy", "strategy", 0);
  line("chase", "strategy.chase", 0);
  for (std::size_t i = 0; i < static_cast<std::size_t>(c.strategy.lots_per_group); ++i) {
    line("rule " + std::to_string(i + 1), "strategy.rules", i);
  }
  line("risk", "risk", 0);
  line("costs", "costs", 0);
  line("venue", "venue", 0);
  line("persist", "persist", 0);
  line("tick_rule", "tick_rule", 0);
  return o.str();
}

}  // namespace tp
