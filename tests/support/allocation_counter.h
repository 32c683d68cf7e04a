// Counts the heap allocations of a whole test program: replaces the global operator new and
// delete. Include it in one file of a program of its own (a second definition will not link).
#pragma once

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>

namespace fixgate::testing {
// Allocations are counted while `counting` is true (atomics: any thread may allocate).
inline std::atomic<bool> g_counting{false};
inline std::atomic<uint64_t> g_allocations{0};
}  // namespace fixgate::testing

// g++ sees free() of what new returned; here both are the replacements below, which is fine.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"

void* operator new(std::size_t n) {
  if (fixgate::testing::g_counting.load(std::memory_order_relaxed))
    fixgate::testing::g_allocations.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(n ? n : 1)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
