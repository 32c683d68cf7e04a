// Byte helpers the encoder's inline fast paths share with the codec's parser: finding SOH,
// copying short values without a library call, writing a tag's digits. Not an API of its own:
// public only so that the encoder (and the message builder over it) can inline them, which lets
// a constant tag's digits be folded at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fixgate::codec::detail {

// First SOH in [p, end), or nullptr. Eight bytes per step: most FIX values are short, and an
// inline SWAR loop beats a call to memchr for them.
inline const char* find_soh(const char* p, const char* end) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    uint64_t x = w ^ kOnes;  // SOH bytes become zero
    uint64_t t = (x - kOnes) & ~x & kHighs;
    // The lowest flagged byte is always a true zero (false positives only sit above one).
    if (t) return p + (__builtin_ctzll(t) >> 3);
    p += 8;
  }
  for (; p < end; ++p)
    if (*p == '\x01') return p;
  return nullptr;
}

// Copies n bytes without a library call for the short values FIX is made of. Reads and writes
// stay within [src, src+n) and [dst, dst+n).
inline void copy_small(char* dst, const char* src, size_t n) {
  if (n >= 8) {
    if (n <= 16) {
      uint64_t a, b;
      std::memcpy(&a, src, 8);
      std::memcpy(&b, src + n - 8, 8);
      std::memcpy(dst, &a, 8);
      std::memcpy(dst + n - 8, &b, 8);
    } else if (n <= 32) {  // timestamps, order ids: still no call
      char a[16], b[16];
      std::memcpy(a, src, 16);
      std::memcpy(b, src + n - 16, 16);
      std::memcpy(dst, a, 16);
      std::memcpy(dst + n - 16, b, 16);
    } else {
      std::memcpy(dst, src, n);
    }
  } else if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
  } else {
    for (size_t i = 0; i < n; ++i) dst[i] = src[i];
  }
}

// Writes the decimal digits of v (< 10^9, e.g. a tag) and returns how many.
inline size_t put_small_uint(char* out, uint32_t v) {
  if (v < 10) {
    out[0] = static_cast<char>('0' + v);
    return 1;
  }
  if (v < 100) {
    out[0] = static_cast<char>('0' + v / 10);
    out[1] = static_cast<char>('0' + v % 10);
    return 2;
  }
  if (v < 1000) {
    out[0] = static_cast<char>('0' + v / 100);
    out[1] = static_cast<char>('0' + v / 10 % 10);
    out[2] = static_cast<char>('0' + v % 10);
    return 3;
  }
  if (v < 10000) {
    out[0] = static_cast<char>('0' + v / 1000);
    out[1] = static_cast<char>('0' + v / 100 % 10);
    out[2] = static_cast<char>('0' + v / 10 % 10);
    out[3] = static_cast<char>('0' + v % 10);
    return 4;
  }
  char tmp[10];
  size_t n = 0;
  while (v) {
    tmp[n++] = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  for (size_t i = 0; i < n; ++i) out[i] = tmp[n - 1 - i];
  return n;
}

}  // namespace fixgate::codec::detail
