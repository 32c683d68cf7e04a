#include "fixgate/codec/checksum.h"

#include <cstring>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fixgate::codec {

uint8_t checksum(std::string_view bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t total = 0;
#if defined(__SSE2__)
  // psadbw against zero sums 16 bytes into two 64-bit lanes in one instruction.
  __m128i acc = _mm_setzero_si128();
  const __m128i zero = _mm_setzero_si128();
  // 64 bytes a step into two accumulators, so the loop's overhead and the adds' chain stay short.
  __m128i acc2 = _mm_setzero_si128();
  for (; n >= 64; n -= 64, p += 64) {
    auto sum16 = [&](int i) {
      return _mm_sad_epu8(_mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16 * i)), zero);
    };
    acc = _mm_add_epi64(acc, _mm_add_epi64(sum16(0), sum16(1)));
    acc2 = _mm_add_epi64(acc2, _mm_add_epi64(sum16(2), sum16(3)));
  }
  acc = _mm_add_epi64(acc, acc2);
  for (; n >= 16; n -= 16, p += 16) {
    __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
    acc = _mm_add_epi64(acc, _mm_sad_epu8(v, zero));
  }
  total += static_cast<uint64_t>(_mm_cvtsi128_si64(acc)) +
           static_cast<uint64_t>(_mm_cvtsi128_si64(_mm_unpackhi_epi64(acc, acc)));
#endif
  // SWAR: add bytes into four 16-bit lanes of `lanes`. Each step adds at most 2 * 255 per lane,
  // so folding every 64 steps keeps lanes below 2^16.
  while (n >= 8) {
    uint64_t lanes = 0;
    size_t steps = n / 8 < 64 ? n / 8 : 64;
    for (size_t i = 0; i < steps; ++i, p += 8) {
      uint64_t w;
      std::memcpy(&w, p, 8);
      lanes += (w & 0x00ff00ff00ff00ffULL) + ((w >> 8) & 0x00ff00ff00ff00ffULL);
    }
    n -= steps * 8;
    total += (lanes & 0xffff) + ((lanes >> 16) & 0xffff) + ((lanes >> 32) & 0xffff) + (lanes >> 48);
  }
  for (; n > 0; --n, ++p) total += static_cast<unsigned char>(*p);
  return static_cast<uint8_t>(total);
}

}  // namespace fixgate::codec
