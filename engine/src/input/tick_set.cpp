#include "tp/engine/input/tick_set.hpp"

#include "internal.hpp"

#include <glob.h>

#include <algorithm>
#include <atomic>
#include <exception>
#include <filesystem>
#include <optional>
#include <system_error>
#include <thread>

namespace tp {

namespace fs = std::filesystem;

namespace {

bool has_input_extension(const fs::path& p) {
  static constexpr const char* kExt[] = {".zip", ".csv", ".jsonl", ".json", ".tpk", ".bin"};
  const std::string e = p.extension().string();
  return std::any_of(std::begin(kExt), std::end(kExt), [&](const char* x) { return e == x; });
}

InputError data_error(const std::string& arg, const std::string& why) {
  return InputError(arg, 0, "--data", arg, why);
}

std::string local_day_time(TimeNs t, int64_t off) {
  return format_date(local_date(t, off)) + " " +
         format_hhmmss(static_cast<int32_t>(local_ns_of_day(t, off) / kNsPerSec));
}

}  // namespace

std::vector<std::string> expand_input_paths(const std::vector<std::string>& args) {
  std::vector<std::string> out;
  auto add = [&](std::string p) {
    if (std::find(out.begin(), out.end(), p) == out.end()) out.push_back(std::move(p));
  };
  for (const std::string& a : args) {
    if (a.find_first_of("*?[") != std::string::npos) {
      glob_t g{};
      const int rc = ::glob(a.c_str(), 0, nullptr, &g);
      std::vector<std::string> hits;
      if (rc == 0) {
        for (std::size_t i = 0; i < g.gl_pathc; ++i) {
          std::error_code ec;
          if (fs::is_regular_file(g.gl_pathv[i], ec)) hits.emplace_back(g.gl_pathv[i]);
        }
      }
      ::globfree(&g);
      if (hits.empty()) throw data_error(a, "the pattern matches no file");
      std::sort(hits.begin(), hits.end());
      for (std::string& h : hits) add(std::move(h));
      continue;
    }
    std::error_code ec;
    const fs::file_status st = fs::status(a, ec);
    if (ec || !fs::exists(st)) throw data_error(a, "no such file or directory");
    if (fs::is_directory(st)) {
      std::vector<std::string> hits;
      for (const fs::directory_entry& e : fs::directory_iterator(a, ec)) {
        std::error_code ec2;
        if (e.is_regular_file(ec2) && has_input_extension(e.path())) hits.push_back(e.path().string());
      }
      if (ec) throw data_error(a, "cannot list the directory: " + ec.message());
      if (hits.empty()) {
        throw data_error(a, "the directory holds no input file (.zip .csv .jsonl .json .tpk .bin)");
      }
      std::sort(hits.begin(), hits.end());
      for (std::string& h : hits) add(std::move(h));
      continue;
    }
    add(a);
  }
  return out;
}

/// What keeps one file's events alive: parsed (TickData) or mapped (MappedTicks).
struct TickSet::Source {
  TickData parsed;
  std::optional<MappedTicks> mapped;
  [[nodiscard]] std::span<const InputEvent> events() const {
    return mapped ? mapped->events() : std::span<const InputEvent>(parsed.events);
  }
  [[nodiscard]] const ReadStats& stats() const { return mapped ? mapped->stats() : parsed.stats; }
};

TickSet::TickSet(const std::vector<std::string>& paths, const Instrument& inst, const ReadOptions& opt,
                 unsigned threads) {
  const std::size_t n = paths.size();
  std::vector<std::unique_ptr<Source>> src(n);
  std::vector<std::exception_ptr> err(n);
  std::atomic<std::size_t> next{0};
  auto work = [&] {
    for (std::size_t i; (i = next.fetch_add(1)) < n;) {
      try {
        auto s = std::make_unique<Source>();
        const bool binary = opt.format == InputFormat::Binary ||
                            (opt.format == InputFormat::Auto && is_binary_tick_file(paths[i]));
        if (binary) {
          s->mapped.emplace(paths[i], inst, opt);
        } else {
          s->parsed = read_ticks(paths[i], inst, opt);
        }
        src[i] = std::move(s);
      } catch (...) {
        err[i] = std::current_exception();
      }
    }
  };
  unsigned t = threads ? threads : std::max(1u, std::thread::hardware_concurrency());
  t = static_cast<unsigned>(std::min<std::size_t>(t, n));
  if (t <= 1) {
    work();
  } else {
    std::vector<std::thread> pool;
    for (unsigned k = 0; k < t; ++k) pool.emplace_back(work);
    for (std::thread& th : pool) th.join();
  }
  for (std::size_t i = 0; i < n; ++i) {
    if (err[i]) std::rethrow_exception(err[i]);
  }

  // Trading-day order: by first event (files with no event keep their place at the end).
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  auto first_ts = [&](std::size_t i) {
    const auto ev = src[i]->events();
    return ev.empty() ? TimeNs{INT64_MAX} : ev.front().ts;
  };
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) { return first_ts(a) < first_ts(b); });
  const std::string* prev_path = nullptr;
  TimeNs prev_last{INT64_MIN};
  for (std::size_t i : order) {
    const auto ev = src[i]->events();
    TickFile f;
    f.path = paths[i];
    f.stats = src[i]->stats();
    f.events = ev.size();
    f.mapped = src[i]->mapped.has_value();
    if (!ev.empty()) {
      f.first_day = ev.front().day;
      f.last_day = ev.back().day;
      if (prev_path != nullptr && ev.front().ts < prev_last) {
        throw data_error(paths[i], "its events (from " + local_day_time(ev.front().ts, inst.utc_offset_ns) +
                                       ") overlap those of " + *prev_path + " (to " +
                                       local_day_time(prev_last, inst.utc_offset_ns) +
                                       "): the same trading day given twice?");
      }
      prev_path = &paths[i];
      prev_last = ev.back().ts;
    }
    events_ += ev.size();
    files_.push_back(std::move(f));
    sources_.push_back(std::move(src[i]));
  }
}

