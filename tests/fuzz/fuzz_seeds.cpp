// Writes the seed corpora of the fuzz targets from the real data (../shared/data), so
// that no data is committed: slices of the TAIFEX day (CSV), of the Capital bars, and
// of the TAIFEX day converted to JSON lines (trades, ticks with a book, quotes) and to
// the binary tick format. Run by scripts/fuzz.sh.
//
// Usage: tp_fuzz_seeds <shared data dir> <output dir>
//   writes <output>/{taifex,bars,jsonl,binary}/seed_NNN.*; exit 1 on any error.
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

int main(int argc, char** argv) {
  if (argc != 3) {
    std::cerr << "usage: tp_fuzz_seeds <shared data dir> <output dir>\n";
    return 2;
  }
  try {
    const std::string data = argv[1], out = argv[2];
    for (const char* sub : {"", "/taifex", "/bars", "/jsonl", "/binary"}) ::mkdir((out + sub).c_str(), 0755);
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
    }
    std::cout << "tp_fuzz_seeds: " << kChunks << " seeds per format (" << kChunkLines << " lines each) in " << out
              << "\n";
  } catch (const std::exception& e) {
    std::cerr << "tp_fuzz_seeds: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
