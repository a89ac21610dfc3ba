// tickpipe sweep (sweep.hpp): the sweep file, the parameter sets, the parallel runner
// over one shared TickSet, the JSON lines / CSV / summary, and the shard merge.
#include "tp/app/sweep.hpp"

#include <toml++/toml.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "tp/app/html_report.hpp"
#include "tp/engine/instrument.hpp"

namespace tp::app {

namespace {

using json = nlohmann::ordered_json;

std::string read_text(const std::string& path, const char* what) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ConfigError(path + ": cannot open " + what);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// A number as a TOML value text: integers without a point, others in the shortest
/// form that reads back the same.
std::string number_text(double v, ConfigFieldKind kind) {
  char buf[64];
  if (kind == ConfigFieldKind::Int) {
    std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(std::llround(v)));
    return buf;
  }
  for (int prec = 6; prec <= 17; ++prec) {
    std::snprintf(buf, sizeof buf, "%.*g", prec, v);
    if (std::strtod(buf, nullptr) == v) break;
  }
  std::string s = buf;
  return s;
}

/// The TOML text of a value node of the sweep file ("15", "0.2", "\"13:00\"", "true").
std::string value_text(const toml::node& n, const std::string& where) {
  if (const auto* i = n.as_integer()) return std::to_string(i->get());
  if (const auto* f = n.as_floating_point()) return number_text(f->get(), ConfigFieldKind::Number);
  if (const auto* b = n.as_boolean()) return b->get() ? "true" : "false";
  if (const auto* s = n.as_string()) return json(s->get()).dump();  // a JSON string is a TOML basic string
  if (const auto* t = n.as_time()) {
    char buf[16];
    std::snprintf(buf, sizeof buf, "%02d:%02d:%02d", t->get().hour, t->get().minute, t->get().second);
    return buf;
  }
  throw ConfigError(where + ": a value must be a number, a boolean, a string or a time of day");
}

double number_of(const toml::node* n, const std::string& where) {
  if (n != nullptr) {
    if (const auto* i = n->as_integer()) return static_cast<double>(i->get());
    if (const auto* f = n->as_floating_point()) return f->get();
  }
  throw ConfigError(where + " must be a number");
}

uint64_t splitmix64(uint64_t& x) {
  uint64_t z = (x += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

/// [0, 1) from 53 random bits (the same on every platform, unlike std distributions).
double unit(uint64_t& state) { return static_cast<double>(splitmix64(state) >> 11) * 0x1.0p-53; }

uint64_t fnv1a(uint64_t h, std::string_view s) {
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  h ^= 0xFF;  // field separator
  h *= 0x100000001B3ull;
  return h;
}

/// The JSON value of an override's TOML text (numbers as numbers, strings unquoted).
json param_json(const std::string& text) {
  if (text == "true") return true;
  if (text == "false") return false;
  if (!text.empty() && text.front() == '"') {
    try {
      toml::table t = toml::parse("v = " + text);
      if (const auto* s = t.get("v")->as_string()) return s->get();
    } catch (const toml::parse_error&) {
    }
    return text;
  }
  char* end = nullptr;
  const double v = std::strtod(text.c_str(), &end);
  if (end != text.c_str() && *end == '\0') {
    if (text.find_first_of(".eE") == std::string::npos) return static_cast<int64_t>(std::llround(v));
    return v;
  }
  return text;  // a time of day, e.g. 13:00:00
}

/// The override's value as a CSV / table cell.
std::string param_cell(const std::string& text) {
  const json j = param_json(text);
  return j.is_string() ? j.get<std::string>() : j.dump();
}

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
/// One number in a printf format (the callers' formats are literals).
std::string fmt(const char* f, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, f, v);
  return buf;
}
#pragma GCC diagnostic pop

std::string fmt_duration(double s) {
  if (!std::isfinite(s) || s < 0) return "?";
  const auto t = static_cast<long long>(s + 0.5);
  char buf[32];
  if (t >= 3600) {
    std::snprintf(buf, sizeof buf, "%lldh%02lldm", t / 3600, (t / 60) % 60);
  } else if (t >= 60) {
    std::snprintf(buf, sizeof buf, "%lldm%02llds", t / 60, t % 60);
  } else {
    std::snprintf(buf, sizeof buf, "%llds", t);
  }
  return buf;
}

SweepModelResult model_result(const ReplayResult& r, const std::string& name, Objective obj) {
  const ReportTotals t = report_totals(r);
  SweepModelResult m;
  m.fill_model = name;
  m.net_currency = t.net_currency;
  m.gross_currency = t.gross_currency;
  m.costs_currency = t.costs_currency;
  m.trades = t.trades;
  m.trade_wins = t.trade_wins;
  m.lots_closed = t.lots_closed;
  m.lots_open = t.lots_open;
  m.profit_factor = t.profit_factor;
  m.max_day_drawdown_currency = t.max_day_drawdown_currency;
  m.sharpe = t.sharpe;
  m.sortino = t.sortino;
  m.avg_win_currency = t.avg_win_currency;
  m.avg_loss_currency = t.avg_loss_currency;
  m.longest_losing_streak = t.longest_losing_streak;
  int64_t slip = 0;
  for (const LotResult& l : r.lots) {
    if (l.state != PositionState::EntryFailed && l.state != PositionState::PendingEntry) slip += l.entry_slippage.v;
  }
  m.entry_slippage_ticks = static_cast<uint64_t>(slip);
  m.day_net = t.day_net_currency;
  m.objective = objective_of(m.day_net, obj);
  return m;
}

/// JSON numbers must be finite: +inf (profit factor with no loss) is written as a string.
json finite(double v) {
  if (std::isfinite(v)) return v;
  return v > 0 ? "inf" : "-inf";
}

double number_from(const json& j) {
  if (j.is_string()) return j.get<std::string>() == "inf" ? HUGE_VAL : -HUGE_VAL;
  return j.get<double>();
}

/// The figures of a set's line under one model, in line order (written and read back
/// by these two tables only).
constexpr std::pair<const char*, double SweepModelResult::*> kDoubleFields[] = {
    {"net_currency", &SweepModelResult::net_currency},
    {"gross_currency", &SweepModelResult::gross_currency},
    {"costs_currency", &SweepModelResult::costs_currency},
    {"profit_factor", &SweepModelResult::profit_factor},
    {"max_day_drawdown_currency", &SweepModelResult::max_day_drawdown_currency},
    {"sharpe", &SweepModelResult::sharpe},
    {"sortino", &SweepModelResult::sortino},
    {"avg_win_currency", &SweepModelResult::avg_win_currency},
    {"avg_loss_currency", &SweepModelResult::avg_loss_currency},
};
constexpr std::pair<const char*, int SweepModelResult::*> kIntFields[] = {
    {"trades", &SweepModelResult::trades},
    {"trade_wins", &SweepModelResult::trade_wins},
    {"lots_closed", &SweepModelResult::lots_closed},
    {"lots_open", &SweepModelResult::lots_open},
    {"longest_losing_streak", &SweepModelResult::longest_losing_streak},
};

std::string set_line(const SweepSetResult& s) {
  json j;
  j["set"] = s.set;
  json p = json::object();
  for (const ConfigOverride& o : s.params) p[o.key] = param_json(o.value);
  j["params"] = p;
  j["objective"] = finite(s.models.empty() ? 0.0 : s.models.front().objective);
  json models = json::array();
  for (const SweepModelResult& m : s.models) {
    json mj;
    mj["fill_model"] = m.fill_model;
    mj["objective"] = finite(m.objective);
    for (const auto& [k, f] : kDoubleFields) mj[k] = finite(m.*f);
    for (const auto& [k, f] : kIntFields) mj[k] = m.*f;
    mj["entry_slippage_ticks"] = static_cast<int64_t>(m.entry_slippage_ticks);
    mj["day_net_currency"] = m.day_net;
    models.push_back(mj);
  }
  j["models"] = models;
  return j.dump();
}

std::string header_line(const SweepRun& r) {
  json h;
  h["tickpipe_sweep"] = 1;
  h["sweep_id"] = r.sweep_id;
  h["sets_total"] = r.sets_total;
  h["shard"] = std::to_string(r.shard_k) + "/" + std::to_string(r.shard_n);
  h["objective"] = to_string(r.objective);
  h["fill_models"] = r.fill_models;
  h["params"] = r.param_keys;
  h["days"] = r.days;
  h["data"] = r.data;
  return h.dump();
}

/// The sets in rank order: first model's objective, best first; ties by set index.
std::vector<const SweepSetResult*> ranked(const SweepRun& r) {
  std::vector<const SweepSetResult*> v;
  for (const SweepSetResult& s : r.results) v.push_back(&s);
  auto obj = [](const SweepSetResult* s) { return s->models.empty() ? -HUGE_VAL : s->models.front().objective; };
  std::stable_sort(v.begin(), v.end(), [&](const SweepSetResult* a, const SweepSetResult* b) {
    const double x = obj(a), y = obj(b);
    if (x != y) return x > y;
    return a->set < b->set;
  });
  return v;
}

std::string params_text(const SweepSetResult& s) {
  std::string t;
  for (const ConfigOverride& o : s.params) {
    if (!t.empty()) t += " ";
    const std::string_view k = o.key;
    t += std::string(k.starts_with("strategy.") ? k.substr(9) : k) + "=" + param_cell(o.value);
  }
  return t;
}

/// What the ticks were read with (TickSet): a set must keep it.
std::string reading_key(const Config& c) {
  const SessionHours& h = c.hours;
  const TickRuleConfig& t = c.tick_rule;
  const Instrument& i = c.instrument;
  return std::to_string(h.day_open_sec) + "," + std::to_string(h.day_close_sec) + "," +
         std::to_string(h.night_open_sec) + "," + std::to_string(h.night_close_sec) + "," + std::to_string(t.enabled) +
         "," + std::to_string(t.spread_ticks) + "," + std::to_string(t.size_lots) + "," +
         std::to_string(t.size_from_trade) + "," + i.symbol + "," + std::to_string(i.tick_size.mantissa) + "," +
         std::to_string(i.tick_size.scale) + "," + std::to_string(i.utc_offset_ns);
}

}  // namespace

// ------------------------------------------------------------------ the sweep file

SweepSpec load_sweep_spec(const std::string& path) {
  SweepSpec s;
  s.path = path;
  s.text = read_text(path, "sweep file");
  toml::table root;
  try {
    root = toml::parse(s.text, std::string_view(path));
  } catch (const toml::parse_error& e) {
    const auto& b = e.source().begin;
    throw ConfigError(path + ":" + std::to_string(b.line) + ":" + std::to_string(b.column) + ": " +
                      std::string(e.description()));
  }
  for (const auto& [k, v] : root) {
    const std::string_view key = k.str();
    if (key != "mode" && key != "samples" && key != "seed" && key != "params") {
      throw ConfigError(path + ": unknown key '" + std::string(key) + "' (keys: mode, samples, seed, [params])");
    }
  }
  const std::string mode = root["mode"].value_or(std::string("grid"));
  if (mode != "grid" && mode != "random") throw ConfigError(path + ": mode must be \"grid\" or \"random\", got \"" + mode + "\"");
  s.random = mode == "random";
  if (const toml::node* n = root.get("seed")) {
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < 0) throw ConfigError(path + ": seed must be an integer >= 0");
    s.seed = static_cast<uint64_t>(i->get());
  }
  if (const toml::node* n = root.get("samples")) {
    const auto* i = n->as_integer();
    if (i == nullptr || i->get() < 1 || i->get() > 10'000'000) throw ConfigError(path + ": samples must be 1..10000000");
    s.samples = static_cast<uint64_t>(i->get());
  }
  if (s.random && s.samples == 0) throw ConfigError(path + ": a random sweep needs samples = N");
  if (!s.random && s.samples != 0) throw ConfigError(path + ": samples is for mode = \"random\" only");
  const toml::table* params = root["params"].as_table();
  if (params == nullptr || params->empty()) throw ConfigError(path + ": [params] must name at least one field");
  for (const auto& [k, v] : *params) {
    SweepParam p;
    p.key = std::string(k.str());
    const std::string where = path + ": params." + p.key;
    if (!config_override_key(p.key, &p.kind)) {
      throw ConfigError(where + ": not a configuration field (keys as in config/default.toml, e.g. "
                        "strategy.entry_end or strategy.rules[1].trailing_pullback)");
    }
    if (const toml::array* a = v.as_array()) {
      if (a->empty()) throw ConfigError(where + ": an empty list");
      p.dist = SweepParam::Dist::List;
      for (const toml::node& e : *a) p.values.push_back(value_text(e, where));
    } else if (const toml::table* t = v.as_table()) {
      if (const toml::node* u = t->get("uniform")) {
        const toml::array* ua = u->as_array();
        if (ua == nullptr || ua->size() != 2) throw ConfigError(where + ": uniform must be [lo, hi]");
        if (!s.random) throw ConfigError(where + ": a uniform distribution needs mode = \"random\" (a grid takes lists or {from, to, step})");
        p.dist = SweepParam::Dist::Uniform;
        p.lo = number_of(ua->get(0), where + ".uniform[0]");
        p.hi = number_of(ua->get(1), where + ".uniform[1]");
        if (t->get("step") != nullptr) p.step = number_of(t->get("step"), where + ".step");
        if (!(p.hi > p.lo) || p.step < 0) throw ConfigError(where + ": uniform needs lo < hi and step >= 0");
      } else {
        const double from = number_of(t->get("from"), where + ".from");
        const double to = number_of(t->get("to"), where + ".to");
        const double step = number_of(t->get("step"), where + ".step");
        if (!(step > 0) || to < from) throw ConfigError(where + ": a range needs step > 0 and to >= from");
        const double n = std::floor((to - from) / step + 1e-9);
        if (n > 1e6) throw ConfigError(where + ": a range of more than 1,000,000 values");
        p.dist = SweepParam::Dist::Range;
        for (long i = 0; i <= static_cast<long>(n); ++i) {
          // from + i*step, rounded to the step's decimals so 0.1 + 2*0.05 prints 0.2
          const double x = std::round((from + static_cast<double>(i) * step) * 1e9) / 1e9;
          p.values.push_back(number_text(x, p.kind));
        }
      }
    } else {
      p.dist = SweepParam::Dist::List;  // a single value: fixed for every set
      p.values.push_back(value_text(v, where));
    }
    s.params.push_back(std::move(p));
  }
  if (!s.random) {
    double n = 1;
    for (const SweepParam& p : s.params) n *= static_cast<double>(p.values.size());
    if (n > 1e7) throw ConfigError(path + ": the grid has " + fmt("%.0f", n) + " sets (at most 10,000,000)");
  }
  return s;
}

