# The binary tick format (engine/src/input/binary.cpp): writer, mapped reader, every
# validation error, and a replay of the converted TAIFEX day (../shared/data).
tp_add_test(input_binary_test input_binary_test.cpp LABELS unit input LIBS tp::app)
