# Persistence under pressure and the hot path's allocation count (issue #3 §4, §5).
tp_add_test(persister_backpressure_test persister_backpressure_test.cpp LABELS integration storage pipeline LIBS tp::app)
tp_add_test(alloc_test alloc_test.cpp LABELS unit pipeline LIBS tp::app)
# Crash consistency (issue #10 item 1): kill -9 replay and live at seeded random moments;
# what LMDB holds must be a prefix of the run's journal and its effect.
if(TARGET tickpipe)
  find_package(nlohmann_json REQUIRED)
  tp_add_test(crash_consistency_test crash_consistency_test.cpp LABELS integration crash slow TIMEOUT 900 LIBS tp::storage nlohmann_json::nlohmann_json)
  target_compile_definitions(crash_consistency_test PRIVATE TP_TICKPIPE_BIN="$<TARGET_FILE:tickpipe>")
  add_dependencies(crash_consistency_test tickpipe)
endif()
