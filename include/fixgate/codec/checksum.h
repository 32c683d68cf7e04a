// FIX CheckSum (tag 10): the sum of every byte up to and including the SOH before "10=",
// modulo 256, written as exactly three digits.
#pragma once

#include <cstdint>
#include <string_view>

namespace fixgate::codec {

// Sum of all bytes of `bytes` modulo 256. Processes eight bytes per step.
uint8_t checksum(std::string_view bytes);

// Writes the three ASCII digits of `sum` to out[0..2].
inline void write_checksum_digits(uint8_t sum, char* out) {
  out[0] = static_cast<char>('0' + sum / 100);
  out[1] = static_cast<char>('0' + (sum / 10) % 10);
  out[2] = static_cast<char>('0' + sum % 10);
}

}  // namespace fixgate::codec
