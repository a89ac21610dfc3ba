// FIX codec cost per message: tp::fix (engine/fix, codec.hpp) against QuickFIX 1.15
// (Debian libquickfix-dev, through fix_qf_codec.hpp, C++14).
//
//   BM_EncodeNewOrderSingle_Tp        Encoder::begin + 11 fields + finish()
//   BM_EncodeNewOrderSingle_QuickFix  FIX44::NewOrderSingle built field by field and
//                                     toString() into a reused std::string, copied out
//   BM_DecodeExecutionReport_Tp       parse() (BodyLength + CheckSum verified) and reading
//                                     11 37 17 150 39 14 151 31 32 (numbers parsed)
//   BM_DecodeExecutionReport_QuickFix FIX::Message(std::string, validate=true) WITHOUT a
//                                     DataDictionary, then getField of the same nine
//                                     typed fields (copies of the three ids)
//
// Both codecs see the same order values and decode the same ExecutionReport bytes (ours,
// checked to parse with QuickFIX before the run). One thread; time per message = per
// iteration (ns, CPU time). Counter allocs/msg: calls of the global operator new made
// inside the timed loop (this binary counts them), divided by the iterations. At the end
// the reporter prints QuickFIX / tp ratios of CPU time per message (the median when
// --benchmark_repetitions is given).
#include <benchmark/benchmark.h>

#include <cstdio>
#include <cstdlib>
#include <map>
#include <new>
#include <string>
#include <vector>

#include "fix_qf_codec.hpp"
#include "tp/fix/codec.hpp"

namespace {
unsigned long g_news = 0;  // one thread runs the benchmarks
// Out of line: GCC's -Wmismatched-new-delete otherwise sees free() on operator new memory.
[[gnu::noinline]] void release(void* p) noexcept { std::free(p); }
}  // namespace

void* operator new(std::size_t n) {
  ++g_news;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void* operator new[](std::size_t n) {
  ++g_news;
  void* p = std::malloc(n == 0 ? 1 : n);
  if (p == nullptr) throw std::bad_alloc();
  return p;
}
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }

