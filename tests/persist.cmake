# Persistence under pressure and the hot path's allocation count (issue #3 §4, §5).
tp_add_test(persister_backpressure_test persister_backpressure_test.cpp LABELS integration storage pipeline LIBS tp::app)
tp_add_test(alloc_test alloc_test.cpp LABELS unit pipeline LIBS tp::app)
