# Replay throughput (SPEC §8, issue #3 §3): ticks/s of the real TAIFEX day for JSON lines
# and the binary tick format, full pipeline vs merely reading and parsing the same file.
# Reads ../shared/data (TP_SHARED_DIR); converts the day to /tmp once in setup.
add_executable(replay_bench ${CMAKE_CURRENT_LIST_DIR}/replay_bench.cpp)
target_link_libraries(replay_bench PRIVATE tp::app benchmark::benchmark tp_warnings tp_options)
target_compile_definitions(replay_bench PRIVATE TP_SHARED_DIR="${TP_SHARED_DIR}")
