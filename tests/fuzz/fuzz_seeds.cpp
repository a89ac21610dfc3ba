// Writes the seed corpora of the fuzz targets from the real data (../shared/data), so
// that no data is committed: slices of the TAIFEX day (CSV), of the Capital bars, and
// of the TAIFEX day converted to JSON lines (trades, ticks with a book, quotes) and to
// the binary tick format. Run by scripts/fuzz.sh.
//
// Usage: tp_fuzz_seeds <shared data dir> <output dir>
//   writes <output>/{taifex,bars,jsonl,binary,fix}/seed_NNN.*; exit 1 on any error.
#include <sys/stat.h>
#include <zip.h>

#include <cstdio>
#include <exception>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "tp/engine/input/readers.hpp"
#include "tp/engine/instrument.hpp"
#include "tp/fix/codec.hpp"

namespace {

constexpr std::size_t kChunks = 30;      // seeds per format
constexpr std::size_t kChunkLines = 50;  // lines (or records) per seed

std::string unzip_first(const std::string& path) {
  int err = 0;
  zip_t* z = zip_open(path.c_str(), ZIP_RDONLY, &err);
  if (z == nullptr) throw std::runtime_error("cannot open zip " + path);
  zip_stat_t st;
  zip_stat_init(&st);
  if (zip_stat_index(z, 0, 0, &st) != 0) throw std::runtime_error("cannot stat the entry of " + path);
  zip_file_t* f = zip_fopen_index(z, 0, 0);
  if (f == nullptr) throw std::runtime_error("cannot open the entry of " + path);
  std::string out(static_cast<std::size_t>(st.size), '\0');
  const zip_int64_t n = zip_fread(f, out.data(), out.size());
  zip_fclose(f);
  zip_discard(z);
  if (n < 0 || static_cast<std::size_t>(n) != out.size()) throw std::runtime_error("cannot inflate " + path);
  return out;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path);
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

/// Lines of `text`, each with its terminator.
std::vector<std::string_view> lines_of(std::string_view text) {
  std::vector<std::string_view> out;
  std::size_t pos = 0;
  while (pos < text.size()) {
    std::size_t nl = text.find('\n', pos);
    nl = nl == std::string_view::npos ? text.size() : nl + 1;
    out.push_back(text.substr(pos, nl - pos));
    pos = nl;
  }
  return out;
}

void write(const std::string& path, std::string_view bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  if (!out) throw std::runtime_error("cannot write " + path);
}

std::string seed_name(const std::string& dir, std::size_t i, const char* ext) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "/seed_%03zu.%s", i, ext);
  return dir + buf;
}

/// `kChunks` slices of `kChunkLines` rows from `rows` (evenly spaced), each after `header`.
void csv_seeds(const std::string& dir, std::string_view header, const std::vector<std::string_view>& rows,
               std::size_t first_seed, std::size_t count) {
  if (rows.empty()) return;
  for (std::size_t c = 0; c < count; ++c) {
    const std::size_t start = rows.size() <= kChunkLines ? 0 : (rows.size() - kChunkLines) * c / count;
    std::string seed(header);
    for (std::size_t i = start; i < start + kChunkLines && i < rows.size(); ++i) seed += rows[i];
    write(seed_name(dir, first_seed + c, "csv"), seed);
  }
}

}  // namespace

