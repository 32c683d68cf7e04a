// Tests for Encoder: exact wire bytes (BodyLength and CheckSum checked against an independent
// computation), every field() overload, data fields, raw fields, buffer reuse and growth.
// In literals, '|' stands for SOH.
#include "fixgate/codec/encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>

#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"

namespace fixgate::codec {
namespace {

std::string soh(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '|', '\x01');
  return out;
}

// The expected wire form of `body` ('|' = SOH), computed without the codec.
std::string expected_wire(std::string_view begin_string, std::string_view body) {
  std::string b = soh(body);
  std::string msg = "8=" + std::string(begin_string) +
                    "\x01"
                    "9=" +
                    std::to_string(b.size()) + "\x01" + b;
  unsigned sum = 0;
  for (char c : msg) sum += static_cast<unsigned char>(c);
  std::string digits = std::to_string(sum % 256);
  return msg + "10=" + std::string(3 - digits.size(), '0') + digits + "\x01";
}

TEST(EncoderTest, ProducesExactBytesForKnownMessage) {
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "0")
                             .field(49, "SENDER")
                             .field(56, "TARGET")
                             .field(34, 1)
                             .field(52, "20240102-03:04:05.678")
                             .finish();
  // Written out by hand (BodyLength 55, CheckSum 090), and recomputed independently.
  EXPECT_EQ(out, soh("8=FIX.4.4|9=55|35=0|49=SENDER|56=TARGET|34=1|52=20240102-03:04:05.678|"
                     "10=090|"));
  EXPECT_EQ(out,
            expected_wire("FIX.4.4", "35=0|49=SENDER|56=TARGET|34=1|52=20240102-03:04:05.678|"));
}

TEST(EncoderTest, OutputIsAcceptedByFramerAndParser) {
  Encoder enc;
  std::string_view out =
      enc.begin("FIX.4.2", "D").field(11, "ORD-1").field(55, "IBM").field(38, 100).finish();
  Frame f = next_frame(out);
  ASSERT_EQ(f.status, FrameStatus::kMessage) << to_string(f.error);
  EXPECT_EQ(f.bytes, out);
  Message m;
  ASSERT_TRUE(m.parse(out).ok());
  EXPECT_EQ(m.msg_type(), "D");
  EXPECT_EQ(m.get(11), "ORD-1");
  EXPECT_EQ(m.get(38), "100");
}

TEST(EncoderTest, EmptyBodyHoldsOnlyMsgType) {
  Encoder enc;
  EXPECT_EQ(enc.begin("FIX.4.4", "0").finish(), expected_wire("FIX.4.4", "35=0|"));
}

TEST(EncoderTest, WritesFixt11BeginString) {
  Encoder enc;
  std::string_view out =
      enc.begin("FIXT.1.1", "A").field(98, 0).field(108, 30).field(1137, "9").finish();
  EXPECT_EQ(out, expected_wire("FIXT.1.1", "35=A|98=0|108=30|1137=9|"));
}

TEST(EncoderTest, AcceptsSixteenByteBeginString) {
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4.ABCDEFGH", "0").finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4.ABCDEFGH", "35=0|"));
}

TEST(EncoderTest, BeginStringIsCopiedNotReferenced) {
  Encoder enc;
  std::string begin = "FIX.4.4";
  enc.begin(begin, "0");
  begin = "XXXXXXX";
  EXPECT_EQ(enc.finish(), expected_wire("FIX.4.4", "35=0|"));
}

TEST(EncoderTest, StringOverloadsWriteValuesVerbatim) {
  Encoder enc;
  std::string s = "std-string";
  std::string_view out = enc.begin("FIX.4.4", "D")
                             .field(58, std::string_view("view"))
                             .field(58, "c-string")
                             .field(58, s)
                             .field(58, "")
                             .finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4", "35=D|58=view|58=c-string|58=std-string|58=|"));
}