std::size_t sweep_size(const SweepSpec& s) {
  if (s.random) return s.samples;
  std::size_t n = 1;
  for (const SweepParam& p : s.params) n *= p.values.size();
  return n;
}

std::vector<ConfigOverride> sweep_set(const SweepSpec& s, std::size_t index) {
  std::vector<ConfigOverride> out(s.params.size());
  if (!s.random) {
    std::size_t rest = index;
    for (std::size_t i = s.params.size(); i-- > 0;) {  // last key varies fastest
      const SweepParam& p = s.params[i];
      out[i] = {p.key, p.values[rest % p.values.size()]};
      rest /= p.values.size();
    }
    return out;
  }
  uint64_t state = s.seed;
  state = splitmix64(state) ^ (static_cast<uint64_t>(index) * 0xD1B54A32D192ED03ull);
  for (std::size_t i = 0; i < s.params.size(); ++i) {
    const SweepParam& p = s.params[i];
    const double u = unit(state);
    if (p.dist == SweepParam::Dist::Uniform) {
      double x = p.lo + u * (p.hi - p.lo);
      if (p.step > 0) x = p.lo + std::floor((x - p.lo) / p.step + 0.5) * p.step;
      x = std::round(x * 1e9) / 1e9;
      out[i] = {p.key, number_text(x, p.kind)};
    } else {
      const auto k = std::min(p.values.size() - 1, static_cast<std::size_t>(u * static_cast<double>(p.values.size())));
      out[i] = {p.key, p.values[k]};
    }
  }
  return out;
}

