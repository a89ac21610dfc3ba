# Ring benchmarks (SPEC §8, STYLE §10): tp::SpscRing against moodycamel::ReaderWriterQueue,
# boost::lockfree::spsc_queue and tp::MutexQueue (the seeds' mutex + condition variable),
# throughput (ring_bench, Google Benchmark) and round-trip latency (ring_latency).
# Peers come from Debian packages: libreaderwriterqueue-dev and libboost-dev (header-only).
find_path(TP_RWQ_INCLUDE_DIR readerwriterqueue/readerwriterqueue.h REQUIRED)
find_package(Boost REQUIRED)

add_library(tp_ring_bench_peers INTERFACE)
target_include_directories(tp_ring_bench_peers SYSTEM INTERFACE ${TP_RWQ_INCLUDE_DIR})
target_link_libraries(tp_ring_bench_peers INTERFACE Boost::headers tp::ring)

add_executable(ring_bench ${CMAKE_CURRENT_LIST_DIR}/ring_bench.cpp)
target_link_libraries(ring_bench PRIVATE tp_ring_bench_peers benchmark::benchmark tp_warnings tp_options)

add_executable(ring_latency ${CMAKE_CURRENT_LIST_DIR}/ring_latency.cpp)
target_include_directories(ring_latency PRIVATE ${CMAKE_SOURCE_DIR}/engine/include)  # latency_histogram.hpp (header-only)
target_link_libraries(ring_latency PRIVATE tp_ring_bench_peers tp_warnings tp_options)

# CI regression check: in one short run, SpscRing's throughput must not fall below the
# mutex queue's (a ratio within the run, never an absolute time). Runs alone (RUN_SERIAL)
# because it needs both cores.
if(TP_BUILD_TESTS AND NOT TP_SANITIZE)
  find_package(Python3 COMPONENTS Interpreter)
  if(Python3_Interpreter_FOUND)
    add_test(NAME ring_bench_ratio
             COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_LIST_DIR}/check_ring_ratio.py --bench $<TARGET_FILE:ring_bench>)
    set_tests_properties(ring_bench_ratio PROPERTIES LABELS "perf;ring" RUN_SERIAL TRUE TIMEOUT 120)
  endif()
endif()
