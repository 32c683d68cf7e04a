#include "fixgate/codec/checksum.h"

#include <cstring>

namespace fixgate::codec {

uint8_t checksum(std::string_view bytes) {
  const char* p = bytes.data();
  size_t n = bytes.size();
  uint64_t total = 0;
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
