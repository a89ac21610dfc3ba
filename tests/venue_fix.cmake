# `tickpipe venue` end to end (docs/FIX.md): the built binary on a slice of the real day,
# driven by the QuickFIX test initiator of the C++14 island (tp_venue_fix_client).
# Label slow: most of its 26 s is wall-clock pacing and lockstep timeouts, so the
# sanitizer builds leave it to the Release run (the live suite covers the venue under
# ASan and TSan).
if(TARGET tickpipe AND TARGET tp_venue_fix_client)
  find_package(nlohmann_json REQUIRED)
  tp_add_test(venue_fix_test venue_fix_test.cpp LABELS integration venue slow TIMEOUT 300
              LIBS tp::engine tp_venue_fix_client nlohmann_json::nlohmann_json)
  target_compile_definitions(venue_fix_test PRIVATE TP_TICKPIPE="$<TARGET_FILE:tickpipe>")
  add_dependencies(venue_fix_test tickpipe)
  # tp::venue::format_transact_time: the TransactTime text the venue writes.
  target_link_libraries(venue_fix_test PRIVATE tp::venue)
endif()
