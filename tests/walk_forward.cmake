# Out-of-sample checks of a sweep (docs/TUNING.md): walk-forward and the CSCV probability
# of backtest overfitting over a per-day net PnL matrix; pure functions, no data files.
tp_add_test(walk_forward_test walk_forward_test.cpp LABELS unit sweep LIBS tp::app)
