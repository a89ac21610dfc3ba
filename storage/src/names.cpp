#include <lmdb.h>

#include <cstring>

#include "tp/storage/store.hpp"

namespace tp::storage {

StorageError::StorageError(const std::string& op, int code)
    : std::runtime_error(op + ": " + mdb_strerror(code)), code_(code) {}

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
