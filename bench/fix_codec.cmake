# FIX codec benchmark (engine/fix, docs/FIX.md): tp::fix against QuickFIX (Debian
# libquickfix-dev, pkg-config quickfix). QuickFIX's headers do not compile as C++17/20,
# so its side is a C++14 static library behind fix_qf_codec.hpp (no QuickFIX types);
# nothing else includes a QuickFIX header.
pkg_check_modules(QUICKFIX IMPORTED_TARGET quickfix)
if(QUICKFIX_FOUND)
  add_library(tp_fix_qf_peer STATIC ${CMAKE_CURRENT_LIST_DIR}/fix_qf_codec.cpp)
  set_target_properties(tp_fix_qf_peer PROPERTIES CXX_STANDARD 14 CXX_EXTENSIONS OFF)
  target_link_libraries(tp_fix_qf_peer PRIVATE PkgConfig::QUICKFIX tp_options)

  add_executable(fix_codec_bench ${CMAKE_CURRENT_LIST_DIR}/fix_codec_bench.cpp)
  target_link_libraries(fix_codec_bench PRIVATE tp::fix tp_fix_qf_peer benchmark::benchmark tp_warnings tp_options)
else()
  message(STATUS "quickfix not found (libquickfix-dev): fix_codec_bench not built")
endif()