std::vector<FillModelChoice> parse_fill_models(const std::string& list) {
  std::vector<FillModelChoice> v;
  std::stringstream ss(list);
  std::string item;
  while (std::getline(ss, item, ',')) {
    FillModelChoice c;
    c.name = item;
    if (item == "book" || item == "trade_through") {
      c.overrides.push_back({"venue.fill_model", "\"" + item + "\""});
    } else if (item.rfind("slippage:", 0) == 0) {
      const std::string n = item.substr(9);
      if (n.empty() || n.find_first_not_of("0123456789") != std::string::npos) {
        throw std::invalid_argument("--fill-models: '" + item + "': slippage:N needs N ticks, e.g. slippage:1");
      }
      c.overrides.push_back({"venue.fill_model", "\"slippage\""});
      c.overrides.push_back({"venue.slippage_ticks", n});
    } else {
      throw std::invalid_argument("--fill-models: '" + item + "' is not book, trade_through or slippage:N");
    }
    for (const FillModelChoice& o : v) {
      if (o.name == c.name) throw std::invalid_argument("--fill-models: '" + item + "' given twice");
    }
    v.push_back(std::move(c));
  }
  if (v.empty()) throw std::invalid_argument("--fill-models: give at least one (book, trade_through, slippage:N)");
  return v;
}

// ------------------------------------------------------------------ the runner

