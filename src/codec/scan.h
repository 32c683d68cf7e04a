// Internal byte-scanning helpers for the codec's hot loops (not a public header).
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "fixgate/codec/detail/bytes.h"

namespace fixgate::codec::detail {

// Bit i is set when p[i] is SOH, for the 64 bytes at p.
inline uint64_t soh_bits64(const char* p) {
#if defined(__SSE2__)
  const __m128i soh = _mm_set1_epi8('\x01');
  auto bits16 = [&](int i) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i));
    return static_cast<uint64_t>(static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, soh))));
  };
  return bits16(0) | bits16(1) << 16 | bits16(2) << 32 | bits16(3) << 48;
#else
  uint64_t bits = 0;
  for (int i = 0; i < 64; ++i) bits |= uint64_t{p[i] == '\x01'} << i;
  return bits;
#endif
}

// The SOH bits of the (up to) 64 bytes of [base + block, base + n); block < n.
inline uint64_t soh_bits(const char* base, size_t n, size_t block) {
  if (n - block >= 64) return soh_bits64(base + block);
  // The last, partial block: the last 64 bytes of the buffer, shifted down to start at `block`
  // (the zero bits shifted in stand for the bytes past the end). No copy unless n < 64.
  if (n >= 64) return soh_bits64(base + n - 64) >> (block + 64 - n);
  char tail[64] = {};  // zero bytes are not SOH
  std::memcpy(tail, base + block, n - block);
  return soh_bits64(tail);
}

// Parses "digits=" at p when at least 8 bytes are readable: returns the tag and sets `len` to
// the number of digits (the '=' is at p[len]). Returns 0 when the fast path does not apply
// (tag longer than 7 digits, non-digits, leading zero, no '='): the caller takes the slow path.
// One branch: FIX tags vary in length field to field, which a byte loop mispredicts on almost
// every field.
inline uint32_t parse_tag8(const char* p, size_t& len) {
  constexpr uint64_t kOnes = 0x0101010101010101ULL;
  constexpr uint64_t kHighs = 0x8080808080808080ULL;
  uint64_t w;
  std::memcpy(&w, p, 8);
  const uint64_t x = w ^ (kOnes * '=');
  const uint64_t t = (x - kOnes) & ~x & kHighs;  // the lowest flagged byte is the first '='
  const uint64_t first_eq = t & (0 - t);         // its high bit, or 0 if there is no '='
  // Bytes before the '=' must be digits: d = byte ^ '0' is then 0-9, and 0-9 are the bytes
  // whose d + 0x76 stays below 0x80 (a byte of 0x80 or more flags itself through `| d`).
  const uint64_t d = w ^ (kOnes * '0');
  const uint64_t not_digit = ((d + kOnes * 0x76) | d) & (first_eq - 1) & kHighs;
  // The first byte must be 1-9: no leading zero, no empty tag.
  const bool bad_first = static_cast<uint8_t>((w & 0xff) - '1') >= 9;
  if ((first_eq == 0) | (not_digit != 0) | bad_first) return 0;
  const size_t n = static_cast<size_t>(__builtin_ctzll(t)) >> 3;  // 1-7 digits
  // Right-align the digits as an 8-digit number with leading zeros, then combine pairwise.
  uint64_t v = (d & (first_eq - 1) & (kOnes * 0x0f)) << (8 * (8 - n));
  v = (v * 10) + (v >> 8);
  v = (((v & 0x000000FF000000FFULL) * (100 + (1000000ULL << 32))) +
       (((v >> 16) & 0x000000FF000000FFULL) * (1 + (10000ULL << 32)))) >>
      32;
  len = n;
  return static_cast<uint32_t>(v);
}

// The 1-3 digit tags most fields have: true with the tag and its length (the '=' is at p[len]),
// false for anything else. Reads at most p[0..3] and nothing past the first byte that is not a
// digit, so a SOH known to follow p bounds it. A byte, a compare and a branch at a time: the
// parse loop is bound by ALU operations, and this needs a third of those of testing every byte
// without branches and selecting the result; its branches on the tag's length are the ones that
// selection compiled to anyway, and the others go the same way for every valid tag.
inline bool parse_short_tag(const char* p, uint32_t& tag, size_t& len) {
  const unsigned d0 = static_cast<unsigned char>(p[0]) - unsigned{'0'};
  if (d0 - 1 >= 9) return false;  // 1-9: no leading zero
  if (p[1] == '=') {
    len = 1;
    tag = d0;
    return true;
  }
  const unsigned d1 = static_cast<unsigned char>(p[1]) - unsigned{'0'};
  if (d1 >= 10) return false;
  const unsigned t2 = d0 * 10 + d1;
  if (p[2] == '=') {
    len = 2;
    tag = t2;
    return true;
  }
  const unsigned d2 = static_cast<unsigned char>(p[2]) - unsigned{'0'};
  if (d2 >= 10 || p[3] != '=') return false;
  len = 3;
  tag = t2 * 10 + d2;
  return true;
}

// parse_tag8 for any tag, with parse_short_tag first, when at least 8 bytes are readable.
inline uint32_t parse_tag(const char* p, size_t& len) {
  uint32_t tag;
  if (parse_short_tag(p, tag, len)) return tag;
  return parse_tag8(p, len);
}

}  // namespace fixgate::codec::detail
