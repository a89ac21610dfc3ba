// tp::storage::Store - the LMDB layout of SPEC §5.
//
// One LMDB environment (a directory) with named databases:
//   journal    key: run_id(u32 BE) seq(u64 BE) stage(u8) sub(u16 BE) pad(u8) = 16 bytes
//              value: the JournalRecord (128 bytes). Append-only; keys are monotonic in
//              event order and independent of thread timing (see tp/engine/journal.hpp).
//   orders     key: client order id (u64 BE)        value: OrderRow
//   fills      key: client order id (u64 BE) fill_no (u32 BE)   value: FillRow
//   positions  key: position id (u64 BE)            value: PositionRow (lot + risk state)
//   groups     key: trading day (u32 BE) group id (u16 BE)      value: GroupRow
//   meta       key: ASCII name                      value: little-endian u64 or text
// All multi-byte key fields are big-endian so LMDB's memcmp order is numeric order.
//
// Threads: a Store may be written by one thread at a time (the persister's); read-only
// calls (dump, group_floor, counts) may run on any thread when no write transaction of
// the same thread is open (LMDB MDB_NOTLS is set).
// Allocation/blocking: every call is cold path; writes block on disk per the sync policy.
#pragma once

#include <cstdint>
#include <ostream>
#include <span>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "tp/engine/config.hpp"
#include "tp/engine/journal.hpp"

namespace tp::storage {

/// An LMDB failure. what() names the operation and LMDB's message; code() is the
/// LMDB/errno code (e.g. MDB_MAP_FULL: the map is too small, raise persist.map_size_mb;
/// EACCES: the directory is not writable; MDB_INVALID: not an LMDB environment).
class StorageError : public std::runtime_error {
 public:
  StorageError(const std::string& op, int code);
  int code() const noexcept { return code_; }

 private:
  int code_;
};

struct OrderRow {
  uint32_t run_id;
  uint32_t pad_;
  ClientOrderId client_id;
  VenueOrderId venue_id;
  PositionId position;
  TimeNs sent_time;        ///< event time of the origin event
  TimeNs update_time;      ///< event time of the last report
  Price limit;
  Price avg_px_x100;
  Qty qty;
  Qty cum_qty;
  Qty leaves_qty;
  OrderState state;
  Side side;
  Tif tif;
  OpenClose open_close;
  OrderPurpose purpose;
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

enum class Table : uint8_t { Journal, Orders, Fills, Positions, Groups, Meta };
/// "journal", "orders", "fills", "positions", "groups", "meta"; false if unknown.
bool parse_table(std::string_view s, Table& out) noexcept;
const char* to_string(Table t) noexcept;

struct StoreOptions {
  std::string dir;                          ///< created if missing
  SyncPolicy sync = SyncPolicy::NoSync;     ///< Durable: fsync at every commit (MDB default)
  int64_t map_size_mb = 1024;
  bool read_only = false;
};

class Store {
 public:
  /// Opens or creates the environment and all named databases.
  /// Throws StorageError (e.g. EACCES, MDB_INVALID, MDB_VERSION_MISMATCH) or
  /// std::runtime_error if the directory cannot be created.
  explicit Store(const StoreOptions& opt);
  ~Store();
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  /// Allocates the next run id (meta "next_run_id", starting at 1) in its own durable
  /// transaction and records "run/<id>/..." metadata. Throws StorageError.
  uint32_t begin_run(const std::string& description);

  /// For each trading day in the groups table, the highest group id used (ascending by
  /// day). Throws StorageError.
  std::vector<std::pair<TradingDay, uint16_t>> group_floor() const;

  /// Writes a batch in ONE write transaction: every record into the journal and its
  /// effect into orders / fills / positions / groups. Idempotent per key (a record
  /// written twice leaves the same state). Throws StorageError (MDB_MAP_FULL: map too
  /// small). Blocks on fsync when the sync policy is Durable.
  void write_batch(uint32_t run_id, std::span<const JournalRecord> records);

  /// Stores a meta key/value (text) in its own transaction.
  void put_meta(const std::string& key, const std::string& value);
  /// Reads a meta value; false if absent.
  bool get_meta(const std::string& key, std::string& value) const;

  /// Number of entries in a table.
  uint64_t count(Table t) const;

  /// Dumps a table as JSON lines (one object per entry) or CSV (header + rows).
  /// `run_id` != 0 restricts journal/orders/fills/positions/groups to that run.
  void dump(Table t, bool csv, std::ostream& out, uint32_t run_id = 0) const;

  /// fsyncs the environment (used at the end of a NoSync run).
  void sync();

  const std::string& dir() const noexcept { return dir_; }

 private:
  struct Env;
  Env* env_;
  std::string dir_;
};

}  // namespace tp::storage
