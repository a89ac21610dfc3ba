# tickpipe sweep: configuration overrides, the sweep file, sets equal to their replay,
# shards merging into the unsharded bytes (issue 11 items 2 and 4).
tp_add_test(sweep_test sweep_test.cpp LABELS integration sweep TIMEOUT 600 LIBS tp::app tp::storage)
# Sharded + merged == unsharded through GNU parallel and the Slurm array script.
if(TARGET tickpipe)
  add_test(NAME sweep_shards_test
           COMMAND ${CMAKE_COMMAND} -E env TICKPIPE=$<TARGET_FILE:tickpipe> SHARED=${TP_SHARED_DIR}
                   bash ${CMAKE_CURRENT_SOURCE_DIR}/sweep_shards_test.sh)
  set_tests_properties(sweep_shards_test PROPERTIES LABELS "integration;sweep" TIMEOUT 600)
endif()
