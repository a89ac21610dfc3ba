# Configuration loader (engine/src/config_load.cpp) and the example files in config/.
tp_add_test(config_test config_test.cpp LABELS unit config LIBS tp::engine)
target_compile_definitions(config_test PRIVATE TP_CONFIG_DIR="${CMAKE_SOURCE_DIR}/config")
