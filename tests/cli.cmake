# The tickpipe command line end to end: replay with JSON report, inspect, convert,
# and the exit status of bad input.
if(TARGET tickpipe)
  add_test(NAME cli_test
           COMMAND ${CMAKE_COMMAND} -E env TICKPIPE=$<TARGET_FILE:tickpipe> SHARED=${TP_SHARED_DIR}
                   bash ${CMAKE_CURRENT_SOURCE_DIR}/cli_test.sh)
  set_tests_properties(cli_test PROPERTIES LABELS "integration;cli" TIMEOUT 300)
endif()