TEST(EncoderTest, CharAndBooleanOverloadsWriteOneCharacter) {
  Encoder enc;
  std::string_view out =
      enc.begin("FIX.4.4", "D").field(54, '1').boolean(43, true).boolean(97, false).finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4", "35=D|54=1|43=Y|97=N|"));
}

TEST(EncoderTest, IntegerOverloadsWriteDecimalDigits) {
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "D")
                             .field(1, 0)
                             .field(2, -42)
                             .field(3, std::numeric_limits<int64_t>::min())
                             .field(4, std::numeric_limits<int64_t>::max())
                             .field(5, std::numeric_limits<uint64_t>::max())
                             .field(6, uint32_t{4'000'000'000})
                             .field(7, std::numeric_limits<int>::min())
                             .finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4",
                               "35=D|1=0|2=-42|3=-9223372036854775808|4=9223372036854775807|"
                               "5=18446744073709551615|6=4000000000|7=-2147483648|"));
}

TEST(EncoderTest, DecimalOverloadKeepsTheScale) {
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "D")
                             .field(44, *Decimal::parse("1.50"))
                             .field(44, Decimal(-5, 3))
                             .field(44, Decimal(100, 0))
                             .field(44, Decimal(std::numeric_limits<int64_t>::min(), 18))
                             .finish();
  EXPECT_EQ(out,
            expected_wire("FIX.4.4", "35=D|44=1.50|44=-0.005|44=100|44=-9.223372036854775808|"));
}

TEST(EncoderTest, TimestampOverloadWritesItsPrecision) {
  const int64_t nanos = 1'704'164'645'123'456'789;  // 2024-01-02 03:04:05.123456789
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "0")
                             .field(52, UtcTimestamp{nanos, TimePrecision::kSeconds})
                             .field(52, UtcTimestamp{nanos, TimePrecision::kMillis})
                             .field(52, UtcTimestamp{nanos, TimePrecision::kMicros})
                             .field(52, UtcTimestamp{nanos, TimePrecision::kNanos})
                             .finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4",
                               "35=0|52=20240102-03:04:05|52=20240102-03:04:05.123|"
                               "52=20240102-03:04:05.123456|52=20240102-03:04:05.123456789|"));
}

TEST(EncoderTest, TimeOnlyDateAndMonthYearOverloadsWriteTheirText) {
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "0")
                             .field(273, UtcTimeOnly{45'296'789'000'000, TimePrecision::kMillis})
                             .field(75, Date{2026, 1, 9})
                             .field(200, MonthYear{2026, 3, 0, 2})
                             .field(200, MonthYear{2026, 3})
                             .finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4",
                               "35=0|273=12:34:56.789|75=20260109|200=202603w2|"
                               "200=202603|"));
  EXPECT_EQ(enc.body().substr(0, 5), "35=0\x01");
}

TEST(EncoderTest, LargestTagIsWrittenInFull) {
  Encoder enc;
  EXPECT_EQ(enc.begin("FIX.4.4", "0").field(kMaxTag, "x").finish(),
            expected_wire("FIX.4.4", "35=0|999999999=x|"));
}

TEST(EncoderTest, DataFieldWritesLengthThenBytesWithSoh) {
  const std::string payload = soh("a|10=123|8=FIX.4.4|b=c");
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "D").data(95, 96, payload).field(58, "x").finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4", "35=D|95=" + std::to_string(payload.size()) +
                                              "|96=" + payload + "|58=x|"));
  Frame f = next_frame(out);
  ASSERT_EQ(f.status, FrameStatus::kMessage);
  Message m;
  ASSERT_TRUE(m.parse(f.bytes).ok());
  EXPECT_EQ(m.get(96), payload);
  EXPECT_EQ(m.get(58), "x");
}

TEST(EncoderTest, EmptyDataFieldWritesZeroLength) {
  Encoder enc;
  EXPECT_EQ(enc.begin("FIX.4.4", "D").data(95, 96, "").finish(),
            expected_wire("FIX.4.4", "35=D|95=0|96=|"));
}