SweepRun run_sweep(const SweepOptions& opt) {
  if (opt.shard_n < 1 || opt.shard_k < 1 || opt.shard_k > opt.shard_n) {
    throw std::invalid_argument("--shard K/N needs 1 <= K <= N");
  }
  const SweepSpec spec = load_sweep_spec(opt.sweep_path);
  const std::vector<FillModelChoice> models = parse_fill_models(opt.fill_models);
  const std::string base_text = opt.config_path.empty() ? std::string() : read_text(opt.config_path, "configuration file");
  const std::string base_name = opt.config_path.empty() ? std::string("defaults") : opt.config_path;

  // The base configuration decides the instrument, hours and tick rule the ticks are
  // read with; a set may not change them (they are checked per set below).
  Config base = load_config_text_with(base_text, {}, base_name);
  select_instrument(base, opt.read.symbol);

  SweepRun run;
  run.sets_total = sweep_size(spec);
  run.shard_k = opt.shard_k;
  run.shard_n = opt.shard_n;
  run.objective = opt.objective;
  for (const FillModelChoice& m : models) run.fill_models.push_back(m.name);
  for (const SweepParam& p : spec.params) run.param_keys.push_back(p.key);

  ReadOptions ro = opt.read;
  ro.tick_rule = base.tick_rule;
  ro.hours = base.hours;
  const auto t_load = std::chrono::steady_clock::now();
  const std::vector<std::string> paths = expand_input_paths(opt.data);
  const TickSet ticks(paths, base.instrument, ro, opt.load_threads);
  run.load_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_load).count();
  const InputSegments all = ticks.segments();
  const InputSegments day_only = ticks.day_session_segments();
  run.events = ticks.events();
  for (const auto& s : day_only) run.day_session_events += s.size();
  for (const TickFile& f : ticks.files()) run.data.push_back(std::filesystem::path(f.path).filename().string());

  // The sweep id: everything that decides a set's result.
  uint64_t h = 0xCBF29CE484222325ull;
  h = fnv1a(h, spec.text);
  h = fnv1a(h, base_text);
  h = fnv1a(h, opt.read.symbol);
  h = fnv1a(h, opt.read.contract);
  h = fnv1a(h, to_string(opt.objective));
  for (const std::string& m : run.fill_models) h = fnv1a(h, m);
  for (const TickFile& f : ticks.files()) {
    h = fnv1a(h, run.data[static_cast<std::size_t>(&f - ticks.files().data())]);
    h = fnv1a(h, std::to_string(f.events));
  }
  char id[32];
  std::snprintf(id, sizeof id, "%016" PRIx64, h);
  run.sweep_id = id;

  if (!opt.write_configs.empty()) std::filesystem::create_directories(opt.write_configs);
  std::vector<std::size_t> mine;
  for (std::size_t i = opt.shard_k - 1; i < run.sets_total; i += opt.shard_n) mine.push_back(i);
  run.results.resize(mine.size());

  PipelineOptions po;
  po.layout = Layout::Inline;
  po.stamp_ingress = false;
  po.skip_quiet_days = opt.skip_quiet_days;
  po.journal_ring = 1024;  // nothing persists: the discard drains it every cycle

  const unsigned hw = std::max(1u, std::thread::hardware_concurrency());
  const unsigned nthreads =
      static_cast<unsigned>(std::min<std::size_t>(opt.threads ? opt.threads : hw, std::max<std::size_t>(1, mine.size())));
  run.threads = nthreads;
  std::atomic<std::size_t> next{0}, done{0};
  std::atomic<bool> failed{false};
  std::exception_ptr error;
  std::mutex error_mu;
  std::vector<std::string> day_labels;
  std::mutex days_mu;

  // Horizons every kChunk events of the day sessions: each batch's pipelines run one
  // chunk after the other, so a chunk of ticks is read from memory once per batch.
  std::vector<int64_t> horizons;
  {
    const std::size_t chunk = std::max<std::size_t>(1, opt.chunk_events);
    std::size_t k = 0;
    for (const auto& seg : day_only) {
      for (const InputEvent& e : seg) {
        if (k++ % chunk == 0 && (horizons.empty() || e.ts.ns > horizons.back())) horizons.push_back(e.ts.ns);
      }
    }
  }
  // Every thread gets work even when the sets are few.
  const std::size_t batch =
      std::max<std::size_t>(1, std::min(opt.batch, (mine.size() + nthreads - 1) / std::max(1u, nthreads)));

  auto worker = [&] {
    try {
      struct Job {
        std::size_t slot = 0, model = 0;
        std::string name;
        ReplayResult r;
        std::unique_ptr<Pipeline> p;
      };
      while (!failed.load(std::memory_order_relaxed)) {
        const std::size_t first = next.fetch_add(batch);
        if (first >= mine.size()) break;
        const std::size_t last = std::min(first + batch, mine.size());
        std::vector<Job> jobs;
        jobs.reserve((last - first) * models.size());
        for (std::size_t slot = first; slot < last; ++slot) {
          SweepSetResult& out = run.results[slot];
          out.set = mine[slot];
          out.params = sweep_set(spec, out.set);
          out.models.resize(models.size());
          for (std::size_t mi = 0; mi < models.size(); ++mi) {
            const FillModelChoice& m = models[mi];
            std::vector<ConfigOverride> ov = out.params;
            ov.insert(ov.end(), m.overrides.begin(), m.overrides.end());
            Job& j = jobs.emplace_back();
            j.slot = slot;
            j.model = mi;
            j.name = base_name + " + sweep set " + std::to_string(out.set);
            j.r.cfg = load_config_text_with(base_text, ov, j.name);
            select_instrument(j.r.cfg, opt.read.symbol);
            if (reading_key(j.r.cfg) != reading_key(base)) {
              throw ConfigError(j.name + ": a sweep may not change the session hours, the tick rule or the "
                                "instrument (the ticks are read once, with the base configuration's)");
            }
            if (!opt.write_configs.empty() && mi == 0) {
              std::string text = "# tickpipe sweep " + opt.sweep_path + ", set " + std::to_string(out.set) +
                                 " (fill model " + m.name + ") on base " + base_name + "\n";
              text += config_text_with(base_text, ov, j.name);
              const std::string file = opt.write_configs + "/set-" + std::to_string(out.set) + ".toml";
              std::ofstream f(file, std::ios::binary);
              f << text;
              if (!f) throw std::runtime_error("cannot write " + file);
            }
          }
        }
        // The pipelines of the batch, built after every configuration loaded (the
        // Config a pipeline references must not move).
        for (Job& j : jobs) {
          // The night session never matters to a configuration that does not trade it
          // (TickSet::day_session_segments): replay only the day sessions.
          j.p = std::make_unique<Pipeline>(j.r.cfg, j.r.cfg.strategy.trade_night ? all : day_only, 1, GroupFloor{}, po);
          j.p->begin_inline();
        }
        for (const int64_t horizon : horizons) {
          for (Job& j : jobs) j.p->step_inline(horizon);
        }
        for (Job& j : jobs) {
          j.p->step_inline(kNoHorizon);
          j.p->end_inline();
          j.r.run_id = 1;
          j.r.layout = Layout::Inline;
          copy_replay_results(*j.p, j.r);
          j.p.reset();
          SweepSetResult& out = run.results[j.slot];
          out.models[j.model] = model_result(j.r, models[j.model].name, opt.objective);
          std::vector<std::string> labels;
          for (const DayResult& d : j.r.days) labels.push_back(format_date(d.day.yyyymmdd));
          std::lock_guard<std::mutex> lk(days_mu);
          if (day_labels.empty()) {
            day_labels = labels;
          } else if (labels != day_labels) {
            throw std::runtime_error(j.name + ": its run saw other trading days than the first set's");
          }
        }
        done.fetch_add(last - first, std::memory_order_relaxed);
      }
    } catch (...) {
      std::lock_guard<std::mutex> lk(error_mu);
      if (!error) error = std::current_exception();
      failed.store(true);
    }
  };

  const auto t_run = std::chrono::steady_clock::now();
  std::vector<std::thread> pool;
  for (unsigned i = 0; i < nthreads; ++i) pool.emplace_back(worker);
  if (opt.progress) {
    auto last_print = std::chrono::steady_clock::now();
    while (done.load() < mine.size() && !failed.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
      const auto now = std::chrono::steady_clock::now();
      if (now - last_print < std::chrono::seconds(2)) continue;
      last_print = now;
      const double el = std::chrono::duration<double>(now - t_run).count();
      const std::size_t d = done.load();
      const double rate = el > 0 ? static_cast<double>(d) / el : 0;
      std::fprintf(stderr, "sweep: %zu/%zu sets (%.1f%%), %.2f sets/s, elapsed %s, ETA %s\n", d, mine.size(),
                   100.0 * static_cast<double>(d) / static_cast<double>(mine.size()), rate, fmt_duration(el).c_str(),
                   rate > 0 ? fmt_duration(static_cast<double>(mine.size() - d) / rate).c_str() : "?");
    }
  }
  for (std::thread& t : pool) t.join();
  if (error) std::rethrow_exception(error);
  run.run_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_run).count();
  run.days = day_labels;
  for (SweepSetResult& s : run.results) s.line = set_line(s);
  return run;
}

