// Store::dump: JSON lines and CSV of every table, parsed back; run filter; escaping;
// determinism (two equal databases dump to identical bytes).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "storage_test_util.hpp"
#include "tp/storage/store.hpp"

namespace tp::storage {
namespace {

using namespace tp::storage::testing;

/// Parses CSV text (RFC 4180: quoted fields may hold commas, quotes and newlines) into
/// records of fields.
std::vector<std::vector<std::string>> csv_records(const std::string& text) {
  std::vector<std::vector<std::string>> recs;
  std::vector<std::string> cur(1);
  bool quoted = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        cur.back() += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur.back() += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      cur.emplace_back();
    } else if (c == '\n') {
      recs.push_back(std::move(cur));
      cur.assign(1, std::string());
    } else {
      cur.back() += c;
    }
  }
  EXPECT_FALSE(quoted) << "unterminated quote";
  EXPECT_TRUE(cur.size() == 1 && cur[0].empty()) << "the last row must end with a newline";
  return recs;
}

/// A CSV dump as rows of name -> value (asserting a header and equal field counts).
std::vector<std::map<std::string, std::string>> parse_csv(const std::string& text) {
  const auto recs = csv_records(text);
  EXPECT_FALSE(recs.empty()) << "CSV needs a header";
  std::vector<std::map<std::string, std::string>> rows;
  if (recs.empty()) return rows;
  const auto& head = recs[0];
  for (std::size_t i = 1; i < recs.size(); ++i) {
    const auto& f = recs[i];
    EXPECT_EQ(f.size(), head.size()) << "row " << i;
    std::map<std::string, std::string> row;
    for (std::size_t c = 0; c < head.size() && c < f.size(); ++c) row[head[c]] = f[c];
    rows.push_back(std::move(row));
  }
  return rows;
}