namespace {

constexpr int64_t kT = 1627261323LL * 1'000'000'000LL + 456'789'123LL;

QfOrder order(uint64_t i) {
  return QfOrder{1'000'000 + i, i, i % 2 == 0 ? '1' : '2', 1 + static_cast<int64_t>(i % 5), 17250.5, kT};
}

std::string_view encode_tp(tp::fix::Encoder& e, const QfOrder& o) {
  e.begin("D", "TICKPIPE", "TPVENUE", o.seq, o.transact_time_ns);
  e.add_int(11, static_cast<int64_t>(o.cl_ord_id));
  e.add(1, "ACC1");
  e.add(55, "MTX");
  e.add(200, "202108");
  e.add_char(54, o.side);
  e.add_int(38, o.qty);
  e.add_char(40, '2');
  e.add_decimal(44, 172505, 1);  // the engine holds prices as fixed point
  e.add_char(59, '3');
  e.add_char(77, 'O');
  e.add_utc_timestamp(60, o.transact_time_ns, 9);
  return e.finish();
}

std::string execution_report() {
  tp::fix::Encoder e;
  e.begin("8", "TPVENUE", "TICKPIPE", 42, kT);
  e.add(37, "V-000017");
  e.add(11, "1000042");
  e.add(17, "E-0000000099");
  e.add_char(150, 'F');
  e.add_char(39, '1');
  e.add(55, "MTX");
  e.add(200, "202108");
  e.add_char(54, '1');
  e.add_int(38, 3);
  e.add_decimal(44, 172505, 1);
  e.add_char(59, '0');
  e.add_char(77, 'O');
  e.add_int(14, 1);
  e.add_int(151, 2);
  e.add_decimal(6, 172505, 1);
  e.add_decimal(31, 172505, 1);
  e.add_int(32, 1);
  e.add_utc_timestamp(60, kT, 9);
  return std::string(e.finish());
}

/// The engine's view of a report (the tp side fills this as QfReport for QuickFIX).
struct TpReport {
  std::string_view cl_ord_id, order_id, exec_id;
  char exec_type = 0, ord_status = 0;
  uint64_t cum_qty = 0, leaves_qty = 0, last_qty = 0;
  int64_t last_px = 0;
  int last_px_scale = 0;
};

bool decode_tp(std::string_view bytes, tp::fix::MessageView& m, TpReport& r) {
  std::size_t consumed = 0;
  if (tp::fix::parse(bytes, m, consumed) != tp::fix::ParseStatus::Ok) return false;
  std::string_view et, os, px;
  return m.get(11, r.cl_ord_id) && m.get(37, r.order_id) && m.get(17, r.exec_id) && m.get(150, et) &&
         et.size() == 1 && (r.exec_type = et[0]) != 0 && m.get(39, os) && os.size() == 1 &&
         (r.ord_status = os[0]) != 0 && m.get_uint(14, r.cum_qty) && m.get_uint(151, r.leaves_qty) &&
         m.get(31, px) && tp::fix::parse_decimal(px, r.last_px, r.last_px_scale) && m.get_uint(32, r.last_qty);
}

void allocs_counter(benchmark::State& state, unsigned long news) {
  state.counters["allocs/msg"] =
      benchmark::Counter(static_cast<double>(news) / static_cast<double>(state.iterations()));
}

void BM_EncodeNewOrderSingle_Tp(benchmark::State& state) {
  tp::fix::Encoder e;
  uint64_t i = 0;
  const unsigned long before = g_news;
  for (auto _ : state) {
    const std::string_view v = encode_tp(e, order(++i));
    benchmark::DoNotOptimize(v.data());
    if (v.empty()) state.SkipWithError("encoder overflow");
  }
  allocs_counter(state, g_news - before);
}
BENCHMARK(BM_EncodeNewOrderSingle_Tp);

void BM_EncodeNewOrderSingle_QuickFix(benchmark::State& state) {
  QfCodec* c = qf_make();
  std::vector<char> out(tp::fix::kMaxMessage);
  uint64_t i = 0;
  const unsigned long before = g_news;
  for (auto _ : state) {
    const std::size_t n = qf_encode_nos(c, order(++i), out.data(), out.size());
    benchmark::DoNotOptimize(out.data());
    if (n == 0) state.SkipWithError("QuickFIX encode failed");
  }
  allocs_counter(state, g_news - before);
  qf_free(c);
}
BENCHMARK(BM_EncodeNewOrderSingle_QuickFix);

void BM_DecodeExecutionReport_Tp(benchmark::State& state) {
  const std::string er = execution_report();
  tp::fix::MessageView m;
  TpReport r;
  const unsigned long before = g_news;
  for (auto _ : state) {
    if (!decode_tp(er, m, r)) state.SkipWithError("parse failed");
    benchmark::DoNotOptimize(r);
  }
  allocs_counter(state, g_news - before);
  if (r.cum_qty != 1 || r.leaves_qty != 2 || r.last_px != 172505 || r.exec_id != "E-0000000099")
    state.SkipWithError("wrong values");
}
BENCHMARK(BM_DecodeExecutionReport_Tp);

void BM_DecodeExecutionReport_QuickFix(benchmark::State& state) {
  const std::string er = execution_report();
  QfCodec* c = qf_make();
  QfReport r{};
  const unsigned long before = g_news;
  for (auto _ : state) {
    if (!qf_decode_er(c, er.data(), er.size(), r)) state.SkipWithError("QuickFIX parse failed");
    benchmark::DoNotOptimize(r);
  }
  allocs_counter(state, g_news - before);
  if (r.cum_qty != 1.0 || r.leaves_qty != 2.0 || r.last_px != 17250.5 || std::string(r.exec_id) != "E-0000000099")
    state.SkipWithError("wrong values");
  qf_free(c);
}
BENCHMARK(BM_DecodeExecutionReport_QuickFix);

/// Console output plus, at the end, QuickFIX / tp CPU time per message for each pair.
class RatioReporter : public benchmark::ConsoleReporter {
 public:
  void ReportRuns(const std::vector<Run>& runs) override {
    for (const Run& r : runs) {
      if (r.error_occurred) continue;
      // One repetition: its run; several: the median.
      if (r.run_type == Run::RT_Iteration || (r.run_type == Run::RT_Aggregate && r.aggregate_name == "median"))
        cpu_ns_[r.run_name.function_name] = r.GetAdjustedCPUTime();
    }
    ConsoleReporter::ReportRuns(runs);
  }
  void Finalize() override {
    ConsoleReporter::Finalize();
    for (const char* op : {"BM_EncodeNewOrderSingle", "BM_DecodeExecutionReport"}) {
      const auto tp_it = cpu_ns_.find(std::string(op) + "_Tp");
      const auto qf_it = cpu_ns_.find(std::string(op) + "_QuickFix");
      if (tp_it == cpu_ns_.end() || qf_it == cpu_ns_.end() || tp_it->second <= 0) continue;
      std::printf("%s: tp %.1f ns/msg, QuickFIX %.1f ns/msg, ratio QuickFIX/tp %.1fx\n", op, tp_it->second,
                  qf_it->second, qf_it->second / tp_it->second);
    }
  }

 private:
  std::map<std::string, double> cpu_ns_;
};

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  RatioReporter reporter;
  benchmark::RunSpecifiedBenchmarks(&reporter);
  benchmark::Shutdown();
  return 0;
}