// ------------------------------------------------------------------ output and merge

std::string format_sweep_jsonl(const SweepRun& r) {
  std::string out = header_line(r);
  out += '\n';
  for (const SweepSetResult& s : r.results) {
    out += s.line;
    out += '\n';
  }
  return out;
}

SweepRun parse_sweep_jsonl(const std::string& text, const std::string& name) {
  SweepRun r;
  std::istringstream in(text);
  std::string line;
  std::size_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (line.empty()) continue;
    json j;
    try {
      j = json::parse(line);
    } catch (const json::exception& e) {
      throw std::runtime_error(name + ":" + std::to_string(n) + ": not JSON (" + e.what() + ")");
    }
    try {
      if (n == 1) {
        if (!j.contains("tickpipe_sweep")) throw std::runtime_error("the first line is not a sweep header");
        r.sweep_id = j.at("sweep_id").get<std::string>();
        r.sets_total = j.at("sets_total").get<std::size_t>();
        const std::string shard = j.at("shard").get<std::string>();
        if (std::sscanf(shard.c_str(), "%u/%u", &r.shard_k, &r.shard_n) != 2) throw std::runtime_error("bad shard " + shard);
        if (!parse_objective(j.at("objective").get<std::string>(), r.objective)) throw std::runtime_error("bad objective");
        r.fill_models = j.at("fill_models").get<std::vector<std::string>>();
        r.param_keys = j.at("params").get<std::vector<std::string>>();
        r.days = j.at("days").get<std::vector<std::string>>();
        r.data = j.at("data").get<std::vector<std::string>>();
        continue;
      }
      SweepSetResult s;
      s.set = j.at("set").get<std::size_t>();
      for (const std::string& k : r.param_keys) {
        const json& v = j.at("params").at(k);
        std::string t;
        if (v.is_string() && v.get<std::string>().find(':') != std::string::npos &&
            v.get<std::string>().find_first_not_of("0123456789:") == std::string::npos &&
            v.get<std::string>().size() == 8) {
          t = v.get<std::string>();  // a TOML local time (value_text wrote it bare)
        } else {
          t = v.dump();
        }
        s.params.push_back({k, t});
      }
      for (const json& mj : j.at("models")) {
        SweepModelResult m;
        m.fill_model = mj.at("fill_model").get<std::string>();
        m.objective = number_from(mj.at("objective"));
        for (const auto& [k, f] : kDoubleFields) m.*f = number_from(mj.at(k));
        for (const auto& [k, f] : kIntFields) m.*f = mj.at(k).get<int>();
        m.entry_slippage_ticks = static_cast<uint64_t>(mj.at("entry_slippage_ticks").get<int64_t>());
        m.day_net = mj.at("day_net_currency").get<std::vector<double>>();
        if (m.day_net.size() != r.days.size()) throw std::runtime_error("day_net_currency has " + std::to_string(m.day_net.size()) + " days, the header " + std::to_string(r.days.size()));
        s.models.push_back(std::move(m));
      }
      if (s.models.size() != r.fill_models.size()) throw std::runtime_error("models do not match the header's fill_models");
      s.line = line;
      r.results.push_back(std::move(s));
    } catch (const json::exception& e) {
      throw std::runtime_error(name + ":" + std::to_string(n) + ": " + e.what());
    } catch (const std::runtime_error& e) {
      throw std::runtime_error(name + ":" + std::to_string(n) + ": " + e.what());
    }
  }
  if (n == 0) throw std::runtime_error(name + ": empty (no sweep header)");
  return r;
}

