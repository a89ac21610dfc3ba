# Persister throughput (SPEC §8, issue #3 §4): journal records/s from the three journal
# rings into LMDB through tp::storage::Persister, batch sizes 1..4096, NoSync and Durable.
# Writes a temporary LMDB under /tmp per benchmark (removed afterwards).
add_executable(persister_bench ${CMAKE_CURRENT_LIST_DIR}/persister_bench.cpp)
target_link_libraries(persister_bench PRIVATE tp::storage benchmark::benchmark tp_warnings tp_options)
