# End to end on loopback: `tickpipe venue` (QuickFIX acceptor) + `tickpipe live` (our FIX
# initiator) on a slice of the real day; both books and parity with replay (live_test.cpp).
if(TARGET tickpipe)
  find_package(nlohmann_json REQUIRED)
  tp_add_test(live_test live_test.cpp LABELS integration live TIMEOUT 600 LIBS tp::storage nlohmann_json::nlohmann_json)
  target_compile_definitions(live_test PRIVATE TP_TICKPIPE_BIN="$<TARGET_FILE:tickpipe>")
  add_dependencies(live_test tickpipe)
endif()
# The fault campaign (issue #10 item 7): kill -9, restarts and venue faults, engine vs venue.
if(TARGET tickpipe)
  tp_add_test(fault_campaign_test fault_campaign_test.cpp LABELS integration live slow TIMEOUT 1200 LIBS tp::storage nlohmann_json::nlohmann_json)
  target_compile_definitions(fault_campaign_test PRIVATE TP_TICKPIPE_BIN="$<TARGET_FILE:tickpipe>")
  add_dependencies(fault_campaign_test tickpipe)
endif()
# Reconciliation, one test per case (SPEC §6): the QuickFIX test client leaves orders and
# positions at the venue, or the engine is killed while the venue holds a report back.
if(TARGET tickpipe AND TARGET tp_venue_fix_client)
  tp_add_test(reconcile_test reconcile_test.cpp LABELS integration live slow TIMEOUT 600
              LIBS tp::storage tp_venue_fix_client nlohmann_json::nlohmann_json)
  target_compile_definitions(reconcile_test PRIVATE TP_TICKPIPE_BIN="$<TARGET_FILE:tickpipe>")
  add_dependencies(reconcile_test tickpipe)
endif()
# Operator control (issue #10 item 6): tickpipe ctl against a running tickpipe live.
if(TARGET tickpipe)
  tp_add_test(ctl_test ctl_test.cpp LABELS integration live TIMEOUT 300 LIBS tp::storage nlohmann_json::nlohmann_json)
  target_compile_definitions(ctl_test PRIVATE TP_TICKPIPE_BIN="$<TARGET_FILE:tickpipe>")
  add_dependencies(ctl_test tickpipe)
endif()
