# tp::fix, the FIX 4.4 initiator (engine/fix, docs/FIX.md): codec, session against a
# scripted loopback counterparty (tests/fix_test_peer.hpp), zero allocation on the hot
# path (own executable: it replaces the global operator new).
tp_add_test(fix_codec_test fix_codec_test.cpp LABELS unit fix LIBS tp::fix TIMEOUT 60)
tp_add_test(fix_session_test fix_session_test.cpp LABELS unit fix LIBS tp::fix TIMEOUT 60)
tp_add_test(fix_alloc_test fix_alloc_test.cpp LABELS unit fix LIBS tp::fix TIMEOUT 60)
