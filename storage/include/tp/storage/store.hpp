// tp::storage::Store - the LMDB layout of SPEC §5.
//
// One LMDB environment (a directory) with named databases:
//   journal    key: run_id(u32 BE) seq(u64 BE) stage(u8) sub(u16 BE) pad(u8) = 16 bytes
//              value: the JournalRecord (128 bytes). Append-only; keys are monotonic in
//              event order and independent of thread timing (see tp/engine/journal.hpp).
//   orders     key: client order id (u64 BE)        value: OrderRow
//   fills      key: client order id (u64 BE) fill_no (u32 BE)   value: FillRow
//   positions  key: position id (u64 BE)            value: PositionRow (lot + risk state)
//   groups     key: trading day (u32 BE) group id (u32 BE)      value: GroupRow
//   meta       key: ASCII name                      value: UTF-8 text; counters are
//              decimal text ("next_run_id", "unknown_reports", "schema")
// All multi-byte key fields are big-endian so LMDB's memcmp order is numeric order.
// Rows are stored as their in-memory bytes (host endianness, zero padding); the meta key
// "schema" records the row sizes and a reopen with different sizes fails with
// MDB_INCOMPATIBLE instead of misreading rows.
//
// Effects of journal records on the tables (write_batch):
//   OrderSent (New)   orders: creates the row (PENDING_NEW, sent_time = event time); if a
//                     report for the order was written first (the tracker's and the
//                     gateway's rings are drained independently), only fills in the
//                     fields that reports do not carry (position, purpose, chase_n,
//                     sent_time) and keeps the state. OrderSent (Cancel): journal only.
//   RiskReject        orders: row in state REJECTED with the reason.
//   OrderUpdate       orders: venue id, state, limit, qty, cum/leaves, avg px, reason,
//                     flags, update_time; creates the row if it is missing.
//   Fill              fills: row (client id, fill_no). Nothing else.
//   Position          positions: whole row (upsert), update_time = event time.
//   Group             groups: whole row (upsert) keyed (day, group id).
//   UnknownReport     journal only; meta "unknown_reports" += 1.
//   ExecReport, Signal, Chase   journal only.
// A record whose journal key already holds the identical record is a retry: it is
// skipped entirely (tables and counters unchanged), which makes write_batch idempotent.
//
// Threads: a Store may be written by one thread at a time (the persister's); read-only
// calls (dump, group_floor, count, get_*, for_each_*) may run on any thread, also
// concurrently with the writer (LMDB MVCC; MDB_NOTLS is set, so read transactions are
// not bound to threads). A Store object may be shared between threads by reference.
// Allocation/blocking: every call is cold path (allocates); writes block on disk per the
// sync policy. Readers never block the writer and vice versa.
//
// Errors: every function throws StorageError (derived from std::runtime_error). Its
// what() names the operation and the directory, LMDB's (or the OS's) message, and what
// to do; code() is the LMDB or errno code. The codes a caller may see are listed per
// function, in the manner of lmdb.h. Any function may also throw std::bad_alloc.
// After a throw from a write, the transaction was aborted: nothing of it is visible and
// the Store remains usable (except after MDB_PANIC).
#pragma once

#include <cstdint>
#include <functional>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "tp/engine/journal.hpp"

