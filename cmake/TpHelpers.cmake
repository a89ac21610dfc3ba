# Build hygiene shared by every target (STYLE §12): warnings live on an internal
# interface target instead of being set globally, sanitizers are one switch.
add_library(tp_warnings INTERFACE)
target_compile_options(tp_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Woverloaded-virtual
  -Wdouble-promotion -Wformat=2 -Wimplicit-fallthrough)

add_library(tp_options INTERFACE)
if(TP_SANITIZE STREQUAL "address")
  target_compile_options(tp_options INTERFACE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  target_link_options(tp_options INTERFACE -fsanitize=address,undefined)
elseif(TP_SANITIZE STREQUAL "thread")
  target_compile_options(tp_options INTERFACE -fsanitize=thread -fno-omit-frame-pointer)
  target_link_options(tp_options INTERFACE -fsanitize=thread)
elseif(NOT TP_SANITIZE STREQUAL "")
  message(FATAL_ERROR "TP_SANITIZE must be '', 'address' or 'thread' (got '${TP_SANITIZE}')")
endif()
if(TP_BUILD_FUZZ)
  # Coverage for libFuzzer in every library; the fuzz targets link -fsanitize=fuzzer.
  target_compile_options(tp_options INTERFACE -fsanitize=fuzzer-no-link)
endif()

# tp_add_test(<name> <source>... LABELS <label>... LIBS <target>...)
# One registration path for every GoogleTest binary so that `ctest -L ring` works.
function(tp_add_test name)
  cmake_parse_arguments(T "" "TIMEOUT" "LABELS;LIBS" ${ARGN})
  add_executable(${name} ${T_UNPARSED_ARGUMENTS})
  target_link_libraries(${name} PRIVATE ${T_LIBS} GTest::gtest GTest::gtest_main tp_warnings tp_options)
  target_compile_definitions(${name} PRIVATE TP_SHARED_DIR="${TP_SHARED_DIR}")
  add_test(NAME ${name} COMMAND ${name})
  if(NOT T_TIMEOUT)
    set(T_TIMEOUT 300)
  endif()
  set_tests_properties(${name} PROPERTIES LABELS "${T_LABELS}" TIMEOUT ${T_TIMEOUT})
endfunction()