TickSet::~TickSet() = default;
TickSet::TickSet(TickSet&&) noexcept = default;
TickSet& TickSet::operator=(TickSet&&) noexcept = default;

InputSegments TickSet::segments() const {
  InputSegments s;
  s.reserve(sources_.size());
  for (const auto& src : sources_) s.push_back(src->events());
  return s;
}

InputSegments TickSet::day_session_segments() const {
  InputSegments s;
  for (const auto& src : sources_) {
    const std::span<const InputEvent> ev = src->events();
    std::size_t i = 0;
    while (i < ev.size()) {
      while (i < ev.size() && ev[i].session == Session::Night) ++i;
      const std::size_t begin = i;
      while (i < ev.size() && ev[i].session != Session::Night) ++i;
      if (i > begin) s.push_back(ev.subspan(begin, i - begin));
    }
  }
  return s;
}

ReadStats TickSet::total_stats() const {
  ReadStats t;
  bool first = true;
  for (const TickFile& f : files_) {
    const ReadStats& s = f.stats;
    t.lines += s.lines;
    t.events += s.events;
    t.skipped += s.skipped;
    t.filtered += s.filtered;
    for (const InputIssue& is : s.issues) {
      if (t.issues.size() >= detail::kMaxIssues) break;
      t.issues.push_back(is);
      if (files_.size() > 1) t.issues.back().file = f.path;
    }
    if (s.day_contracts.empty()) {
      detail::add_contract(t.contract, s.contract);
    } else {
      for (const ReadStats::DayContract& d : s.day_contracts) detail::add_contract(t.contract, d.contract);
    }
    t.day_contracts.insert(t.day_contracts.end(), s.day_contracts.begin(), s.day_contracts.end());
    t.format = first ? s.format : (t.format == s.format ? t.format : InputFormat::Auto);
    first = false;
  }
  return t;
}

std::string TickSet::contract_of(TradingDay day) const {
  for (const TickFile& f : files_) {
    for (const ReadStats::DayContract& d : f.stats.day_contracts) {
      if (d.day == day) return d.contract;
    }
    if (f.stats.day_contracts.empty() && f.events > 0 && day >= f.first_day && day <= f.last_day) return f.stats.contract;
  }
  return {};
}

}  // namespace tp