class DumpTest : public ::testing::Test {
 protected:
  void SetUp() override {
    store_ = std::make_unique<Store>(options(tmp_.sub("db")));
    run_ = store_->begin_run("dump test, \"quoted\"\nsecond line");
    store_->write_batch(run_, sample_run());
    store_->write_batch(run_, std::vector{position(9, 9'000, 111, PositionState::Closed, 17040),
                                          group(9, 9'000, 20240102, 1, GroupEvent::Completed, 2, 1)});
  }

  simdjson::dom::element parse(const std::string& line) {
    simdjson::dom::element e;
    const auto err = parser_.parse(line).get(e);
    EXPECT_EQ(err, simdjson::SUCCESS) << line;
    return e;
  }
  static std::string str(simdjson::dom::element e, const char* key) {
    std::string_view v;
    if (e[key].get(v) != simdjson::SUCCESS) return "<missing " + std::string(key) + ">";
    return std::string(v);
  }
  static int64_t num(simdjson::dom::element e, const char* key) {
    int64_t v = -1;
    EXPECT_EQ(e[key].get(v), simdjson::SUCCESS) << key;
    return v;
  }
  static bool has(simdjson::dom::element e, const char* key) { return e[key].error() == simdjson::SUCCESS; }

  TempDir tmp_;
  std::unique_ptr<Store> store_;
  uint32_t run_ = 0;
  simdjson::dom::parser parser_;
};

TEST_F(DumpTest, JournalJsonHasKeyFieldsAndTypeSpecificPayload) {
  const auto ls = lines(dump_string(*store_, Table::Journal, false));
  ASSERT_EQ(ls.size(), sample_run().size() + 2);
  std::map<std::string, int> types;
  for (const auto& l : ls) {
    auto e = parse(l);
    EXPECT_EQ(num(e, "run_id"), 1);
    ++types[str(e, "type")];
  }
  for (const char* t : {"order_sent", "risk_reject", "exec_report", "order_update", "fill", "position", "group",
                        "signal", "chase", "unknown_report"}) {
    EXPECT_GE(types[t], 1) << t;
  }
  // First line: key order puts seq 1 risk (signal, group) before seq 1 gateway (order_sent).
  auto first = parse(ls[0]);
  EXPECT_EQ(num(first, "seq"), 1);
  EXPECT_EQ(str(first, "stage"), "risk");
  EXPECT_EQ(num(first, "sub"), 0);
  EXPECT_EQ(str(first, "type"), "signal");
  EXPECT_EQ(num(first, "event_time_ns"), 1000);
  EXPECT_EQ(str(first, "kind"), "day_skipped");
  EXPECT_EQ(str(first, "skip"), "range_too_wide");
  EXPECT_EQ(num(first, "trigger_px_ticks"), 17051);
  EXPECT_FALSE(has(first, "client_id")) << "no fields of other record types";

  for (const auto& l : ls) {
    auto e = parse(l);
    const std::string type = str(e, "type");
    if (type == "order_sent") {
      EXPECT_EQ(str(e, "stage"), "gateway");
      EXPECT_EQ(num(e, "client_id"), 11);
      EXPECT_EQ(str(e, "action"), "NEW");
      EXPECT_EQ(str(e, "side"), "BUY");
      EXPECT_EQ(str(e, "tif"), "FOK");
      EXPECT_EQ(str(e, "open_close"), "OPEN");
      EXPECT_EQ(str(e, "purpose"), "entry");
      EXPECT_EQ(num(e, "limit_ticks"), 17000);
      EXPECT_EQ(num(e, "qty"), 2);
      EXPECT_FALSE(has(e, "reason"));
    } else if (type == "risk_reject") {
      EXPECT_EQ(str(e, "reason"), "throttle");
      EXPECT_EQ(str(e, "purpose"), "exit_chase");
      EXPECT_EQ(num(e, "chase_n"), 2);
    } else if (type == "order_update") {
      EXPECT_TRUE(has(e, "state"));
      EXPECT_TRUE(has(e, "avg_px_x100_ticks"));
      EXPECT_TRUE(has(e, "leaves_qty"));
    } else if (type == "fill") {
      EXPECT_EQ(num(e, "fill_no"), 1);
      EXPECT_EQ(num(e, "px_ticks"), 17001);
      EXPECT_EQ(str(e, "open_close"), "CLOSE");
      EXPECT_EQ(num(e, "flags"), kExecLate);
    } else if (type == "exec_report" || type == "unknown_report") {
      EXPECT_EQ(str(e, "exec_type"), "TRADE");
      EXPECT_EQ(num(e, "last_px_ticks"), 17002);
      EXPECT_EQ(num(e, "last_qty"), 1);
      EXPECT_EQ(str(e, "tif"), "IOC");
    } else if (type == "position") {
      EXPECT_TRUE(has(e, "peak_ticks"));
      EXPECT_TRUE(has(e, "stop_ticks"));
      EXPECT_EQ(str(e, "side"), "LONG");
      bool trailing = false;
      EXPECT_EQ(e["trailing_active"].get(trailing), simdjson::SUCCESS);
      EXPECT_TRUE(trailing);
    } else if (type == "group") {
      EXPECT_EQ(num(e, "day"), 20240102);
      EXPECT_EQ(num(e, "group_id"), 1);
      EXPECT_EQ(str(e, "side"), "SHORT");
    } else if (type == "chase") {
      EXPECT_EQ(num(e, "new_client_id"), 77);
      EXPECT_EQ(str(e, "event"), "resend");
      EXPECT_EQ(str(e, "purpose"), "entry_chase");
      EXPECT_EQ(num(e, "n"), 2);
      EXPECT_EQ(num(e, "new_px_ticks"), 17002);
    }
  }
}

TEST_F(DumpTest, OrdersJson) {
  const auto ls = lines(dump_string(*store_, Table::Orders, false));
  ASSERT_EQ(ls.size(), 2u);
  auto e = parse(ls[0]);  // client 11 sorts before 12
  EXPECT_EQ(num(e, "client_id"), 11);
  EXPECT_EQ(num(e, "run_id"), 1);
  EXPECT_EQ(num(e, "venue_id"), 9'000'001);
  EXPECT_EQ(num(e, "position_id"), 111);
  EXPECT_EQ(str(e, "state"), "FILLED");
  EXPECT_EQ(str(e, "purpose"), "entry");
  EXPECT_EQ(str(e, "reason"), "none");
  EXPECT_EQ(num(e, "avg_px_x100_ticks"), 1'700'100);
  EXPECT_EQ(num(e, "cum_qty"), 2);
  EXPECT_EQ(num(e, "leaves_qty"), 0);
  EXPECT_EQ(num(e, "sent_time_ns"), 1000);
  EXPECT_EQ(num(e, "update_time_ns"), 4000);
  auto r = parse(ls[1]);
  EXPECT_EQ(str(r, "state"), "REJECTED");
  EXPECT_EQ(str(r, "reason"), "throttle");
}

TEST_F(DumpTest, FillsPositionsGroupsJson) {
  auto f = lines(dump_string(*store_, Table::Fills, false));
  ASSERT_EQ(f.size(), 1u);
  auto fe = parse(f[0]);
  EXPECT_EQ(num(fe, "client_id"), 11);
  EXPECT_EQ(num(fe, "fill_no"), 1);
  EXPECT_EQ(num(fe, "px_ticks"), 17001);
  EXPECT_EQ(num(fe, "time_ns"), 4000);
  EXPECT_EQ(str(fe, "side"), "SELL");

  auto p = lines(dump_string(*store_, Table::Positions, false));
  ASSERT_EQ(p.size(), 1u);
  auto pe = parse(p[0]);
  EXPECT_EQ(num(pe, "position_id"), 111);
  EXPECT_EQ(str(pe, "state"), "CLOSED");
  EXPECT_EQ(str(pe, "exit_reason"), "trailing_stop");
  EXPECT_EQ(num(pe, "peak_ticks"), 17040);
  EXPECT_EQ(num(pe, "exit_px_ticks"), 17030);
  EXPECT_EQ(num(pe, "update_time_ns"), 9000);
  EXPECT_EQ(num(pe, "rule"), 2);
  bool b = true;
  EXPECT_EQ(pe["protective_active"].get(b), simdjson::SUCCESS);
  EXPECT_FALSE(b);

  auto g = lines(dump_string(*store_, Table::Groups, false));
  ASSERT_EQ(g.size(), 1u);
  auto ge = parse(g[0]);
  EXPECT_EQ(str(ge, "event"), "completed");
  EXPECT_EQ(num(ge, "filled"), 2);
  EXPECT_EQ(num(ge, "range_high_ticks"), 17050);
  EXPECT_EQ(num(ge, "signal_time_ns"), 9000);
}

TEST_F(DumpTest, MetaJsonEscapesText) {
  const auto ls = lines(dump_string(*store_, Table::Meta, false));
  std::map<std::string, std::string> kv;
  for (const auto& l : ls) {
    auto e = parse(l);
    kv[str(e, "key")] = str(e, "value");
  }
  EXPECT_EQ(kv["next_run_id"], "2");
  EXPECT_EQ(kv["unknown_reports"], "1");
  EXPECT_EQ(kv["run/1/description"], "dump test, \"quoted\"\nsecond line");
  EXPECT_TRUE(kv.count("schema"));
}

TEST_F(DumpTest, CsvOfEveryTableHasHeaderAndRowsOfEqualWidth) {
  const std::map<Table, std::pair<std::size_t, const char*>> want = {
      {Table::Journal, {sample_run().size() + 2, "run_id,seq,stage,sub,type,event_time_ns,"}},
      {Table::Orders, {2, "run_id,client_id,venue_id,position_id,state,"}},
      {Table::Fills, {1, "run_id,client_id,fill_no,"}},
      {Table::Positions, {1, "run_id,position_id,day,group_id,"}},
      {Table::Groups, {1, "run_id,day,group_id,event,"}},
      {Table::Meta, {4, "key,value"}},
  };
  for (const auto& [t, w] : want) {
    const std::string text = dump_string(*store_, t, true);
    EXPECT_EQ(text.rfind(w.second, 0), 0u) << to_string(t) << ": " << text.substr(0, 80);
    const auto rows = parse_csv(text);
    EXPECT_EQ(rows.size(), w.first) << to_string(t);
  }
}

TEST_F(DumpTest, CsvValuesMatchJson) {
  const auto rows = parse_csv(dump_string(*store_, Table::Orders, true));
  ASSERT_EQ(rows.size(), 2u);
  EXPECT_EQ(rows[0].at("client_id"), "11");
  EXPECT_EQ(rows[0].at("state"), "FILLED");
  EXPECT_EQ(rows[0].at("avg_px_x100_ticks"), "1700100");
  EXPECT_EQ(rows[1].at("reason"), "throttle");

  const auto journal = parse_csv(dump_string(*store_, Table::Journal, true));
  std::size_t fills = 0;
  for (const auto& r : journal) {
    if (r.at("type") == "fill") {
      ++fills;
      EXPECT_EQ(r.at("px_ticks"), "17001");
      EXPECT_EQ(r.at("limit_ticks"), "") << "columns of other record types stay empty";
    }
    if (r.at("type") == "signal") {
      EXPECT_EQ(r.at("client_id"), "");
    }
  }
  EXPECT_EQ(fills, 1u);

  const auto pos = parse_csv(dump_string(*store_, Table::Positions, true));
  ASSERT_EQ(pos.size(), 1u);
  EXPECT_EQ(pos[0].at("trailing_active"), "true");
  EXPECT_EQ(pos[0].at("exit_in_flight"), "true");
}

TEST_F(DumpTest, CsvQuotesCommasQuotesAndNewlines) {
  const std::string text = dump_string(*store_, Table::Meta, true);
  EXPECT_NE(text.find("\"dump test, \"\"quoted\"\"\nsecond line\""), std::string::npos) << text;
}

TEST_F(DumpTest, RunFilterKeepsOnlyThatRun) {
  const uint32_t run2 = store_->begin_run("second");
  ASSERT_EQ(run2, 2u);
  store_->write_batch(run2, std::vector{order_sent(1, 1'000, (uint64_t{2} << 32) | 1, 17000, 1),
                                        fill(2, 2'000, (uint64_t{2} << 32) | 1, 1, 17000, 1, 1),
                                        position(2, 2'000, (uint64_t{2} << 32) | 1, PositionState::Active, 1),
                                        group(2, 2'000, 20240103, 1, GroupEvent::Created, 0, 1)});
  for (Table t : {Table::Journal, Table::Orders, Table::Fills, Table::Positions, Table::Groups}) {
    const auto all = lines(dump_string(*store_, t, false));
    const auto one = lines(dump_string(*store_, t, false, run_));
    const auto two = lines(dump_string(*store_, t, false, run2));
    EXPECT_EQ(all.size(), one.size() + two.size()) << to_string(t);
    EXPECT_FALSE(two.empty()) << to_string(t);
    for (const auto& l : two) EXPECT_EQ(num(parse(l), "run_id"), 2) << to_string(t);
    for (const auto& l : one) EXPECT_EQ(num(parse(l), "run_id"), 1) << to_string(t);
    EXPECT_EQ(parse_csv(dump_string(*store_, t, true, run2)).size(), two.size());
  }
  EXPECT_TRUE(lines(dump_string(*store_, Table::Journal, false, 99)).empty());
  EXPECT_EQ(lines(dump_string(*store_, Table::Meta, false, run2)).size(),
            lines(dump_string(*store_, Table::Meta, false)).size())
      << "meta is never filtered";
}

TEST_F(DumpTest, EmptyTablesDumpNothingButTheCsvHeader) {
  Store s(options(tmp_.sub("empty")));
  EXPECT_EQ(dump_string(s, Table::Fills, false), "");
  EXPECT_EQ(dump_string(s, Table::Fills, true), "run_id,client_id,fill_no,venue_id,side,open_close,px_ticks,qty,cum_qty,time_ns,flags\n");
}

TEST_F(DumpTest, UnknownEnumValuesPrintAsQuestionMark) {
  Store s(options(tmp_.sub("odd")));
  JournalRecord r = order_sent(1, 1, 5, 1, 1);
  r.u.order.side = static_cast<Side>(9);
  r.u.order.purpose = static_cast<OrderPurpose>(42);
  s.write_batch(1, std::vector{r});
  auto e = parse(lines(dump_string(s, Table::Journal, false)).at(0));
  EXPECT_EQ(str(e, "side"), "?");
  EXPECT_EQ(str(e, "purpose"), "?");
}

TEST_F(DumpTest, OrderKnownOnlyFromReportsHasPurposeNone) {
  Store s(options(tmp_.sub("reports")));
  s.write_batch(1, std::vector{order_update(2, 2, 7, 9, OrderState::New, 1, 0, 0)});
  auto e = parse(lines(dump_string(s, Table::Orders, false)).at(0));
  EXPECT_EQ(str(e, "purpose"), "none");
  EXPECT_EQ(num(e, "sent_time_ns"), 0);
}

TEST_F(DumpTest, TwoEqualDatabasesDumpIdenticalBytes) {
  // Same records, drained in a different interleaving of the rings.
  auto recs = sample_run();
  Store a(options(tmp_.sub("a")));
  Store b(options(tmp_.sub("b")));
  a.begin_run("x");
  b.begin_run("x");
  a.write_batch(1, recs);
  std::vector<JournalRecord> tracker, others;
  for (const auto& r : recs) (r.stage == Stage::Tracker ? tracker : others).push_back(r);
  b.write_batch(1, tracker);
  b.write_batch(1, others);
  for (Table t : {Table::Journal, Table::Orders, Table::Fills, Table::Positions, Table::Groups, Table::Meta}) {
    for (bool csv : {false, true}) {
      EXPECT_EQ(dump_string(a, t, csv), dump_string(b, t, csv)) << to_string(t) << (csv ? " csv" : " json");
    }
  }
}

TEST_F(DumpTest, LargeJournalDumpIsCompleteAcrossBufferFlushes) {
  Store s(options(tmp_.sub("large")));
  std::vector<JournalRecord> batch;
  for (uint64_t i = 1; i <= 5000; ++i) batch.push_back(signal(i, static_cast<int64_t>(i)));
  s.write_batch(1, batch);
  const auto ls = lines(dump_string(s, Table::Journal, false));
  ASSERT_EQ(ls.size(), 5000u);
  EXPECT_EQ(num(parse(ls.back()), "seq"), 5000);
}

}  // namespace
}  // namespace tp::storage
