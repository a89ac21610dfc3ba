# Strategy (SPEC §4): opening range, entries, chase, per-lot exits, journal, counters.
tp_add_test(strategy_test strategy_test.cpp LABELS unit strategy LIBS tp::engine)
# The strategy's rules as pure functions (strategy/*.hpp), table-driven.
tp_add_test(strategy_rules_test strategy_rules_test.cpp LABELS unit strategy LIBS tp::engine)
