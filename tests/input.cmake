# Input readers (engine/src/input_*.cpp): TAIFEX daily CSV, Capital 1-minute bars,
# normalized JSON lines, format detection, the tick rule and the JSON-lines writer.
# The real-data suites read ../shared/data (TP_SHARED_DIR).
tp_add_test(input_common_test input_common_test.cpp LABELS unit input LIBS tp::engine)
tp_add_test(input_taifex_test input_taifex_test.cpp LABELS unit input LIBS tp::engine)
tp_add_test(input_bars_test input_bars_test.cpp LABELS unit input LIBS tp::engine)
tp_add_test(input_jsonl_test input_jsonl_test.cpp LABELS unit input LIBS tp::engine)
# What every reader refuses (docs/FORMATS.md "Validation"): price bounds and the daily
# price band, quantity and time bounds, duplicate JSON keys, time order, escaping.
tp_add_test(input_validation_test input_validation_test.cpp LABELS unit input LIBS tp::engine)
# Days at the bounds of accepted input replayed through the whole pipeline (UBSan finds
# any overflow in the tracker's, strategy's or report's arithmetic).
tp_add_test(input_bounds_test input_bounds_test.cpp LABELS unit input LIBS tp::app)
