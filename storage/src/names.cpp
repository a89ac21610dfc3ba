// StorageError (messages with advice, like lmdb.h's error lists) and Table names.
#include <lmdb.h>

#include <cerrno>
#include <cstring>

#include "tp/storage/store.hpp"

namespace tp::storage {

namespace {

/// What to do about an error code (empty when there is nothing specific to say).
const char* advice_for(int code) noexcept {
  switch (code) {
    case MDB_MAP_FULL:
      return "the LMDB map is full: raise persist.map_size_mb (StoreOptions::map_size_mb) "
             "and run again; batches committed before this one are intact";
    case MDB_INVALID:
      return "data.mdb is not an LMDB environment: point at a tickpipe database directory";
    case MDB_VERSION_MISMATCH:
      return "the environment was written by an incompatible LMDB version";
    case MDB_INCOMPATIBLE:
      return "the database was written with a different row layout: use a new directory "
             "or the tickpipe version that wrote it";
    case MDB_NOTFOUND:
      return "a table is missing: the directory is not a tickpipe database";
    case MDB_KEYEXIST:
      return "a journal key already holds a different record: two producers stamped the "
             "same key or a run id was reused (take run ids from begin_run)";
    case MDB_READERS_FULL:
      return "too many readers on this environment: close other inspect processes";
    case MDB_TXN_FULL:
      return "one batch dirtied too many pages: lower persist.batch_records";
    case MDB_MAP_RESIZED:
      return "another process grew the map: reopen the store";
    case MDB_CORRUPTED:
    case MDB_PAGE_NOTFOUND:
    case MDB_PANIC:
      return "the database is damaged or a fatal I/O error happened: stop writing, "
             "restore it from a backup or delete it";
    case ENOENT:
      return "the directory or its data.mdb does not exist: check the path (a replay "
             "creates it; read-only opens never create anything)";
    case ENOTDIR:
    case EEXIST:
      return "the path exists and is not a directory: pick another database directory";
    case EACCES:
    case EPERM:
    case EROFS:
      return "permission denied or the store is read-only: fix the directory's permissions "
             "or open the store read-write";
    case ENOSPC:
      return "the disk is full: free space and run again";
    case EIO:
      return "an I/O error: check the disk";
    default:
      return "";
  }
}

std::string make_message(const std::string& op, int code, const char* advice) {
  std::string m = op;
  m += ": ";
  m += mdb_strerror(code);  // LMDB's messages for MDB_* codes, strerror() for errno values
  if (advice != nullptr && *advice != '\0') {
    m += " - ";
    m += advice;
  }
  return m;
}

}  // namespace

StorageError::StorageError(const std::string& op, int code)
    : std::runtime_error(make_message(op, code, advice_for(code))), code_(code) {}

StorageError::StorageError(const std::string& op, int code, const std::string& advice)
    : std::runtime_error(make_message(op, code, advice.c_str())), code_(code) {}

bool parse_table(std::string_view s, Table& out) noexcept {
  if (s == "journal") out = Table::Journal;
  else if (s == "orders") out = Table::Orders;
  else if (s == "fills") out = Table::Fills;
  else if (s == "positions") out = Table::Positions;
  else if (s == "groups") out = Table::Groups;
  else if (s == "meta") out = Table::Meta;
  else return false;
  return true;
}

const char* to_string(Table t) noexcept {
  switch (t) {
    case Table::Journal: return "journal";
    case Table::Orders: return "orders";
    case Table::Fills: return "fills";
    case Table::Positions: return "positions";
    case Table::Groups: return "groups";
    case Table::Meta: return "meta";
  }
  return "?";
}

}  // namespace tp::storage
