// Byte helpers the encoder's inline fast paths share with the codec's parser: finding SOH,
// copying short values without a library call, writing a tag's and a number's digits. Not an
// API of its own:
// public only so that the encoder (and the message builder over it) can inline them, which lets
// a constant tag's digits be folded at compile time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

namespace fixgate::codec::detail {

// Nonzero when a byte of w is SOH: exactly then, false positives only sit above a true one.
inline uint64_t soh_bytes(uint64_t w) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  const uint64_t x = w ^ kOnes;  // SOH bytes become zero
  return (x - kOnes) & ~x & kHighs;
}
inline uint32_t soh_bytes(uint32_t w) {
  const uint32_t x = w ^ 0x01010101u;
  return (x - 0x01010101u) & ~x & 0x80808080u;
}

// First SOH in [p, end), or nullptr. Eight bytes per step: most FIX values are short, and an
// inline SWAR loop beats a call to memchr for them.
inline const char* find_soh(const char* p, const char* end) {
  while (end - p >= 8) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    // The lowest flagged byte is always a true SOH.
    if (const uint64_t t = soh_bytes(w)) return p + (__builtin_ctzll(t) >> 3);
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

// copy_small() that also tells whether the bytes hold SOH, from the words it has loaded anyway:
// checking a value costs no second pass over it.
inline bool copy_small_has_soh(char* dst, const char* src, size_t n) {
  if (n >= 8) {
    if (n <= 16) {
      uint64_t a, b;
      std::memcpy(&a, src, 8);
      std::memcpy(&b, src + n - 8, 8);
      std::memcpy(dst, &a, 8);
      std::memcpy(dst + n - 8, &b, 8);
      return (soh_bytes(a) | soh_bytes(b)) != 0;
    }
    if (n <= 32) {
      uint64_t a[2], b[2];
      std::memcpy(a, src, 16);
      std::memcpy(b, src + n - 16, 16);
      std::memcpy(dst, a, 16);
      std::memcpy(dst + n - 16, b, 16);
      return (soh_bytes(a[0]) | soh_bytes(a[1]) | soh_bytes(b[0]) | soh_bytes(b[1])) != 0;
    }
    std::memcpy(dst, src, n);
    return find_soh(src, src + n) != nullptr;
  }
  if (n >= 4) {
    uint32_t a, b;
    std::memcpy(&a, src, 4);
    std::memcpy(&b, src + n - 4, 4);
    std::memcpy(dst, &a, 4);
    std::memcpy(dst + n - 4, &b, 4);
    return (soh_bytes(a) | soh_bytes(b)) != 0;
  }
  bool soh = false;
  for (size_t i = 0; i < n; ++i) {
    dst[i] = src[i];
    soh |= src[i] == '\x01';
  }
  return soh;
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

// "00" "01" … "99": two digits per table read halve the divisions of a number's formatting.
inline constexpr char kDigitPairs[201] =
    "00010203040506070809101112131415161718192021222324252627282930313233343536373839"
    "40414243444546474849505152535455565758596061626364656667686970717273747576777879"
    "8081828384858687888990919293949596979899";

inline void put_pair(char* out, uint32_t v) {  // v < 100: exactly two digits
  std::memcpy(out, kDigitPairs + 2 * v, 2);
}

// The number of decimal digits of v (1 for 0): from its bit width, then one comparison.
inline size_t digit_count(uint64_t v) {
  static constexpr uint64_t kPow10[20] = {1ULL,
                                          10ULL,
                                          100ULL,
                                          1'000ULL,
                                          10'000ULL,
                                          100'000ULL,
                                          1'000'000ULL,
                                          10'000'000ULL,
                                          100'000'000ULL,
                                          1'000'000'000ULL,
                                          10'000'000'000ULL,
                                          100'000'000'000ULL,
                                          1'000'000'000'000ULL,
                                          10'000'000'000'000ULL,
                                          100'000'000'000'000ULL,
                                          1'000'000'000'000'000ULL,
                                          10'000'000'000'000'000ULL,
                                          100'000'000'000'000'000ULL,
                                          1'000'000'000'000'000'000ULL,
                                          10'000'000'000'000'000'000ULL};
  // v | 1 has v's digit count (a power of ten is even) and makes 0 count as one digit.
  v |= 1;
  // 1233 / 4096 is just above log10(2): t is floor(log10(v)) or one more.
  const unsigned t = static_cast<unsigned>(64 - __builtin_clzll(v)) * 1233 >> 12;
  return t + 1 - (v < kPow10[t]);
}

// Writes the n lowest decimal digits of v, leading zeros included, ending at end (backwards, two
// at a time); returns what is left of v. UInt is uint32_t where v fits: cheaper divisions.
template <typename UInt>
inline UInt put_digits_backwards(char* end, UInt v, size_t n) {
  for (; n >= 2; n -= 2) {
    end -= 2;
    put_pair(end, static_cast<uint32_t>(v % 100));
    v /= 100;
  }
  if (n != 0) {
    *--end = static_cast<char>('0' + v % 10);
    v /= 10;
  }
  return v;
}

// Writes v in decimal (at most 20 bytes) and returns how many bytes: the length first, then the
// digits straight into place, no scratch buffer and no copy.
inline size_t put_uint(char* out, uint64_t v) {
  const size_t n = digit_count(v);
  if (v <= UINT32_MAX)
    put_digits_backwards(out + n, static_cast<uint32_t>(v), n);
  else
    put_digits_backwards(out + n, v, n);
  return n;
}

inline size_t put_int(char* out, int64_t v) {  // at most 20 bytes
  if (v >= 0) return put_uint(out, static_cast<uint64_t>(v));
  out[0] = '-';
  return 1 + put_uint(out + 1, 0 - static_cast<uint64_t>(v));  // INT64_MIN included
}

}  // namespace fixgate::codec::detail
