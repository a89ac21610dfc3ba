# The simulated venue's fill models (docs/DESIGN.md "Fill models") on the real day
# 2024-11-19: book, trade_through and slippage replayed and checked against the input.
tp_add_test(fill_model_test fill_model_test.cpp LABELS integration pipeline TIMEOUT 600 LIBS tp::app)