namespace tp::storage {

/// An LMDB or file-system failure. what() is "<op>: <LMDB/OS message> - <what to do>";
/// code() is the LMDB/errno code. Codes used by this library:
///   MDB_MAP_FULL        the map is too small: raise persist.map_size_mb and run again.
///                       The failed batch was rolled back; earlier batches are intact.
///   MDB_INVALID         the directory holds a data.mdb that is not an LMDB environment.
///   MDB_VERSION_MISMATCH  the environment was written by an incompatible LMDB.
///   MDB_INCOMPATIBLE    the database was written by a tickpipe with a different row
///                       layout (meta "schema"), or a row has the wrong size.
///   MDB_NOTFOUND        (read-only open) a table is missing: not a tickpipe database.
///   MDB_KEYEXIST        (write_batch) a journal key already holds a different record.
///   MDB_READERS_FULL    too many concurrent readers (126): close other inspect runs.
///   MDB_TXN_FULL        one batch dirtied too many pages: lower persist.batch_records.
///   MDB_CORRUPTED, MDB_PAGE_NOTFOUND, MDB_PANIC  the file is damaged (or a fatal I/O
///                       error happened): stop, restore or delete the database.
///   ENOENT              (read-only open) the directory or its data.mdb does not exist.
///   ENOTDIR, EEXIST     the path exists and is not a directory.
///   EACCES, EPERM, EROFS  no permission, or a write on a store opened read-only.
///   EINVAL              a bad argument (map size <= 0, an empty directory name).
///   ENOSPC, EIO         the disk is full or failing.
class StorageError : public std::runtime_error {
 public:
  /// what() = op + ": " + mdb_strerror(code) + " - " + the advice for `code` (if any).
  StorageError(const std::string& op, int code);
  /// Same with caller-specific advice instead of the generic one.
  StorageError(const std::string& op, int code, const std::string& advice);
  int code() const noexcept { return code_; }

 private:
  int code_;
};

/// An order's current state (orders table). Zero-initialized before being filled, so
/// the stored bytes are deterministic.
struct OrderRow {
  uint32_t run_id;
  uint32_t pad_;
  ClientOrderId client_id;
  VenueOrderId venue_id;
  PositionId position;
  TimeNs sent_time;        ///< event time of the origin event (0: known only from reports)
  TimeNs update_time;      ///< event time of the last report (or of the send)
  Price limit;
  Price avg_px_x100;
  Qty qty;
  Qty cum_qty;
  Qty leaves_qty;
  OrderState state;
  Side side;
  Tif tif;
  OpenClose open_close;
  OrderPurpose purpose;    ///< 0 ("none") while only reports are known
  uint8_t chase_n;
  RejectReason reason;
  uint8_t flags;
};

struct FillRow {
  uint32_t run_id;
  uint32_t fill_no;
  ClientOrderId client_id;
  VenueOrderId venue_id;
  TimeNs time;
  Price px;
  Qty qty;
  Qty cum_qty;
  Side side;
  OpenClose open_close;
  uint8_t flags;
  uint8_t pad_;
};

struct PositionRow {
  uint32_t run_id;
  uint32_t pad_;
  TimeNs update_time;
  JrPosition pos;
};

struct GroupRow {
  uint32_t run_id;
  uint32_t pad_;
  JrGroup group;
};

static_assert(std::is_trivially_copyable_v<OrderRow> && std::is_trivially_copyable_v<FillRow> &&
              std::is_trivially_copyable_v<PositionRow> && std::is_trivially_copyable_v<GroupRow>);

enum class Table : uint8_t { Journal, Orders, Fills, Positions, Groups, Meta };
/// "journal", "orders", "fills", "positions", "groups", "meta"; false if unknown.
bool parse_table(std::string_view s, Table& out) noexcept;
const char* to_string(Table t) noexcept;

/// When a commit reaches the disk. Storage's own policy; the engine's configuration
/// ([persist] sync) is mapped to it by the caller (tools/src/replay.cpp).
enum class Durability : uint8_t {
  NoSync = 0,   ///< MDB_NOSYNC: the OS writes back when it likes (replay: a crash may lose the tail)
  Durable = 1,  ///< fsync at every commit (the LMDB default; live trading)
};

struct StoreOptions {
  std::string dir;                          ///< created (with parents) if missing, unless read_only
  Durability sync = Durability::NoSync;     ///< Durable: fsync at every commit (MDB default)
  int64_t map_size_mb = 1024;               ///< LMDB map size (the most the file may grow to)
  int64_t map_size_bytes = 0;               ///< > 0: overrides map_size_mb (tests, tiny maps)
  bool read_only = false;                   ///< MDB_RDONLY: for inspect; never creates anything
};

class Store {
 public:
  /// Opens or creates the directory, the environment (MDB_NOTLS, MDB_NOSYNC under
  /// Durability::NoSync, 8 named databases) and all named databases; records or checks
  /// the meta "schema". Read-only: opens an existing environment with MDB_RDONLY and
  /// creates nothing.
  /// Errors (StorageError::code()):
  ///   EINVAL        dir is empty, or the map size is <= 0. Fix the options.
  ///   ENOENT        read-only and the directory or its data.mdb does not exist: check
  ///                 the path (a replay creates it).
  ///   ENOTDIR/EEXIST  the path (or a parent) is a file: pick another directory.
  ///   EACCES/EPERM/EROFS  the directory cannot be created or written: fix permissions
  ///                 or open read-only.
  ///   MDB_INVALID   data.mdb is not an LMDB file: wrong directory.
  ///   MDB_VERSION_MISMATCH  written by an incompatible LMDB version.
  ///   MDB_INCOMPATIBLE  written by a tickpipe with another row layout: use a new
  ///                 directory or the matching tickpipe.
  ///   MDB_NOTFOUND  read-only and a table is missing: not a tickpipe database.
  ///   MDB_MAP_FULL  a new database and the map cannot even hold the tables: raise it.
  ///   MDB_READERS_FULL  too many readers are open on this environment.
  explicit Store(const StoreOptions& opt);
  /// Closes the environment. Under NoSync, committed data stays in the OS page cache
  /// (safe from a process crash, not from a power loss); call sync() first when that
  /// matters. Precondition: no other thread is inside a call on this Store.
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Allocates the next run id (meta "next_run_id", 1 for a fresh database) and stores
  /// meta "run/<id>/description", in its own transaction that is fsynced even under
  /// NoSync (a crash never hands out the same run id twice). Writer thread only.
  /// Errors: EACCES (store opened read-only: open it read-write), MDB_MAP_FULL (raise
  /// the map size), MDB_INCOMPATIBLE (next_run_id is not a number or past 2^32-1: the
  /// meta table was edited or corrupted), ENOSPC/EIO (disk), MDB_PANIC/MDB_CORRUPTED.
  uint32_t begin_run(const std::string& description);

