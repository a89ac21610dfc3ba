// tp::storage::Store - LMDB environment, tables and the effects of journal records.
// See tp/storage/store.hpp for the layout, the effect rules and the error contract.
#include "tp/storage/store.hpp"

#include <lmdb.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <charconv>
#include <cstddef>
#include <cstring>
#include <filesystem>
#include <memory>
#include <system_error>

namespace tp::storage {

namespace {

constexpr unsigned kMaxDbs = 8;
constexpr std::size_t kMaxMetaKey = 511;  // LMDB's default maximum key size
constexpr int64_t kMiB = 1024 * 1024;

constexpr const char* kNextRunId = "next_run_id";
constexpr const char* kUnknownReports = "unknown_reports";
constexpr const char* kSchemaKey = "schema";

// ------------------------------------------------------------------ key encoding

inline void put_be16(uint8_t* p, uint16_t v) noexcept {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
inline void put_be32(uint8_t* p, uint32_t v) noexcept {
  for (int i = 3; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
inline void put_be64(uint8_t* p, uint64_t v) noexcept {
  for (int i = 7; i >= 0; --i) {
    p[i] = static_cast<uint8_t>(v);
    v >>= 8;
  }
}
inline uint32_t get_be32(const uint8_t* p) noexcept {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | p[i];
  return v;
}

using JournalKey = std::array<uint8_t, 16>;

inline JournalKey journal_key(uint32_t run_id, uint64_t seq, Stage stage, uint16_t sub) noexcept {
  JournalKey k{};
  put_be32(k.data(), run_id);
  put_be64(k.data() + 4, seq);
  k[12] = static_cast<uint8_t>(stage);
  put_be16(k.data() + 13, sub);
  k[15] = 0;
  return k;
}

struct U64Key {
  std::array<uint8_t, 8> b{};
  explicit U64Key(uint64_t v) noexcept { put_be64(b.data(), v); }
};

inline std::array<uint8_t, 12> fill_key(uint64_t client_id, uint32_t fill_no) noexcept {
  std::array<uint8_t, 12> k{};
  put_be64(k.data(), client_id);
  put_be32(k.data() + 8, fill_no);
  return k;
}

inline std::array<uint8_t, 8> group_key(TradingDay day, uint32_t gid) noexcept {
  std::array<uint8_t, 8> k{};
  put_be32(k.data(), static_cast<uint32_t>(day.yyyymmdd));
  put_be32(k.data() + 4, gid);
  return k;
}

template <class A>
inline MDB_val as_val(A& a) noexcept {
  return MDB_val{a.size(), const_cast<uint8_t*>(a.data())};
}
template <class T>
inline MDB_val row_val(const T& row) noexcept {
  return MDB_val{sizeof(T), const_cast<T*>(&row)};
}
inline MDB_val str_val(std::string_view s) noexcept {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}

// ------------------------------------------------------- canonical journal records

/// Bytes of the payload that carry fields for a record type (the rest of the union,
/// including struct tail padding, is zeroed so journal bytes are deterministic even if
/// a producer left garbage there). 0 = unknown type: keep the body as it is.
std::size_t payload_bytes(JournalType t) noexcept {
  switch (t) {
    case JournalType::OrderSent:
    case JournalType::RiskReject:
      return offsetof(JrOrder, reason) + sizeof(RejectReason);
    case JournalType::ExecReport:
    case JournalType::UnknownReport:
      return offsetof(ExecReport, flags) + sizeof(uint8_t);
    case JournalType::OrderUpdate:
      return offsetof(JrOrderUpdate, flags) + sizeof(uint8_t);
    case JournalType::Fill:
      return offsetof(JrFill, flags) + sizeof(uint8_t);
    case JournalType::Position:
      return offsetof(JrPosition, flags) + sizeof(uint8_t);
    case JournalType::Group:
      return offsetof(JrGroup, filled) + sizeof(Qty);
    case JournalType::Signal:
      return offsetof(JrSignal, lots) + sizeof(Qty);
    case JournalType::Chase:
      return offsetof(JrChase, purpose) + sizeof(OrderPurpose);
    case JournalType::Session:
      return offsetof(JrSession, text) + sizeof(JrSession::text);
    case JournalType::Input:
      return sizeof(JrInput);
    case JournalType::Reconcile:
      return sizeof(JrReconcile);
    case JournalType::Operator:
      return sizeof(JrOperator);
  }
  return 0;
}

void canonicalize(const JournalRecord& in, JournalRecord& out) noexcept {
  std::memcpy(static_cast<void*>(&out), &in, sizeof(JournalRecord));
  out.pad_ = 0;
  out.pad2_ = 0;
  const std::size_t used = payload_bytes(in.type);
  if (used != 0) {
    auto* body = reinterpret_cast<unsigned char*>(&out.u);
    std::memset(body + used, 0, sizeof(out.u) - used);
  }
  // Bytes between the end of the body and the end of the record (alignment tail).
  const std::size_t body_end = offsetof(JournalRecord, u) + sizeof(out.u);
  std::memset(reinterpret_cast<unsigned char*>(&out) + body_end, 0, sizeof(JournalRecord) - body_end);
}

std::string schema_string() {
  return "tickpipe/2 journal_key=16 group_key=8 record=" + std::to_string(sizeof(JournalRecord)) +
         " order=" + std::to_string(sizeof(OrderRow)) + " fill=" + std::to_string(sizeof(FillRow)) +
         " position=" + std::to_string(sizeof(PositionRow)) +
         " group=" + std::to_string(sizeof(GroupRow));
}

bool parse_u64(std::string_view s, uint64_t& out) noexcept {
  if (s.empty()) return false;
  const auto r = std::from_chars(s.data(), s.data() + s.size(), out);
  return r.ec == std::errc() && r.ptr == s.data() + s.size();
}

// ====================================================================== Env

/// The environment and its tables (Store::Env derives from it so that the helpers
/// below, outside the class, can use it).
struct EnvData {
  MDB_env* env = nullptr;
  MDB_dbi journal = 0, orders = 0, fills = 0, positions = 0, groups = 0, meta = 0;
  Durability sync = Durability::NoSync;
  std::string dir;

  EnvData() = default;
  EnvData(const EnvData&) = delete;
  EnvData& operator=(const EnvData&) = delete;
  ~EnvData() {
    if (env != nullptr) mdb_env_close(env);
  }

  [[noreturn]] void fail(const std::string& op, int rc) const {
    throw StorageError(op + " [" + dir + "]", rc);
  }
  void check(int rc, const char* op) const {
    if (rc != 0) fail(op, rc);
  }

  MDB_dbi dbi(Table t) const noexcept {
    switch (t) {
      case Table::Journal: return journal;
      case Table::Orders: return orders;
      case Table::Fills: return fills;
      case Table::Positions: return positions;
      case Table::Groups: return groups;
      case Table::Meta: return meta;
    }
    return meta;
  }
};

/// RAII transaction: aborted unless committed.
class Txn {
 public:
  Txn(const EnvData& e, bool write, const char* op) : e_(e) {
    e_.check(mdb_txn_begin(e.env, nullptr, write ? 0u : static_cast<unsigned>(MDB_RDONLY), &t_), op);
  }
  ~Txn() {
    if (t_ != nullptr) mdb_txn_abort(t_);
  }
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  MDB_txn* get() const noexcept { return t_; }
  void commit(const char* op) {
    const int rc = mdb_txn_commit(t_);
    t_ = nullptr;  // committed or freed by LMDB either way
    e_.check(rc, op);
  }

 private:
  const EnvData& e_;
  MDB_txn* t_ = nullptr;
};

/// RAII cursor. Declare it after its Txn so that it is closed first; a cursor of a write
/// transaction must be close()d before commit (LMDB frees it at commit).
class Cursor {
 public:
  Cursor(const EnvData& e, const Txn& txn, MDB_dbi dbi, const char* op) {
    e.check(mdb_cursor_open(txn.get(), dbi, &c_), op);
  }
  ~Cursor() { close(); }
  void close() noexcept {
    if (c_ != nullptr) mdb_cursor_close(c_);
    c_ = nullptr;
  }
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  MDB_cursor* get() const noexcept { return c_; }

 private:
  MDB_cursor* c_ = nullptr;
};

template <class Row>
void copy_row(const EnvData& e, const MDB_val& v, Row& out, const char* table) {
  if (v.mv_size != sizeof(Row)) {
    e.fail(std::string("read ") + table + " row of " + std::to_string(v.mv_size) + " bytes, expected " +
               std::to_string(sizeof(Row)),
           MDB_INCOMPATIBLE);
  }
  std::memcpy(static_cast<void*>(&out), v.mv_data, sizeof(Row));  // LMDB data is not aligned
}

/// Reads one row; false if absent.
template <class Row>
bool read_row(const EnvData& e, MDB_txn* txn, MDB_dbi dbi, MDB_val key, Row& out,
              const char* table) {
  MDB_val v{};
  const int rc = mdb_get(txn, dbi, &key, &v);
  if (rc == MDB_NOTFOUND) return false;
  e.check(rc, table);
  copy_row(e, v, out, table);
  return true;
}

template <class Row>
void write_row(const EnvData& e, MDB_txn* txn, MDB_dbi dbi, MDB_val key, const Row& row,
               const char* op) {
  MDB_val v = row_val(row);
  e.check(mdb_put(txn, dbi, &key, &v, 0), op);
}

uint64_t read_counter(const EnvData& e, MDB_txn* txn, std::string_view key) {
  MDB_val k = str_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn, e.meta, &k, &v);
  if (rc == MDB_NOTFOUND) return 0;
  e.check(rc, "read meta counter");
  uint64_t n = 0;
  if (!parse_u64(std::string_view(static_cast<const char*>(v.mv_data), v.mv_size), n)) {
    e.fail("meta \"" + std::string(key) + "\" is not a decimal counter", MDB_INCOMPATIBLE);
  }
  return n;
}

void write_counter(const EnvData& e, MDB_txn* txn, std::string_view key, uint64_t n) {
  char buf[24];
  const auto r = std::to_chars(buf, buf + sizeof buf, n);
  MDB_val k = str_val(key);
  MDB_val v{static_cast<std::size_t>(r.ptr - buf), buf};
  e.check(mdb_put(txn, e.meta, &k, &v, 0), "write meta counter");
}

void check_meta_key(const EnvData& e, const std::string& key, const char* op) {
  if (key.empty() || key.size() > kMaxMetaKey) {
    e.fail(std::string(op) + ": meta key must be 1.." + std::to_string(kMaxMetaKey) + " bytes", EINVAL);
  }
}

// ------------------------------------------------------------ effects on tables

/// The orders row an order (sent or refused by the risk stage) starts with.
OrderRow order_row_from(uint32_t run_id, const JournalRecord& r, OrderState state) {
  const JrOrder& o = r.u.order;
  OrderRow row{};
  row.run_id = run_id;
  row.client_id = o.client_id;
  row.venue_id = o.venue_id;
  row.position = o.position;
  row.sent_time = r.event_time;
  row.update_time = r.event_time;
  row.limit = o.limit;
  row.qty = o.qty;
  row.state = state;
  row.side = o.side;
  row.tif = o.tif;
  row.open_close = o.open_close;
  row.purpose = o.purpose;
  row.chase_n = o.chase_n;
  row.reason = o.reason;
  return row;
}

void apply_order_sent(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  const JrOrder& o = r.u.order;
  if (o.action != OrderAction::New) return;  // a cancel request is journal only
  U64Key key(o.client_id.v);
  OrderRow row{};
  if (!read_row(e, txn, e.orders, as_val(key.b), row, "orders")) {
    row = order_row_from(run_id, r, OrderState::PendingNew);
    row.leaves_qty = o.qty;
    row.reason = RejectReason::None;
  } else if (static_cast<uint8_t>(row.purpose) == 0) {
    // Reports for this order were written first (the tracker's ring was drained before
    // the gateway's): keep their state, add what only the send knows.
    row.position = o.position;
    row.sent_time = r.event_time;
    row.purpose = o.purpose;
    row.chase_n = o.chase_n;
    if (!row.venue_id.valid()) row.venue_id = o.venue_id;
  } else {
    return;  // a second send with the same client id never changes the order (SPEC §6)
  }
  write_row(e, txn, e.orders, as_val(key.b), row, "write_batch: put orders");
}

void apply_risk_reject(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  U64Key key(r.u.order.client_id.v);
  OrderRow row = order_row_from(run_id, r, OrderState::Rejected);
  row.flags = kExecRiskReject;
  write_row(e, txn, e.orders, as_val(key.b), row, "write_batch: put orders");
}

void apply_order_update(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  const JrOrderUpdate& u = r.u.order_update;
  U64Key key(u.client_id.v);
  OrderRow row{};
  if (!read_row(e, txn, e.orders, as_val(key.b), row, "orders")) {
    row = OrderRow{};  // unknown so far: create it from the report
    row.run_id = run_id;
    row.client_id = u.client_id;
  }
  if (u.venue_id.valid()) row.venue_id = u.venue_id;
  row.update_time = r.event_time;
  row.limit = u.limit;
  row.avg_px_x100 = u.avg_px_x100;
  row.qty = u.order_qty;
  row.cum_qty = u.cum_qty;
  row.leaves_qty = u.leaves_qty;
  row.state = u.state;
  row.side = u.side;
  row.open_close = u.open_close;
  row.tif = u.tif;
  row.reason = u.reason;
  row.flags = u.flags;
  write_row(e, txn, e.orders, as_val(key.b), row, "write_batch: put orders");
}

void apply_fill(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  const JrFill& f = r.u.fill;
  auto key = fill_key(f.client_id.v, f.fill_no);
  FillRow row{};
  row.run_id = run_id;
  row.fill_no = f.fill_no;
  row.client_id = f.client_id;
  row.venue_id = f.venue_id;
  row.time = r.event_time;
  row.px = f.px;
  row.qty = f.qty;
  row.cum_qty = f.cum_qty;
  row.side = f.side;
  row.open_close = f.open_close;
  row.flags = f.flags;
  write_row(e, txn, e.fills, as_val(key), row, "write_batch: put fills");
}

void apply_position(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  U64Key key(r.u.position.id.v);
  PositionRow row{};
  row.run_id = run_id;
  row.update_time = r.event_time;
  row.pos = r.u.position;  // canonical record: padding already zero
  write_row(e, txn, e.positions, as_val(key.b), row, "write_batch: put positions");
}

void apply_group(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  auto key = group_key(r.u.group.day, r.u.group.group_id);
  GroupRow row{};
  row.run_id = run_id;
  row.group = r.u.group;
  write_row(e, txn, e.groups, as_val(key), row, "write_batch: put groups");
}

void apply(const EnvData& e, MDB_txn* txn, uint32_t run_id, const JournalRecord& r) {
  switch (r.type) {
    case JournalType::OrderSent: apply_order_sent(e, txn, run_id, r); return;
    case JournalType::RiskReject: apply_risk_reject(e, txn, run_id, r); return;
    case JournalType::OrderUpdate: apply_order_update(e, txn, run_id, r); return;
    case JournalType::Fill: apply_fill(e, txn, run_id, r); return;
    case JournalType::Position: apply_position(e, txn, run_id, r); return;
    case JournalType::Group: apply_group(e, txn, run_id, r); return;
    case JournalType::UnknownReport:
      write_counter(e, txn, kUnknownReports, read_counter(e, txn, kUnknownReports) + 1);
      return;
    case JournalType::ExecReport:
    case JournalType::Signal:
    case JournalType::Chase:
    case JournalType::Session:
    case JournalType::Input:
    case JournalType::Reconcile:
    case JournalType::Operator:
      return;  // journal only
  }
}

}  // namespace

struct Store::Env : EnvData {};

JournalRecord Store::canonical(const JournalRecord& r) noexcept {
  JournalRecord out;
  canonicalize(r, out);
  return out;
}

// ====================================================================== Store

Store::Store(const StoreOptions& opt) : env_(nullptr), dir_(opt.dir), read_only_(opt.read_only) {
  auto env = std::make_unique<Env>();
  env->dir = opt.dir;
  env->sync = opt.sync;
  const std::string op = std::string("open store") + (opt.read_only ? " (read-only)" : "");
  if (opt.dir.empty()) throw StorageError(op + ": empty directory name", EINVAL);

  const int64_t map_bytes = opt.map_size_bytes > 0 ? opt.map_size_bytes : opt.map_size_mb * kMiB;
  if (!opt.read_only && map_bytes <= 0) {
    env->fail(op + ": map size must be > 0 (persist.map_size_mb)", EINVAL);
  }

  namespace fs = std::filesystem;
  std::error_code ec;
  if (opt.read_only) {
    const fs::file_status st = fs::status(opt.dir, ec);
    if (!fs::exists(st)) {
      env->fail(op + ": no such directory", ec && ec.value() != ENOENT ? ec.value() : ENOENT);
    }
    if (!fs::is_directory(st)) env->fail(op + ": not a directory", ENOTDIR);
  } else {
    fs::create_directories(opt.dir, ec);
    if (ec) env->fail(op + ": create directory", ec.value());
    if (!fs::is_directory(opt.dir, ec)) env->fail(op + ": not a directory", ENOTDIR);
  }

  env->check(mdb_env_create(&env->env), "mdb_env_create");
  env->check(mdb_env_set_maxdbs(env->env, kMaxDbs), "mdb_env_set_maxdbs");
  unsigned flags = MDB_NOTLS;
  if (opt.read_only) {
    flags |= MDB_RDONLY;  // map size: the file's own
  } else {
    env->check(mdb_env_set_mapsize(env->env, static_cast<std::size_t>(map_bytes)), "mdb_env_set_mapsize");
    if (opt.sync == Durability::NoSync) flags |= MDB_NOSYNC;
  }
  {
    const int rc = mdb_env_open(env->env, opt.dir.c_str(), flags, 0644);
    if (rc != 0) {
      mdb_env_close(env->env);  // required after a failed mdb_env_open
      env->env = nullptr;
      env->fail(op, rc);
    }
  }

  // Named databases (and the schema check) in one transaction.
  Txn txn(*env, !opt.read_only, "open store: begin");
  const unsigned dbflags = opt.read_only ? 0u : static_cast<unsigned>(MDB_CREATE);
  const std::pair<const char*, MDB_dbi*> dbs[] = {
      {"journal", &env->journal}, {"orders", &env->orders}, {"fills", &env->fills},
      {"positions", &env->positions}, {"groups", &env->groups}, {"meta", &env->meta}};
  for (const auto& [name, dbi] : dbs) {
    const int rc = mdb_dbi_open(txn.get(), name, dbflags, dbi);
    if (rc != 0) env->fail(op + ": table " + name, rc);
  }
  const std::string schema = schema_string();
  {
    MDB_val k = str_val(kSchemaKey);
    MDB_val v{};
    const int rc = mdb_get(txn.get(), env->meta, &k, &v);
    if (rc == MDB_NOTFOUND) {
      if (!opt.read_only) {
        MDB_val nv = str_val(schema);
        env->check(mdb_put(txn.get(), env->meta, &k, &nv, 0), "open store: write schema");
      }
    } else {
      env->check(rc, "open store: read schema");
      const std::string_view have(static_cast<const char*>(v.mv_data), v.mv_size);
      if (have != schema) {
        env->fail(op + ": schema \"" + std::string(have) + "\", this build writes \"" + schema + "\"",
                  MDB_INCOMPATIBLE);
      }
    }
  }
  txn.commit("open store: commit");
  env_ = env.release();
}

Store::~Store() { delete env_; }

uint32_t Store::begin_run(const std::string& description) {
  if (read_only_) env_->fail("begin_run: store is read-only", EACCES);
  Txn txn(*env_, true, "begin_run: begin");
  uint64_t next = read_counter(*env_, txn.get(), kNextRunId);
  if (next == 0) next = 1;  // fresh database
  if (next > UINT32_MAX) env_->fail("begin_run: next_run_id past 2^32-1", MDB_INCOMPATIBLE);
  write_counter(*env_, txn.get(), kNextRunId, next + 1);
  const std::string key = "run/" + std::to_string(next) + "/description";
  MDB_val k = str_val(key);
  MDB_val v = str_val(description);
  env_->check(mdb_put(txn.get(), env_->meta, &k, &v, 0), "begin_run: put description");
  txn.commit("begin_run: commit");
  if (env_->sync == Durability::NoSync) env_->check(mdb_env_sync(env_->env, 1), "begin_run: sync");
  return static_cast<uint32_t>(next);
}

GroupFloor Store::group_floor() const {
  GroupFloor out;
  Txn txn(*env_, false, "group_floor: begin");
  Cursor cur(*env_, txn, env_->groups, "group_floor: cursor");
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cur.get(), &k, &v, MDB_FIRST); rc != MDB_NOTFOUND;
       rc = mdb_cursor_get(cur.get(), &k, &v, MDB_NEXT)) {
    env_->check(rc, "group_floor: read groups");
    if (k.mv_size != 8) env_->fail("group_floor: groups key of the wrong size", MDB_INCOMPATIBLE);
    const auto* p = static_cast<const uint8_t*>(k.mv_data);
    const TradingDay day(static_cast<int32_t>(get_be32(p)));
    const uint32_t gid = get_be32(p + 4);
    if (!out.empty() && out.back().first == day) {
      out.back().second = gid;  // keys ascend: the last id of a day is its highest
    } else {
      out.emplace_back(day, gid);
    }
  }
  return out;
}

void Store::write_batch(uint32_t run_id, std::span<const JournalRecord> records) {
  if (read_only_) env_->fail("write_batch: store is read-only", EACCES);
  if (records.empty()) return;
  const Env& e = *env_;
  Txn txn(e, true, "write_batch: begin");
  Cursor cur(e, txn, e.journal, "write_batch: cursor");

  // The journal's last key: keys above it can be appended (no search, full pages).
  JournalKey last{};
  bool have_last = false;
  {
    MDB_val k{}, v{};
    const int rc = mdb_cursor_get(cur.get(), &k, &v, MDB_LAST);
    if (rc == 0) {
      if (k.mv_size != last.size()) e.fail("write_batch: journal key of the wrong size", MDB_INCOMPATIBLE);
      std::memcpy(last.data(), k.mv_data, last.size());
      have_last = true;
    } else if (rc != MDB_NOTFOUND) {
      e.fail("write_batch: read journal", rc);
    }
  }

  JournalRecord rec;
  for (const JournalRecord& in : records) {
    canonicalize(in, rec);
    JournalKey key = journal_key(run_id, rec.seq, rec.stage, rec.sub);
    MDB_val k = as_val(key);
    MDB_val v{sizeof(JournalRecord), &rec};
    if (!have_last || std::memcmp(key.data(), last.data(), key.size()) > 0) {
      e.check(mdb_cursor_put(cur.get(), &k, &v, MDB_APPEND), "write_batch: append journal");
      last = key;
      have_last = true;
    } else {
      const int rc = mdb_cursor_put(cur.get(), &k, &v, MDB_NOOVERWRITE);
      if (rc == MDB_KEYEXIST) {
        // v now points at the stored record.
        if (v.mv_size == sizeof(JournalRecord) && std::memcmp(v.mv_data, &rec, sizeof rec) == 0) {
          continue;  // already journaled: a retry, skip its effects too (idempotent)
        }
        e.fail("write_batch: journal key (run " + std::to_string(run_id) + ", seq " +
                   std::to_string(rec.seq) + ", stage " + to_string(rec.stage) + ", sub " +
                   std::to_string(rec.sub) + ") already holds a different record",
               MDB_KEYEXIST);
      }
      e.check(rc, "write_batch: put journal");
    }
    apply(e, txn.get(), run_id, rec);
  }
  cur.close();
  txn.commit("write_batch: commit");
}

void Store::put_meta(const std::string& key, const std::string& value) {
  if (read_only_) env_->fail("put_meta: store is read-only", EACCES);
  check_meta_key(*env_, key, "put_meta");
  Txn txn(*env_, true, "put_meta: begin");
  MDB_val k = str_val(key);
  MDB_val v = str_val(value);
  env_->check(mdb_put(txn.get(), env_->meta, &k, &v, 0), "put_meta: put");
  txn.commit("put_meta: commit");
}

bool Store::get_meta(const std::string& key, std::string& value) const {
  check_meta_key(*env_, key, "get_meta");
  Txn txn(*env_, false, "get_meta: begin");
  MDB_val k = str_val(key);
  MDB_val v{};
  const int rc = mdb_get(txn.get(), env_->meta, &k, &v);
  if (rc == MDB_NOTFOUND) return false;
  env_->check(rc, "get_meta");
  value.assign(static_cast<const char*>(v.mv_data), v.mv_size);
  return true;
}

uint64_t Store::get_counter(const std::string& key) const {
  check_meta_key(*env_, key, "get_counter");
  Txn txn(*env_, false, "get_counter: begin");
  return read_counter(*env_, txn.get(), key);
}

bool Store::get_order(ClientOrderId id, OrderRow& out) const {
  Txn txn(*env_, false, "get_order: begin");
  U64Key key(id.v);
  return read_row(*env_, txn.get(), env_->orders, as_val(key.b), out, "orders");
}

bool Store::get_fill(ClientOrderId id, uint32_t fill_no, FillRow& out) const {
  Txn txn(*env_, false, "get_fill: begin");
  auto key = fill_key(id.v, fill_no);
  return read_row(*env_, txn.get(), env_->fills, as_val(key), out, "fills");
}

bool Store::get_position(PositionId id, PositionRow& out) const {
  Txn txn(*env_, false, "get_position: begin");
  U64Key key(id.v);
  return read_row(*env_, txn.get(), env_->positions, as_val(key.b), out, "positions");
}

bool Store::get_group(TradingDay day, uint32_t group_id, GroupRow& out) const {
  Txn txn(*env_, false, "get_group: begin");
  auto key = group_key(day, group_id);
  return read_row(*env_, txn.get(), env_->groups, as_val(key), out, "groups");
}

bool Store::get_journal(uint32_t run_id, uint64_t seq, Stage stage, uint16_t sub,
                        JournalRecord& out) const {
  Txn txn(*env_, false, "get_journal: begin");
  auto key = journal_key(run_id, seq, stage, sub);
  return read_row(*env_, txn.get(), env_->journal, as_val(key), out, "journal");
}

void Store::for_each_journal(uint32_t run_id,
                             const std::function<void(uint32_t, const JournalRecord&)>& f) const {
  Txn txn(*env_, false, "for_each_journal: begin");
  Cursor cur(*env_, txn, env_->journal, "for_each_journal: cursor");
  MDB_val k{}, v{};
  JournalKey start = journal_key(run_id, 0, Stage::Feed, 0);
  int rc;
  if (run_id != 0) {
    k = as_val(start);
    rc = mdb_cursor_get(cur.get(), &k, &v, MDB_SET_RANGE);
  } else {
    rc = mdb_cursor_get(cur.get(), &k, &v, MDB_FIRST);
  }
  JournalRecord rec;
  for (; rc != MDB_NOTFOUND; rc = mdb_cursor_get(cur.get(), &k, &v, MDB_NEXT)) {
    env_->check(rc, "for_each_journal: read");
    if (k.mv_size != 16) env_->fail("for_each_journal: journal key of the wrong size", MDB_INCOMPATIBLE);
    const uint32_t run = get_be32(static_cast<const uint8_t*>(k.mv_data));
    if (run_id != 0 && run != run_id) break;
    copy_row(*env_, v, rec, "journal");
    f(run, rec);
  }
}

namespace {
template <class Row>
void scan_rows(const EnvData& e, MDB_dbi dbi, const char* table, uint32_t run_id,
               const std::function<void(const Row&)>& f) {
  Txn txn(e, false, "scan: begin");
  Cursor cur(e, txn, dbi, "scan: cursor");
  MDB_val k{}, v{};
  Row row;
  for (int rc = mdb_cursor_get(cur.get(), &k, &v, MDB_FIRST); rc != MDB_NOTFOUND;
       rc = mdb_cursor_get(cur.get(), &k, &v, MDB_NEXT)) {
    e.check(rc, table);
    copy_row(e, v, row, table);
    if (run_id != 0 && row.run_id != run_id) continue;
    f(row);
  }
}
}  // namespace

void Store::for_each_order(uint32_t run_id, const std::function<void(const OrderRow&)>& f) const {
  scan_rows(*env_, env_->orders, "orders", run_id, f);
}
void Store::for_each_fill(uint32_t run_id, const std::function<void(const FillRow&)>& f) const {
  scan_rows(*env_, env_->fills, "fills", run_id, f);
}
void Store::for_each_position(uint32_t run_id, const std::function<void(const PositionRow&)>& f) const {
  scan_rows(*env_, env_->positions, "positions", run_id, f);
}
void Store::for_each_group(uint32_t run_id, const std::function<void(const GroupRow&)>& f) const {
  scan_rows(*env_, env_->groups, "groups", run_id, f);
}

void Store::for_each_meta(const std::function<void(std::string_view, std::string_view)>& f) const {
  Txn txn(*env_, false, "for_each_meta: begin");
  Cursor cur(*env_, txn, env_->meta, "for_each_meta: cursor");
  MDB_val k{}, v{};
  for (int rc = mdb_cursor_get(cur.get(), &k, &v, MDB_FIRST); rc != MDB_NOTFOUND;
       rc = mdb_cursor_get(cur.get(), &k, &v, MDB_NEXT)) {
    env_->check(rc, "for_each_meta: read");
    f(std::string_view(static_cast<const char*>(k.mv_data), k.mv_size),
      std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
  }
}

uint64_t Store::count(Table t) const {
  Txn txn(*env_, false, "count: begin");
  MDB_stat st{};
  env_->check(mdb_stat(txn.get(), env_->dbi(t), &st), "count: mdb_stat");
  return st.ms_entries;
}

void Store::sync() {
  if (read_only_) env_->fail("sync: store is read-only", EACCES);
  env_->check(mdb_env_sync(env_->env, 1), "sync");
}

void Store::set_map_size(int64_t bytes) {
  if (read_only_) env_->fail("set_map_size: store is read-only", EACCES);
  if (bytes <= 0) env_->fail("set_map_size: size must be > 0", EINVAL);
  env_->check(mdb_env_set_mapsize(env_->env, static_cast<std::size_t>(bytes)), "set_map_size");
}

}  // namespace tp::storage
