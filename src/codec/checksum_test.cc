// Tests for the FIX CheckSum: the 16-byte SSE2 blocks (where available), the 8-byte SWAR step
// with its lane folding, and the byte tail are all checked against a plain byte-by-byte sum.
#include "fixgate/codec/checksum.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <random>
#include <string>
#include <string_view>

namespace fixgate::codec {
namespace {

// The definition, one byte at a time: what the SWAR version must agree with.
uint8_t naive_checksum(std::string_view bytes) {
  unsigned sum = 0;
  for (char c : bytes) sum += static_cast<unsigned char>(c);
  return static_cast<uint8_t>(sum % 256);
}

std::string random_bytes(size_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_int_distribution<int> byte(0, 255);
  std::string s(n, '\0');
  for (char& c : s) c = static_cast<char>(byte(rng));
  return s;
}

std::string digits_of(uint8_t sum) {
  char out[3];
  write_checksum_digits(sum, out);
  return std::string(out, 3);
}

TEST(ChecksumTest, EmptyInputSumsToZero) { EXPECT_EQ(checksum(""), 0); }

TEST(ChecksumTest, MatchesKnownValues) {
  EXPECT_EQ(checksum("A"), 65);
  EXPECT_EQ(checksum("123456789"), 221);
  // A real Logon; 173 was computed independently (Python: sum(bytes) % 256).
  const std::string logon =
      "8=FIX.4.2\x01"
      "9=63\x01"
      "35=A\x01"
      "34=1\x01"
      "49=SERVER\x01"
      "52=20220101-00:00:00\x01"
      "56=CLIENT\x01"
      "98=0\x01"
      "108=30\x01";
  EXPECT_EQ(checksum(logon), 173);
}

TEST(ChecksumTest, HighBytesAreSummedAsUnsigned) {
  EXPECT_EQ(checksum(std::string(1, '\xff')), 255);
  EXPECT_EQ(checksum(std::string(2, '\xff')), 254);
  EXPECT_EQ(checksum(std::string(1000, '\xff')), 24);  // 255000 % 256
}

TEST(ChecksumTest, EveryLengthUpTo100MatchesNaiveSum) {
  const std::string data = random_bytes(100 + 8, 7);
  // Lengths 0-100 cover every mix of 16-byte blocks, an 8-byte step and a 0-7 byte tail;
  // start offsets 0-7 cover unaligned loads.
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; len <= 100; ++len) {
      std::string_view s(data.data() + offset, len);
      ASSERT_EQ(checksum(s), naive_checksum(s)) << "offset " << offset << " length " << len;
    }
  }
}

TEST(ChecksumTest, LargeBuffersFoldLanesWithoutOverflow) {
  // Many blocks accumulate; without SSE2, 64 eight-byte steps (512 bytes) is where the SWAR
  // lanes fold. Straddle 512 and go well past it.
  for (size_t len : {504u, 511u, 512u, 513u, 520u, 1023u, 1024u, 1025u, 4096u, 65539u, 1u << 20}) {
    std::string s = random_bytes(len, static_cast<uint32_t>(len));
    ASSERT_EQ(checksum(s), naive_checksum(s)) << "length " << len;
  }
}

TEST(ChecksumTest, AllOnesBytesSaturateLanesWithoutOverflow) {
  // 0xff everywhere puts the largest possible value into every lane on every step.
  for (size_t len : {511u, 512u, 513u, 1024u, 100'000u}) {
    std::string s(len, '\xff');
    ASSERT_EQ(checksum(s), naive_checksum(s)) << "length " << len;
  }
}

TEST(ChecksumTest, WritesExactlyThreeZeroPaddedDigits) {
  EXPECT_EQ(digits_of(0), "000");
  EXPECT_EQ(digits_of(7), "007");
  EXPECT_EQ(digits_of(42), "042");
  EXPECT_EQ(digits_of(100), "100");
  EXPECT_EQ(digits_of(255), "255");
}

TEST(ChecksumTest, DigitsRoundTripForEveryValue) {
  for (int v = 0; v < 256; ++v) {
    std::string d = digits_of(static_cast<uint8_t>(v));
    ASSERT_EQ(std::stoi(d), v);
  }
}

}  // namespace
}  // namespace fixgate::codec
