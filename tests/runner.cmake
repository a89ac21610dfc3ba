# Agents, CompositeAgent, AgentRunner and the idle strategies
# (engine/include/tp/engine/agent.hpp, idle.hpp; engine/src/agent.cpp).
tp_add_test(runner_test runner_test.cpp LABELS unit runner LIBS tp::engine)
