# Configuration loader (engine/src/config/load.cpp) and the example files in config/.
tp_add_test(config_test config_test.cpp LABELS unit config LIBS tp::engine)
target_compile_definitions(config_test PRIVATE TP_CONFIG_DIR="${CMAKE_SOURCE_DIR}/config")
# The limits that keep the engine's arithmetic in range (durations, sizes, multipliers),
# --config on a directory, escaping of echoed values.
tp_add_test(config_limits_test config_limits_test.cpp LABELS unit config LIBS tp::engine)