SweepRun merge_sweeps(std::vector<SweepRun> shards, const std::vector<std::string>& names) {
  if (shards.empty()) throw std::runtime_error("sweep merge: no shard files");
  const SweepRun& first = shards.front();
  const uint32_t n = first.shard_n;
  std::vector<int> seen(n + 1, -1);
  for (std::size_t i = 0; i < shards.size(); ++i) {
    const SweepRun& s = shards[i];
    const std::string& nm = i < names.size() ? names[i] : std::to_string(i);
    if (s.sweep_id != first.sweep_id || s.sets_total != first.sets_total || s.shard_n != n ||
        s.param_keys != first.param_keys || s.fill_models != first.fill_models || s.days != first.days ||
        s.objective != first.objective) {
      throw std::runtime_error("sweep merge: " + nm + " is shard " + std::to_string(s.shard_k) + "/" +
                               std::to_string(s.shard_n) + " of sweep " + s.sweep_id + " (" +
                               std::to_string(s.sets_total) + " sets), " + names.front() + " of sweep " +
                               first.sweep_id + " (" + std::to_string(first.sets_total) + " sets, " +
                               std::to_string(n) + " shards): not the same sweep");
    }
    if (seen[s.shard_k] >= 0) {
      throw std::runtime_error("sweep merge: shard " + std::to_string(s.shard_k) + "/" + std::to_string(n) +
                               " given twice (" + names[static_cast<std::size_t>(seen[s.shard_k])] + ", " + nm + ")");
    }
    seen[s.shard_k] = static_cast<int>(i);
    std::size_t want = 0;
    for (std::size_t k = s.shard_k - 1; k < s.sets_total; k += n) ++want;
    std::size_t expect = s.shard_k - 1;
    for (const SweepSetResult& r : s.results) {
      if (r.set != expect) {
        throw std::runtime_error("sweep merge: " + nm + " (shard " + std::to_string(s.shard_k) + "/" +
                                 std::to_string(n) + ") holds set " + std::to_string(r.set) + " where set " +
                                 std::to_string(expect) + " belongs: incomplete or edited");
      }
      expect += n;
    }
    if (s.results.size() != want) {
      throw std::runtime_error("sweep merge: " + nm + " (shard " + std::to_string(s.shard_k) + "/" +
                               std::to_string(n) + ") holds " + std::to_string(s.results.size()) + " of its " +
                               std::to_string(want) + " sets: incomplete");
    }
  }
  for (uint32_t k = 1; k <= n; ++k) {
    if (seen[k] < 0) throw std::runtime_error("sweep merge: shard " + std::to_string(k) + "/" + std::to_string(n) + " is missing");
  }
  SweepRun m = first;
  m.shard_k = 1;
  m.shard_n = 1;
  m.results.clear();
  m.results.reserve(first.sets_total);
  std::vector<std::size_t> pos(shards.size(), 0);
  for (std::size_t set = 0; set < first.sets_total; ++set) {
    SweepRun& s = shards[static_cast<std::size_t>(seen[set % n + 1])];
    m.results.push_back(std::move(s.results[pos[static_cast<std::size_t>(seen[set % n + 1])]++]));
  }
  return m;
}

std::string format_sweep_csv(const SweepRun& r) {
  std::ostringstream o;
  auto cell = [](const std::string& s) {
    if (s.find_first_of(",\"\n") == std::string::npos) return s;
    std::string q = "\"";
    for (char c : s) {
      if (c == '"') q += '"';
      q += c;
    }
    return q + "\"";
  };
  o << "rank,set";
  for (const std::string& k : r.param_keys) o << "," << cell(k);
  for (const std::string& m : r.fill_models) o << "," << cell(std::string(to_string(r.objective)) + "[" + m + "]");
  o << ",net_currency,gross_currency,costs_currency,trades,trade_win_rate,profit_factor,max_day_drawdown_currency,"
       "sharpe,sortino,avg_win_currency,avg_loss_currency,longest_losing_streak,entry_slippage_ticks\n";
  std::size_t rank = 0;
  for (const SweepSetResult* s : ranked(r)) {
    o << ++rank << "," << s->set;
    for (const ConfigOverride& p : s->params) o << "," << cell(param_cell(p.value));
    for (const SweepModelResult& m : s->models) o << "," << fmt("%.10g", m.objective);
    const SweepModelResult& m = s->models.front();
    o << "," << fmt("%.2f", m.net_currency) << "," << fmt("%.2f", m.gross_currency) << ","
      << fmt("%.2f", m.costs_currency) << "," << m.trades << ","
      << fmt("%.4f", m.trades ? static_cast<double>(m.trade_wins) / m.trades : 0.0) << ","
      << fmt("%.4f", m.profit_factor) << "," << fmt("%.2f", m.max_day_drawdown_currency) << ","
      << fmt("%.4f", m.sharpe) << "," << fmt("%.4f", m.sortino) << "," << fmt("%.2f", m.avg_win_currency) << ","
      << fmt("%.2f", m.avg_loss_currency) << "," << m.longest_losing_streak << ","
      << static_cast<int64_t>(m.entry_slippage_ticks) << "\n";
  }
  return o.str();
}

