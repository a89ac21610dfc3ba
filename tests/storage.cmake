# tp::storage: the LMDB store (storage/src/store.cpp), the inspect dumper (dump.cpp) and
# the persister agent (persister.cpp). simdjson parses the JSON-lines dumps back.
tp_add_test(storage_test
  storage_store_test.cpp storage_dump_test.cpp storage_persister_test.cpp
  LABELS unit storage LIBS tp::storage simdjson::simdjson)
