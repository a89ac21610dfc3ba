# The HTML report (tickpipe replay --html): its building blocks (a stub chart library, no
# browser), and the page of three real days drawn in headless Chromium (label browser;
# skipped only where chromium is not installed: scripts/setup.sh installs it).
tp_add_test(html_report_test html_report_test.cpp LABELS unit html LIBS tp::app)
if(TARGET tickpipe)
  add_test(NAME html_report_browser_test
           COMMAND ${CMAKE_COMMAND} -E env TICKPIPE=$<TARGET_FILE:tickpipe> SHARED=${TP_SHARED_DIR}
                   bash ${CMAKE_CURRENT_SOURCE_DIR}/html_report_test.sh)
  set_tests_properties(html_report_browser_test PROPERTIES LABELS "integration;browser;html" TIMEOUT 240)
endif()