std::string format_sweep_summary(const SweepRun& r, const SweepSummaryOptions& o) {
  std::ostringstream out;
  out << "sweep " << r.sweep_id << ": " << r.results.size() << " of " << r.sets_total << " sets over " << r.days.size()
      << " trading days";
  if (!r.days.empty()) out << " (" << r.days.front() << " .. " << r.days.back() << ")";
  out << ", objective " << to_string(r.objective) << ", fill models";
  for (const std::string& m : r.fill_models) out << " " << m;
  out << "\n";
  if (r.results.empty()) return out.str();

  const std::vector<const SweepSetResult*> rank = ranked(r);
  out << "\ntop " << std::min(o.top, rank.size()) << " by " << to_string(r.objective) << " [" << r.fill_models.front()
      << "]:\n";
  char buf[512];
  std::snprintf(buf, sizeof buf, "%4s %6s %12s %6s %6s %7s %12s %7s", "rank", "set", "net", "trades", "win%", "PF",
                "max DD", "Sharpe");
  out << buf;
  for (std::size_t m = 1; m < r.fill_models.size(); ++m) {
    std::snprintf(buf, sizeof buf, " %14s", (std::string(to_string(r.objective)) + "[" + r.fill_models[m] + "]").c_str());
    out << buf;
  }
  out << "  parameters\n";
  for (std::size_t i = 0; i < std::min(o.top, rank.size()); ++i) {
    const SweepSetResult& s = *rank[i];
    const SweepModelResult& m = s.models.front();
    std::snprintf(buf, sizeof buf, "%4zu %6zu %+12.0f %6d %5.1f%% %7.2f %12.0f %7.2f", i + 1, s.set, m.net_currency,
                  m.trades, m.trades ? 100.0 * m.trade_wins / m.trades : 0.0, m.profit_factor,
                  m.max_day_drawdown_currency, m.sharpe);
    out << buf;
    for (std::size_t k = 1; k < s.models.size(); ++k) {
      std::snprintf(buf, sizeof buf, " %14.2f", s.models[k].objective);
      out << buf;
    }
    out << "  " << params_text(s) << "\n";
  }
  // A set that wins only under the optimistic model: its rank under each other model.
  for (std::size_t k = 1; k < r.fill_models.size(); ++k) {
    std::vector<const SweepSetResult*> by_k(rank.begin(), rank.end());
    std::stable_sort(by_k.begin(), by_k.end(), [&](const SweepSetResult* a, const SweepSetResult* b) {
      if (a->models[k].objective != b->models[k].objective) return a->models[k].objective > b->models[k].objective;
      return a->set < b->set;
    });
    std::size_t pos = 0;
    while (by_k[pos] != rank.front()) ++pos;
    out << "the best set under " << r.fill_models.front() << " (set " << rank.front()->set << ") ranks " << pos + 1
        << " of " << rank.size() << " under " << r.fill_models[k] << " (objective "
        << fmt("%.2f", rank.front()->models[k].objective) << "; best there: set " << by_k.front()->set << ", "
        << fmt("%.2f", by_k.front()->models[k].objective) << ")\n";
  }

  std::vector<std::vector<double>> matrix;
  matrix.reserve(r.results.size());
  for (const SweepSetResult& s : r.results) matrix.push_back(s.models.front().day_net);
  const auto label = [&](int set) { return set >= 0 ? params_text(r.results[static_cast<std::size_t>(set)]) : std::string("-"); };
  if (o.wf_train > 0 && o.wf_test > 0) {
    out << "\nwalk-forward (train " << o.wf_train << " days, test " << o.wf_test << " days, rolling; "
        << to_string(r.objective) << " [" << r.fill_models.front() << "]):\n";
    if (static_cast<std::size_t>(o.wf_train) + 1 > r.days.size()) {
      out << "  not enough days: " << r.days.size() << " for train " << o.wf_train << " + at least 1 test day\n";
    } else {
      const WalkForwardResult wf = walk_forward(matrix, o.wf_train, o.wf_test, r.objective);
      std::snprintf(buf, sizeof buf, "  %-23s %-23s %6s %12s %12s  %s\n", "train", "test", "set", "train obj", "test net",
                    "parameters");
      out << buf;
      for (const WalkForwardWindow& w : wf.windows) {
        const std::string tr = r.days[static_cast<std::size_t>(w.train_begin)] + ".." + r.days[static_cast<std::size_t>(w.train_end - 1)];
        const std::string te = r.days[static_cast<std::size_t>(w.test_begin)] + ".." + r.days[static_cast<std::size_t>(w.test_end - 1)];
        std::snprintf(buf, sizeof buf, "  %-23s %-23s %6zu %12.2f %+12.0f  ", tr.c_str(), te.c_str(),
                      r.results[static_cast<std::size_t>(w.chosen)].set, w.train_objective, w.test_net);
        out << buf << label(w.chosen) << "\n";
      }
      const bool net = r.objective == Objective::Net;
      out << "  out-of-sample (stitched, " << wf.oos_day_net.size() << " days): net " << fmt("%+.0f", wf.oos_net)
          << (net ? "" : ", " + std::string(to_string(r.objective)) + " " + fmt("%.2f", wf.oos_objective)) << "\n";
      out << "  in-sample (the best set over all days, set "
          << (wf.is_best >= 0 ? std::to_string(r.results[static_cast<std::size_t>(wf.is_best)].set) : "-")
          << ", on the same days): net " << fmt("%+.0f", wf.is_net)
          << (net ? "" : ", " + std::string(to_string(r.objective)) + " " + fmt("%.2f", wf.is_objective)) << "\n";
    }
  }
  if (o.pbo_blocks > 0) {
    out << "\nprobability of backtest overfitting (CSCV, " << o.pbo_blocks << " blocks, " << to_string(r.objective)
        << "): ";
    if (r.results.size() < 2 || static_cast<std::size_t>(o.pbo_blocks) > r.days.size()) {
      out << "needs >= 2 sets and >= " << o.pbo_blocks << " days\n";
    } else {
      const PboResult p = pbo_cscv(matrix, o.pbo_blocks, r.objective);
      out << fmt("%.3f", p.pbo) << " over " << p.combinations << " combinations of " << p.days_used
          << " days (median logit " << fmt("%+.2f", p.median_logit) << ", P(OOS loss) " << fmt("%.3f", p.prob_oos_loss)
          << ", degradation slope " << fmt("%+.3f", p.degradation_slope) << ")\n";
    }
  }
  return out.str();
}

void parse_walk_forward(const std::string& s, int& train, int& test) {
  int a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "train=%d,test=%d%c", &a, &b, &tail) != 2 || a < 1 || b < 1) {
    throw std::invalid_argument("--walk-forward: '" + s + "' is not train=N,test=M with N, M >= 1 trading days");
  }
  train = a;
  test = b;
}

void parse_shard(const std::string& s, uint32_t& k, uint32_t& n) {
  unsigned a = 0, b = 0;
  char tail = 0;
  if (std::sscanf(s.c_str(), "%u/%u%c", &a, &b, &tail) != 2 || a < 1 || b < 1 || a > b) {
    throw std::invalid_argument("--shard: '" + s + "' is not K/N with 1 <= K <= N");
  }
  k = a;
  n = b;
}

std::string format_sweep_timing(const SweepRun& r) {
  const double sets = static_cast<double>(r.results.size());
  const double set_days = sets * static_cast<double>(r.days.size()) * static_cast<double>(r.fill_models.size());
  char buf[512];
  std::snprintf(buf, sizeof buf,
                "sweep: %zu sets x %zu days x %zu fill model%s in %.2f s on %u thread%s (%.2f sets/s, %.0f "
                "set-days/s); ticks loaded in %.2f s (%" PRIu64 " events, %" PRIu64 " in day sessions)\n",
                r.results.size(), r.days.size(), r.fill_models.size(), r.fill_models.size() == 1 ? "" : "s",
                r.run_seconds, r.threads, r.threads == 1 ? "" : "s", r.run_seconds > 0 ? sets / r.run_seconds : 0.0,
                r.run_seconds > 0 ? set_days / r.run_seconds : 0.0, r.load_seconds, r.events, r.day_session_events);
  return buf;
}

namespace {

/// Distinct values of parameter `k` over the sets, numerically ordered when all are numbers.
std::vector<std::string> axis_values(const SweepRun& r, std::size_t k) {
  std::vector<std::string> v;
  for (const SweepSetResult& s : r.results) {
    const std::string c = param_cell(s.params[k].value);
    if (std::find(v.begin(), v.end(), c) == v.end()) v.push_back(c);
  }
  bool numeric = true;
  for (const std::string& c : v) {
    char* end = nullptr;
    std::strtod(c.c_str(), &end);
    numeric = numeric && end != c.c_str() && *end == '\0';
  }
  if (numeric) {
    std::sort(v.begin(), v.end(), [](const std::string& a, const std::string& b) { return std::stod(a) < std::stod(b); });
  } else {
    std::sort(v.begin(), v.end());
  }
  return v;
}

std::vector<double> cumulative(const std::vector<double>& d) {
  std::vector<double> c;
  double sum = 0;
  for (double x : d) c.push_back(sum += x);
  return c;
}

}  // namespace

