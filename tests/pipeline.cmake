tp_add_test(venue_test venue_test.cpp LABELS unit venue LIBS tp::engine)
tp_add_test(tracker_test tracker_test.cpp LABELS unit tracker LIBS tp::engine)
tp_add_test(histogram_test histogram_test.cpp LABELS unit LIBS tp::engine)
tp_add_test(replay_test replay_test.cpp LABELS integration pipeline TIMEOUT 900 LIBS tp::app)
# The risk stage's pre-trade checks (SPEC §6), each driven through the stage's submit().
tp_add_test(risk_test risk_test.cpp LABELS unit risk LIBS tp::engine)
# The one PipelineT with the injected-quote feed: every layout and the mutex baseline.
tp_add_test(pipeline_test pipeline_test.cpp LABELS unit pipeline LIBS tp::engine)
# Multi-day replay: the TAIFEX roll rule, several files as one run, the figures across
# days, directories/globs and converted directories.
if(TARGET tickpipe)
  tp_add_test(multi_day_test multi_day_test.cpp LABELS integration pipeline TIMEOUT 600 LIBS tp::app tp::storage)
  target_compile_definitions(multi_day_test PRIVATE TP_TICKPIPE_BIN="$<TARGET_FILE:tickpipe>")
  add_dependencies(multi_day_test tickpipe)
endif()
