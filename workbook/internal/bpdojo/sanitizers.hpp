#pragma once

// BPDOJO_ASAN is defined where this translation unit is built with AddressSanitizer: GCC defines
// __SANITIZE_ADDRESS__, clang answers __has_feature(address_sanitizer) instead (the asan and
// clang-asan presets). What changes there: the runners' time limits, the memory cap (the watch of
// the resident size: ASan's shadow reserves terabytes of address space), and no runner traces
// (AddressSanitizer owns the fatal signals).
#if defined(__SANITIZE_ADDRESS__)
#define BPDOJO_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define BPDOJO_ASAN 1
#endif
#endif