std::string format_sweep_page(const SweepRun& r, const SweepOutputs& o) {
  SweepHtml h;
  h.title = "sweep " + r.sweep_id + ": " + std::to_string(r.results.size()) + " sets over " +
            std::to_string(r.days.size()) + " trading days" +
            (r.days.empty() ? std::string() : " (" + r.days.front() + " .. " + r.days.back() + ")");
  h.objective = to_string(r.objective);
  // The heatmap's axes: --heatmap X,Y, else the first two parameters.
  std::size_t xi = 0, yi = 1;
  if (!o.heatmap.empty()) {
    const std::size_t comma = o.heatmap.find(',');
    const std::string x = o.heatmap.substr(0, comma), y = comma == std::string::npos ? "" : o.heatmap.substr(comma + 1);
    auto find = [&](const std::string& key) {
      const auto it = std::find(r.param_keys.begin(), r.param_keys.end(), key);
      if (it == r.param_keys.end()) throw std::invalid_argument("--heatmap: '" + key + "' is not a parameter of this sweep");
      return static_cast<std::size_t>(it - r.param_keys.begin());
    };
    xi = find(x);
    yi = find(y);
  }
  if (r.param_keys.size() >= 2 && !r.results.empty()) {
    h.x_param = r.param_keys[xi];
    h.y_param = r.param_keys[yi];
    h.x_values = axis_values(r, xi);
    h.y_values = axis_values(r, yi);
    h.heat.assign(h.y_values.size(), std::vector<double>(h.x_values.size(), std::nan("")));
    for (const SweepSetResult& s : r.results) {
      const auto x = static_cast<std::size_t>(
          std::find(h.x_values.begin(), h.x_values.end(), param_cell(s.params[xi].value)) - h.x_values.begin());
      const auto y = static_cast<std::size_t>(
          std::find(h.y_values.begin(), h.y_values.end(), param_cell(s.params[yi].value)) - h.y_values.begin());
      double& cell = h.heat[y][x];
      const double v = s.models.front().objective;
      if (std::isnan(cell) || v > cell) cell = v;  // the best over the other parameters
    }
  }
  h.table_header = {"rank", "set"};
  for (const std::string& k : r.param_keys) h.table_header.push_back(k);
  for (const std::string& m : r.fill_models) h.table_header.push_back(std::string(to_string(r.objective)) + " [" + m + "]");
  for (const char* c : {"net", "trades", "win %", "profit factor", "max DD", "Sharpe"}) h.table_header.push_back(c);
  const std::vector<const SweepSetResult*> rank = ranked(r);
  for (std::size_t i = 0; i < std::min(o.summary.top, rank.size()); ++i) {
    const SweepSetResult& s = *rank[i];
    const SweepModelResult& m = s.models.front();
    std::vector<std::string> row = {std::to_string(i + 1), std::to_string(s.set)};
    for (const ConfigOverride& p : s.params) row.push_back(param_cell(p.value));
    for (const SweepModelResult& mm : s.models) row.push_back(fmt("%.2f", mm.objective));
    row.push_back(fmt("%+.0f", m.net_currency));
    row.push_back(std::to_string(m.trades));
    row.push_back(fmt("%.1f", m.trades ? 100.0 * m.trade_wins / m.trades : 0.0));
    row.push_back(fmt("%.2f", m.profit_factor));
    row.push_back(fmt("%.0f", m.max_day_drawdown_currency));
    row.push_back(fmt("%.2f", m.sharpe));
    h.table_rows.push_back(std::move(row));
  }
  h.day_labels = r.days;
  if (!rank.empty()) h.best_equity = cumulative(rank.front()->models.front().day_net);
  const SweepSummaryOptions& so = o.summary;
  if (so.wf_train > 0 && so.wf_test > 0 && static_cast<std::size_t>(so.wf_train) + 1 <= r.days.size() && !r.results.empty()) {
    std::vector<std::vector<double>> matrix;
    for (const SweepSetResult& s : r.results) matrix.push_back(s.models.front().day_net);
    const WalkForwardResult wf = walk_forward(matrix, so.wf_train, so.wf_test, r.objective);
    h.wf_header = {"train", "test", "set", "train " + std::string(to_string(r.objective)), "test net", "parameters"};
    for (const WalkForwardWindow& w : wf.windows) {
      const SweepSetResult& s = r.results[static_cast<std::size_t>(w.chosen)];
      h.wf_rows.push_back({r.days[static_cast<std::size_t>(w.train_begin)] + " .. " + r.days[static_cast<std::size_t>(w.train_end - 1)],
                           r.days[static_cast<std::size_t>(w.test_begin)] + " .. " + r.days[static_cast<std::size_t>(w.test_end - 1)],
                           std::to_string(s.set), fmt("%.2f", w.train_objective), fmt("%+.0f", w.test_net),
                           params_text(s)});
    }
    h.wf_rows.push_back({"out-of-sample, stitched", std::to_string(wf.oos_day_net.size()) + " days", "", "",
                         fmt("%+.0f", wf.oos_net), "in-sample best set on the same days: " + fmt("%+.0f", wf.is_net)});
    h.oos_equity = cumulative(wf.oos_day_net);
  }
  return format_sweep_html(h);
}


void write_sweep_outputs(const SweepRun& r, const SweepOutputs& o, std::ostream& out) {
  auto write = [](const std::string& path, const std::string& text) {
    std::ofstream f(path, std::ios::binary);
    if (!f) throw std::runtime_error("cannot write " + path);
    f << text;
    if (!f) throw std::runtime_error("failed writing " + path);
  };
  if (!o.jsonl.empty()) write(o.jsonl, format_sweep_jsonl(r));
  if (r.shard_n > 1) {
    out << "sweep " << r.sweep_id << ": shard " << r.shard_k << "/" << r.shard_n << " holds " << r.results.size()
        << " of " << r.sets_total << " sets (combine the shards with: tickpipe sweep merge FILES...)\n";
    return;
  }
  if (!o.csv.empty()) write(o.csv, format_sweep_csv(r));
  if (!o.html.empty()) write_html_file(o.html, format_sweep_page(r, o));
  out << format_sweep_summary(r, o.summary);
}

}  // namespace tp::app
