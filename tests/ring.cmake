# tp::SpscRing (ring/include/tp/ring/spsc_ring.hpp).
# The blocking push/pop tests use tp::IdleStrategy, which is header-only
# (engine/include/tp/engine/idle.hpp): the include path is enough, so the ring tests do
# not depend on (or wait for) the tp_engine library build.
tp_add_test(ring_test ring_test.cpp LABELS unit ring LIBS tp::ring)
target_include_directories(ring_test PRIVATE ${CMAKE_SOURCE_DIR}/engine/include)
