# FIX wire-to-wire latency over loopback TCP (bench/fix_wire_latency.cpp): bare TCP,
# tickpipe's FIX initiator, the whole engine (FixPipeline) and a QuickFIX initiator, in
# one run. The QuickFIX peer is its own C++14 static library (QuickFIX 1.15's headers do
# not compile as C++17/20) behind a plain header: nothing else includes QuickFIX.
pkg_check_modules(QUICKFIX_WIRE IMPORTED_TARGET quickfix)
if(QUICKFIX_WIRE_FOUND)
  add_library(tp_bench_qf_initiator STATIC ${CMAKE_CURRENT_SOURCE_DIR}/qf_peer/qf_initiator.cpp)
  set_target_properties(tp_bench_qf_initiator PROPERTIES CXX_STANDARD 14 CXX_STANDARD_REQUIRED ON CXX_EXTENSIONS OFF)
  target_include_directories(tp_bench_qf_initiator PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/qf_peer
                             PRIVATE ${CMAKE_SOURCE_DIR}/tools/venue/fix)  # the one FIX44 dictionary
  target_link_libraries(tp_bench_qf_initiator PRIVATE PkgConfig::QUICKFIX_WIRE tp_warnings tp_options Threads::Threads)
  # PkgConfig::QUICKFIX_WIRE is PRIVATE for its headers; the library itself must reach the link.
  target_link_libraries(tp_bench_qf_initiator INTERFACE ${QUICKFIX_WIRE_LINK_LIBRARIES})
  add_executable(fix_wire_latency fix_wire_latency.cpp)
  target_link_libraries(fix_wire_latency PRIVATE tp::fix tp::engine tp_bench_qf_initiator tp_warnings tp_options)
else()
  message(STATUS "quickfix not found: bench/fix_wire_latency not built")
endif()