TEST(EncoderTest, RawCopiesPreEncodedFields) {
  Encoder enc;
  std::string_view out = enc.begin("FIX.4.4", "D")
                             .field(11, "A")
                             .raw(soh("55=IBM|54=1|"))
                             .raw("")
                             .field(38, 5)
                             .finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4", "35=D|11=A|55=IBM|54=1|38=5|"));
}

TEST(EncoderTest, BodySizeCountsBytesAfterBodyLength) {
  Encoder enc;
  enc.begin("FIX.4.4", "0");
  EXPECT_EQ(enc.body_size(), 5u);  // "35=0|"
  enc.field(49, "AB");
  EXPECT_EQ(enc.body_size(), 11u);  // + "49=AB|"
}

TEST(EncoderTest, ReusesItsBufferAcrossManyMessages) {
  Encoder enc(256);
  // Warm up with the largest message so the buffer reaches its final size.
  enc.begin("FIX.4.4", "D").field(58, std::string(150, 'w')).finish();
  const char* buffer = nullptr;
  for (int i = 0; i < 1000; ++i) {
    enc.begin(i % 2 ? "FIX.4.2" : "FIXT.1.1", i % 3 ? "D" : "0");
    enc.field(34, i + 1);
    if (i % 5 == 0) enc.field(58, std::string(static_cast<size_t>(i % 150), 'x'));
    std::string_view out = enc.finish();
    std::string body =
        std::string("35=") + (i % 3 ? "D" : "0") + "|34=" + std::to_string(i + 1) + "|" +
        (i % 5 == 0 ? "58=" + std::string(static_cast<size_t>(i % 150), 'x') + "|" : "");
    ASSERT_EQ(out, expected_wire(i % 2 ? "FIX.4.2" : "FIXT.1.1", body)) << "message " << i;
    // The body always starts at the same place in the buffer unless the buffer was replaced.
    const char* base = out.data() +
                       out.find(
                           "\x01"
                           "35=") +
                       1;
    if (!buffer) buffer = base;
    ASSERT_EQ(base, buffer) << "the buffer must be reused without reallocation";
  }
}

TEST(EncoderTest, ShortMessageAfterLongOneHasNoLeftovers) {
  Encoder enc;
  enc.begin("FIX.4.4", "D").field(58, std::string(500, 'z')).finish();
  EXPECT_EQ(enc.begin("FIX.4.4", "0").finish(), expected_wire("FIX.4.4", "35=0|"));
}

TEST(EncoderTest, GrowsPastItsInitialCapacity) {
  const std::string big(100'000, 'q');
  Encoder enc(128);
  std::string_view out = enc.begin("FIX.4.4", "B").field(148, "news").field(58, big).finish();
  EXPECT_EQ(out, expected_wire("FIX.4.4", "35=B|148=news|58=" + big + "|"));
  // And keeps working once grown.
  EXPECT_EQ(enc.begin("FIX.4.4", "0").finish(), expected_wire("FIX.4.4", "35=0|"));
}

TEST(EncoderTest, GrowsWhileWritingManySmallFields) {
  Encoder enc(128);
  enc.begin("FIX.4.4", "D");
  std::string body = "35=D|";
  for (int i = 1; i <= 5000; ++i) {
    enc.field(static_cast<Tag>(5000 + i), i);
    body += std::to_string(5000 + i) + "=" + std::to_string(i) + "|";
  }
  EXPECT_EQ(enc.finish(), expected_wire("FIX.4.4", body));
}

TEST(EncoderTest, GrowsWhenTheTrailerDoesNotFit) {
  // Fill the buffer to within a few bytes of its capacity so finish() itself must grow it.
  for (size_t fill = 60; fill < 140; ++fill) {
    Encoder enc(128);
    std::string value(fill, 'v');
    std::string_view out = enc.begin("FIX.4.4", "0").field(58, value).finish();
    ASSERT_EQ(out, expected_wire("FIX.4.4", "35=0|58=" + value + "|")) << fill;
  }
}

}  // namespace
}  // namespace fixgate::codec
