// Whether a test binary may replace the global operator new/delete to count
// allocations: not under ASan/TSan/MSan, which own the allocator. Defines
// TP_ALLOC_COUNTING to 0 or 1. Shared by alloc_test and fix_alloc_test.
#pragma once

#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define TP_ALLOC_COUNTING 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define TP_ALLOC_COUNTING 0
#endif
#endif
#ifndef TP_ALLOC_COUNTING
#define TP_ALLOC_COUNTING 1
#endif
