# Pipeline tick-to-order latency harness (not Google Benchmark: a latency harness with
# histograms, STYLE §10).
add_executable(pipeline_latency pipeline_latency.cpp)
target_link_libraries(pipeline_latency PRIVATE tp::engine tp::storage tp_warnings tp_options)