/// A FIX byte stream of the profile (docs/FIX.md) for some events of the real day: each
/// event as a MarketDataIncrementalRefresh (book levels, trade), then a NewOrderSingle and
/// its ExecutionReports, as the live feed reads them from its sockets.
void fix_seed(const std::string& path, const std::vector<tp::InputEvent>& events, const tp::Instrument& inst) {
  tp::fix::Encoder enc;
  std::string stream;
  uint64_t seq = 1;
  auto px = [&](tp::Price p) { return inst.format_price(p); };
  const std::size_t n = events.size() < 40 ? events.size() : 40;
  for (std::size_t k = 0; k < n; ++k) {
    const tp::InputEvent& ev = events[k];
    enc.begin("X", "TPVENUE", "TICKPIPE-MD", seq++, ev.ts.ns);
    enc.add_utc_timestamp(60, ev.ts.ns, 9);
    enc.add_int(75, ev.day.yyyymmdd);
    enc.add_char(336, '1');
    if (ev.flags & tp::kInSynthetic) enc.add_char(5001, 'Y');
    const int entries = ev.bid_levels + ev.ask_levels + ((ev.flags & tp::kInTrade) ? 1 : 0);
    enc.add_int(268, entries);
    for (int side = 0; side < 2; ++side) {
      const int levels = side == 0 ? ev.bid_levels : ev.ask_levels;
      for (int l = 0; l < levels; ++l) {
        enc.add_char(279, '0');
        enc.add_char(269, side == 0 ? '0' : '1');
        enc.add(270, px(side == 0 ? ev.bid_px[l] : ev.ask_px[l]));
        enc.add_int(271, side == 0 ? ev.bid_qty[l].lots : ev.ask_qty[l].lots);
        enc.add_int(1023, l + 1);
      }
    }
    if (ev.flags & tp::kInTrade) {
      enc.add_char(279, '0');
      enc.add_char(269, '2');
      enc.add(270, px(ev.last));
      enc.add_int(271, ev.last_qty.lots);
      if (ev.flags & tp::kInAuction) enc.add(277, "O");
    }
    stream += enc.finish();
  }
  const int64_t t = events.empty() ? 0 : events.front().ts.ns;
  enc.begin("D", "TICKPIPE", "TPVENUE", seq++, t);
  enc.add(11, "4294967297");
  enc.add(55, "MTX");
  enc.add_char(54, '2');
  enc.add_int(38, 1);
  enc.add_char(40, '2');
  enc.add(44, "17452");
  enc.add_char(59, '4');
  enc.add_char(77, 'O');
  enc.add_utc_timestamp(60, t, 6);
  stream += enc.finish();
  for (const char* exec : {"0", "F"}) {
    enc.begin("8", "TPVENUE", "TICKPIPE", seq++, t);
    enc.add(37, "9000001");
    enc.add(11, "4294967297");
    enc.add(17, exec[0] == '0' ? "E1" : "E2");
    enc.add(150, exec);
    enc.add_char(39, exec[0] == '0' ? '0' : '2');
    enc.add(55, "MTX");
    enc.add_char(54, '2');
    enc.add_int(38, 1);
    enc.add(44, "17452");
    enc.add_char(59, '4');
    enc.add_int(14, exec[0] == '0' ? 0 : 1);
    enc.add_int(151, exec[0] == '0' ? 1 : 0);
    enc.add(6, exec[0] == '0' ? "0" : "17452");
    if (exec[0] == 'F') {
      enc.add(31, "17452");
      enc.add_int(32, 1);
    }
    enc.add_utc_timestamp(60, t, 9);
    stream += enc.finish();
  }
  std::ofstream f(path, std::ios::binary);
  f << stream;
  if (!f) throw std::runtime_error("cannot write " + path);
}

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tp_fuzz_seeds <shared data dir> <output dir>\n";
    return 2;
  }
  try {
    const std::string data = argv[1], out = argv[2];
    for (const char* sub : {"", "/taifex", "/bars", "/jsonl", "/binary", "/fix"}) ::mkdir((out + sub).c_str(), 0755);
    const std::string zip = data + "/taifex/Daily_2021_07_26.zip";

    // TAIFEX CSV: MTX rows (two thirds of the seeds) and rows of every product.
    const std::string csv = unzip_first(zip);
    const std::vector<std::string_view> lines = lines_of(csv);
    const std::vector<std::string_view> rows(lines.begin() + 1, lines.end());
    std::vector<std::string_view> mtx;
    for (std::string_view r : rows) {
      if (r.find(",MTX ") != std::string_view::npos) mtx.push_back(r);
    }
    csv_seeds(out + "/taifex", lines[0], mtx, 0, kChunks * 2 / 3);
    csv_seeds(out + "/taifex", lines[0], rows, kChunks * 2 / 3, kChunks - kChunks * 2 / 3);

    // Capital bars.
    const std::string bars = read_file(data + "/capital/MTX00_1min_2025-04-08_2025-04-11.csv");
    const std::vector<std::string_view> bar_lines = lines_of(bars);
    csv_seeds(out + "/bars", bar_lines[0], std::vector<std::string_view>(bar_lines.begin() + 1, bar_lines.end()), 0,
              kChunks);

    // JSON lines and binary: slices of the MTX day, as trades, as ticks with a book and
    // as quotes.
    tp::Instrument inst;
    (void)tp::builtin_instrument("MTX", inst);
    tp::ReadOptions ro;
    ro.contract = "202108";
    const tp::TickData td = tp::read_ticks(zip, inst, ro);  // with the tick rule's book
    for (std::size_t c = 0; c < kChunks; ++c) {
      const std::size_t start = (td.events.size() - kChunkLines) * c / kChunks;
      std::vector<tp::InputEvent> chunk(td.events.begin() + static_cast<std::ptrdiff_t>(start),
                                        td.events.begin() + static_cast<std::ptrdiff_t>(start + kChunkLines));
      std::vector<tp::InputEvent> as_read = chunk;
      if (c % 3 != 0) {
        // A recorded book: the synthetic levels kept as data; every third of these
        // events a quote without a trade.
        for (std::size_t i = 0; i < chunk.size(); ++i) {
          chunk[i].flags = static_cast<uint8_t>(chunk[i].flags & ~tp::kInSynthetic);
          if (c % 3 == 2 && i % 3 == 0) {
            chunk[i].flags = static_cast<uint8_t>(chunk[i].flags & ~(tp::kInTrade | tp::kInAuction));
            chunk[i].last = tp::Price{};
            chunk[i].last_qty = tp::Qty{};
          }
        }
        as_read = chunk;
      }
      tp::write_jsonl(seed_name(out + "/jsonl", c, "jsonl"), chunk, inst);
      tp::ReadOptions with;
      with.format = tp::InputFormat::Taifex;
      tp::write_binary(seed_name(out + "/binary", c, "tpk"), as_read, inst, "202108", with);
      fix_seed(seed_name(out + "/fix", c, "fix"), chunk, inst);
    }
    std::cout << "tp_fuzz_seeds: " << kChunks << " seeds per format (" << kChunkLines << " lines each) in " << out
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tp_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