  /// For each trading day in the groups table, the highest group id used (ascending by
  /// day). A new run on one of these days allocates group ids above the floor (SPEC §4).
  /// Any thread. Errors: MDB_READERS_FULL (retry later), MDB_CORRUPTED/MDB_PANIC.
  GroupFloor group_floor() const;

  /// Writes a batch in ONE write transaction: every record into the journal and its
  /// effect into orders / fills / positions / groups / meta (see the top of this file).
  /// Journal puts use MDB_APPEND while keys are above the journal's last key (the
  /// common case), a checked insert otherwise. Idempotent: a record already journaled
  /// with identical bytes is skipped. An empty batch does nothing. Writer thread only.
  /// Blocks on fsync when the sync policy is Durable.
  /// Errors (the whole batch is rolled back, the Store stays usable, the caller keeps
  /// the records and may retry):
  ///   MDB_MAP_FULL  the map is full: raise persist.map_size_mb (or set_map_size() and
  ///                 retry the same batch).
  ///   MDB_KEYEXIST  a journal key already holds a *different* record: two producers
  ///                 stamped the same (run, seq, stage, sub), or the run id was reused
  ///                 (always take run ids from begin_run()). Retrying cannot succeed.
  ///   MDB_INCOMPATIBLE  an existing row has the wrong size (foreign database).
  ///   MDB_TXN_FULL  the batch dirtied too many pages: lower persist.batch_records.
  ///   EACCES        the store was opened read-only.
  ///   ENOSPC/EIO    disk full or failing (Durable: the fsync failed).
  ///   MDB_PANIC/MDB_CORRUPTED  fatal: stop writing, restore or delete the database.
  void write_batch(uint32_t run_id, std::span<const JournalRecord> records);

  /// The record as the journal stores it: padding and the unused tail of its payload
  /// zeroed (what get_journal returns for it). Any thread; never allocates.
  static JournalRecord canonical(const JournalRecord& r) noexcept;

