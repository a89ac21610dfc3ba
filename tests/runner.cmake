# Agents, CompositeAgent, AgentRunner and the idle strategies
# (engine/include/tp/engine/agent.hpp, idle.hpp; engine/src/agent.cpp).
tp_add_test(runner_test runner_test.cpp LABELS unit runner LIBS tp::engine)
# Pinning errors: cpu_pin_problem, AgentRunner::pin_error, a replay refusing a missing CPU.
tp_add_test(cpu_pin_test cpu_pin_test.cpp LABELS unit runner LIBS tp::app)