  /// Stores a meta key/value (text) in its own transaction. Writer thread only.
  /// Errors: EINVAL (empty key or longer than 511 bytes), EACCES (read-only),
  /// MDB_MAP_FULL (raise the map size), ENOSPC/EIO, MDB_PANIC.
  void put_meta(const std::string& key, const std::string& value);
  /// Reads a meta value; false if absent. Any thread.
  /// Errors: EINVAL (empty or too long key), MDB_READERS_FULL, MDB_CORRUPTED.
  bool get_meta(const std::string& key, std::string& value) const;
  /// A meta counter (decimal text, e.g. "unknown_reports"); 0 if absent. Any thread.
  /// Errors: as get_meta, plus MDB_INCOMPATIBLE if the value is not a decimal number.
  uint64_t get_counter(const std::string& key) const;

  /// Point lookups of one row; false if absent. Any thread.
  /// Errors: MDB_INCOMPATIBLE (row of the wrong size), MDB_READERS_FULL, MDB_CORRUPTED.
  bool get_order(ClientOrderId id, OrderRow& out) const;
  bool get_fill(ClientOrderId id, uint32_t fill_no, FillRow& out) const;
  bool get_position(PositionId id, PositionRow& out) const;
  bool get_group(TradingDay day, uint32_t group_id, GroupRow& out) const;
  bool get_journal(uint32_t run_id, uint64_t seq, Stage stage, uint16_t sub,
                   JournalRecord& out) const;

  /// Visits journal records in key order (run, seq, stage, sub) with their run id;
  /// `run_id` != 0 visits only that run. All visits happen inside one read snapshot;
  /// `f` must not call write functions of this Store from the same thread. Exceptions
  /// from `f` propagate (the snapshot is released). Any thread. Errors: as get_order.
  void for_each_journal(uint32_t run_id,
                        const std::function<void(uint32_t run_id, const JournalRecord&)>& f) const;
  /// Visits rows in key order; `run_id` != 0 filters by row.run_id. Used to rebuild
  /// state at restart (SPEC §6) and by dump(). Same rules as for_each_journal.
  void for_each_order(uint32_t run_id, const std::function<void(const OrderRow&)>& f) const;
  void for_each_fill(uint32_t run_id, const std::function<void(const FillRow&)>& f) const;
  void for_each_position(uint32_t run_id, const std::function<void(const PositionRow&)>& f) const;
  void for_each_group(uint32_t run_id, const std::function<void(const GroupRow&)>& f) const;
  /// Visits every meta key/value in key order. Same rules as for_each_journal.
  void for_each_meta(const std::function<void(std::string_view key, std::string_view value)>& f) const;

  /// Number of entries in a table. Any thread. Errors: MDB_READERS_FULL, MDB_CORRUPTED.
  uint64_t count(Table t) const;

  /// Dumps a table as JSON lines (one object per entry, every field by name, enums as
  /// strings, prices as integer ticks in *_ticks fields, times as *_ns integers) or CSV
  /// (a header row, then one row per entry, the same fields; journal CSV has the union
  /// of all payload columns, empty where a record type has no such field). Output is
  /// deterministic: rows in key order, fixed field order, no wall-clock values.
  /// `run_id` != 0 restricts journal/orders/fills/positions/groups to that run (meta is
  /// always complete). Any thread.
  /// Errors: StorageError as for_each_journal; std::ios_base::failure only if `out` has
  /// exceptions enabled (otherwise check out.good() afterwards: a full disk shows there).
  void dump(Table t, bool csv, std::ostream& out, uint32_t run_id = 0) const;

  /// fsyncs the environment (used at the end of a NoSync run). Writer thread.
  /// Errors: EACCES/EINVAL (read-only store: nothing to sync), EIO/ENOSPC (the disk
  /// failed; the data may not be durable).
  void sync();

  /// Grows (or shrinks, down to the used size) the map to `bytes`, e.g. after
  /// MDB_MAP_FULL, so the same batch can be retried. Precondition: no transaction is
  /// open in this process (no concurrent dump/read on another thread).
  /// Errors: EINVAL (bytes <= 0, or a transaction is open), EACCES (read-only).
  void set_map_size(int64_t bytes);

  const std::string& dir() const noexcept { return dir_; }
  bool read_only() const noexcept { return read_only_; }

 private:
  struct Env;
  Env* env_;
  std::string dir_;
  bool read_only_ = false;
};

}  // namespace tp::storage
