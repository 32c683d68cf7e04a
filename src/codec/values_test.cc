// Tests for typed FIX values: integers, chars, booleans, exact decimals, UTC timestamps and
// times, dates, MonthYear and multiple-value strings. Expected epoch values were computed
// independently (Python datetime).
#include "fixgate/codec/values.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::codec {
namespace {

constexpr int64_t kSecond = 1'000'000'000;
constexpr int64_t kDay = 86'400 * kSecond;

std::string fmt_int(int64_t v) {
  char buf[20];
  return std::string(buf, format_int(v, buf));
}

std::string fmt_uint(uint64_t v) {
  char buf[20];
  return std::string(buf, format_uint(v, buf));
}

std::string fmt_date(const Date& d) {
  char buf[8];
  return std::string(buf, format_date(d, buf));
}

std::vector<std::string> all_values(std::string_view s) {
  MultipleValues mv(s);
  std::vector<std::string> out;
  while (auto v = mv.next()) out.emplace_back(*v);
  return out;
}

// --- int / uint ---------------------------------------------------------------------------

TEST(ParseIntTest, ParsesSignedIntegers) {
  EXPECT_EQ(parse_int("0"), 0);
  EXPECT_EQ(parse_int("-0"), 0);
  EXPECT_EQ(parse_int("123"), 123);
  EXPECT_EQ(parse_int("-123"), -123);
  EXPECT_EQ(parse_int("999999999999999999"), 999'999'999'999'999'999);
  EXPECT_EQ(parse_int("-999999999999999999"), -999'999'999'999'999'999);
}

TEST(ParseIntTest, AcceptsLeadingZeros) {
  EXPECT_EQ(parse_int("007"), 7);
  EXPECT_EQ(parse_int("-007"), -7);
  EXPECT_EQ(parse_int("000"), 0);
}

TEST(ParseIntTest, RejectsEmptyAndBareMinus) {
  EXPECT_EQ(parse_int(""), std::nullopt);
  EXPECT_EQ(parse_int("-"), std::nullopt);
}

TEST(ParseIntTest, RejectsPlusSignSpacesAndStraySigns) {
  for (std::string_view s : {"+1", " 1", "1 ", "--1", "1-", "-+1"}) {
    EXPECT_EQ(parse_int(s), std::nullopt) << s;
  }
}

TEST(ParseIntTest, RejectsLettersAndDecimals) {
  for (std::string_view s : {"a", "1a", "a1", "1.0", "0x10", "1e3", "\x01"}) {
    EXPECT_EQ(parse_int(s), std::nullopt) << s;
  }
}

TEST(ParseIntTest, RejectsMoreThan18Digits) {
  EXPECT_EQ(parse_int("1234567890123456789"), std::nullopt);
  EXPECT_EQ(parse_int("-1234567890123456789"), std::nullopt);
  EXPECT_EQ(parse_int("9223372036854775807"), std::nullopt);  // INT64_MAX has 19 digits
  EXPECT_EQ(parse_int("99999999999999999999999"), std::nullopt);
}

TEST(ParseUintTest, ParsesUpTo19Digits) {
  EXPECT_EQ(parse_uint("0"), 0u);
  EXPECT_EQ(parse_uint("00042"), 42u);
  EXPECT_EQ(parse_uint("9999999999999999999"), 9'999'999'999'999'999'999u);
}

TEST(ParseUintTest, RejectsSignsEmptyAndLetters) {
  for (std::string_view s : {"", "-", "-1", "-0", "+1", "1a", " 1", "1 ", "1.0"}) {
    EXPECT_EQ(parse_uint(s), std::nullopt) << s;
  }
}

TEST(ParseUintTest, RejectsMoreThan19Digits) {
  EXPECT_EQ(parse_uint("18446744073709551615"), std::nullopt);  // UINT64_MAX has 20 digits
  EXPECT_EQ(parse_uint("99999999999999999999"), std::nullopt);
}

TEST(FormatIntTest, FormatsExtremes) {
  EXPECT_EQ(fmt_int(0), "0");
  EXPECT_EQ(fmt_int(-1), "-1");
  EXPECT_EQ(fmt_int(std::numeric_limits<int64_t>::max()), "9223372036854775807");
  EXPECT_EQ(fmt_int(std::numeric_limits<int64_t>::min()), "-9223372036854775808");
  EXPECT_EQ(fmt_uint(0), "0");
  EXPECT_EQ(fmt_uint(std::numeric_limits<uint64_t>::max()), "18446744073709551615");
}

TEST(FormatIntTest, RoundTripsThroughParse) {
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{42}, int64_t{-987654321},
                    int64_t{999'999'999'999'999'999}, int64_t{-999'999'999'999'999'999}}) {
    EXPECT_EQ(parse_int(fmt_int(v)), v);
  }
  for (uint64_t v : {uint64_t{0}, uint64_t{7}, uint64_t{9'999'999'999'999'999'999u}}) {
    EXPECT_EQ(parse_uint(fmt_uint(v)), v);
  }
}

// The formatting writes a number's length first, then its digits into place: check it on both
// sides of every power of ten, against the standard library's formatting.
TEST(FormatIntTest, MatchesToStringAtEveryDigitCountBoundary) {
  std::vector<uint64_t> values = {0, std::numeric_limits<uint64_t>::max()};
  for (uint64_t p = 1; p <= 1'000'000'000'000'000'000u; p *= 10)
    for (uint64_t v : {p - 1, p, p + 1, 2 * p, 9 * p, 10 * p - 1}) values.push_back(v);
  values.push_back(10'000'000'000'000'000'000u);
  for (uint64_t v : values) {
    EXPECT_EQ(fmt_uint(v), std::to_string(v));
    if (v <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      const auto i = static_cast<int64_t>(v);
      EXPECT_EQ(fmt_int(i), std::to_string(i));
      EXPECT_EQ(fmt_int(-i), std::to_string(-i));
    }
  }
}

// --- char / bool --------------------------------------------------------------------------

TEST(ParseCharTest, AcceptsExactlyOneNonSohByte) {
  EXPECT_EQ(parse_char("A"), 'A');
  EXPECT_EQ(parse_char(" "), ' ');
  EXPECT_EQ(parse_char("1"), '1');
  EXPECT_EQ(parse_char(""), std::nullopt);
  EXPECT_EQ(parse_char("AB"), std::nullopt);
  EXPECT_EQ(parse_char("\x01"), std::nullopt);
}

TEST(ParseBoolTest, AcceptsOnlyUppercaseYAndN) {
  EXPECT_EQ(parse_bool("Y"), true);
  EXPECT_EQ(parse_bool("N"), false);
  for (std::string_view s : {"", "y", "n", "YY", "1", "0", "true", "Yes"}) {
    EXPECT_EQ(parse_bool(s), std::nullopt) << s;
  }
}

// --- Decimal ------------------------------------------------------------------------------

TEST(DecimalTest, ParsesMantissaAndScale) {
  auto d = Decimal::parse("1.50");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mantissa(), 150);
  EXPECT_EQ(d->scale(), 2);
  d = Decimal::parse("-0.001");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mantissa(), -1);
  EXPECT_EQ(d->scale(), 3);
  d = Decimal::parse("100");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mantissa(), 100);
  EXPECT_EQ(d->scale(), 0);
}

TEST(DecimalTest, ParseFormatRoundTripPreservesRepresentation) {
  for (std::string_view s :
       {"0", "1", "-1", "100", "1.50", "-0.001", "0.00", "-1.5", "23.0000", "0.000000000000000001",
        "123456789.123456789", "-999999999999999999", "99999999999999999.9"}) {
    auto d = Decimal::parse(s);
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(d->to_string(), s);
    char buf[22];
    EXPECT_EQ(std::string_view(buf, d->format(buf)), s);
  }
}

TEST(DecimalTest, NormalizesOptionalLeadingZerosAndBareDecimalPoint) {
  // FIX float: leading zeros, a trailing '.', or a leading '.' are allowed; the canonical text
  // drops leading zeros and a bare point but keeps the scale.
  struct Case {
    std::string_view in, out;
  };
  for (Case c : {Case{".5", "0.5"}, Case{"5.", "5"}, Case{"007.10", "7.10"}, Case{"-0", "0"},
                 Case{"-.25", "-0.25"}, Case{"000", "0"}}) {
    auto d = Decimal::parse(c.in);
    ASSERT_TRUE(d) << c.in;
    EXPECT_EQ(d->to_string(), c.out) << c.in;
  }
}

TEST(DecimalTest, RejectsWhatFixFloatDoesNotAllow) {
  for (std::string_view s : {"", "-", ".", "-.", "1e5", "1E5", "+1", "1.2.3", "1,5", " 1", "1 ",
                             "--1", "1-", "0x1", "inf", "nan", "1..2"}) {
    EXPECT_EQ(Decimal::parse(s), std::nullopt) << s;
  }
}

TEST(DecimalTest, AllowsAtMost18SignificantDigits) {
  EXPECT_TRUE(Decimal::parse("123456789012345678"));
  EXPECT_TRUE(Decimal::parse("12345678901234567.8"));
  EXPECT_TRUE(Decimal::parse("-999999999999999999"));
  EXPECT_EQ(Decimal::parse("1234567890123456789"), std::nullopt);
  EXPECT_EQ(Decimal::parse("1234567890123456.789"), std::nullopt);
  EXPECT_EQ(Decimal::parse("1000000000000000000"), std::nullopt);  // trailing zeros count
  // Leading zeros are not significant.
  auto d = Decimal::parse("000000000000123456789012345678");
  ASSERT_TRUE(d);
  EXPECT_EQ(d->mantissa(), 123'456'789'012'345'678);
}

TEST(DecimalTest, AllowsAtMost18DecimalPlaces) {
  EXPECT_TRUE(Decimal::parse("0.000000000000000001"));
  EXPECT_EQ(Decimal::parse("0.0000000000000000001"), std::nullopt);
}

TEST(DecimalTest, ComparesNumerically) {
  auto d = [](std::string_view s) { return *Decimal::parse(s); };
  EXPECT_EQ(d("1.5"), d("1.50"));
  EXPECT_FALSE(d("1.5").same_representation(d("1.50")));
  EXPECT_TRUE(d("1.50").same_representation(d("1.50")));
  EXPECT_EQ(d("0"), d("0.000"));
  EXPECT_EQ(d("100"), d("100.00"));
  EXPECT_FALSE(d("1.5") == d("1.51"));
  EXPECT_LT(d("1.5"), d("1.51"));
  EXPECT_LT(d("-1.5"), d("-1.49"));
  EXPECT_LT(d("-0.001"), d("0"));
  EXPECT_LT(d("1.99999"), d("2"));
  EXPECT_FALSE(d("2") < d("1.99999"));
  EXPECT_EQ(Decimal::compare(d("3"), d("2.999")), 1);
  EXPECT_EQ(Decimal::compare(d("-3"), d("-2.999")), -1);
  EXPECT_EQ(Decimal::compare(d("7.000"), d("7")), 0);
}

TEST(DecimalTest, ComparesExtremesWithoutOverflow) {
  const int64_t max = std::numeric_limits<int64_t>::max();
  const int64_t min = std::numeric_limits<int64_t>::min();
  EXPECT_LT(Decimal(1, 18), Decimal(max, 0));
  EXPECT_LT(Decimal(min, 0), Decimal(-1, 18));
  EXPECT_LT(Decimal(max, 18), Decimal(10, 0));  // 9.22… < 10
  EXPECT_EQ(Decimal(max, 0), Decimal(max, 0));
  EXPECT_LT(Decimal(max - 1, 0), Decimal(max, 0));
}

TEST(DecimalTest, FormatsConstructedValues) {
  EXPECT_EQ(Decimal(-50, 2).to_string(), "-0.50");
  EXPECT_EQ(Decimal(5, 3).to_string(), "0.005");
  EXPECT_EQ(Decimal(0, 2).to_string(), "0.00");
  EXPECT_EQ(Decimal(12345, 2).to_string(), "123.45");
  EXPECT_EQ(Decimal().to_string(), "0");
  EXPECT_EQ(Decimal(std::numeric_limits<int64_t>::min(), 0).to_string(), "-9223372036854775808");
  EXPECT_EQ(Decimal(std::numeric_limits<int64_t>::min(), 18).to_string(), "-9.223372036854775808");
  EXPECT_EQ(Decimal(-1, 18).to_string(), "-0.000000000000000001");
}

// Against a reference written the plain way: the digits, then the point inserted.
TEST(DecimalTest, FormatsEveryScaleAroundEveryDigitCount) {
  auto reference = [](int64_t m, int scale) {
    const bool negative = m < 0;
    std::string digits = std::to_string(negative ? 0 - static_cast<uint64_t>(m) : m);
    const size_t sc = static_cast<size_t>(scale);
    if (digits.size() <= sc) digits.insert(0, sc + 1 - digits.size(), '0');
    if (sc != 0) digits.insert(digits.size() - sc, ".");
    return (negative ? "-" : "") + digits;
  };
  std::vector<int64_t> mantissas = {0, std::numeric_limits<int64_t>::max(),
                                    std::numeric_limits<int64_t>::min()};
  for (int64_t p = 1;; p *= 10) {  // every power of ten an int64 holds, without overflowing
    for (int64_t v : {p - 1, p, p + 1, 7 * p}) {
      mantissas.push_back(v);
      mantissas.push_back(-v);
    }
    if (p > std::numeric_limits<int64_t>::max() / 10) break;
  }
  for (int64_t m : mantissas)
    for (int scale = 0; scale <= Decimal::kMaxScale; ++scale) {
      char buf[Decimal::kMaxLength];
      const std::string_view text(buf, Decimal(m, scale).format(buf));
      EXPECT_EQ(text, reference(m, scale)) << m << " scale " << scale;
      if (m >= -999'999'999'999'999'999 && m <= 999'999'999'999'999'999) {  // what parse reads
        EXPECT_TRUE(Decimal::parse(text)->same_representation(Decimal(m, scale))) << text;
      }
    }
}

TEST(DecimalTest, ToDoubleApproximatesTheValue) {
  EXPECT_DOUBLE_EQ(Decimal(150, 2).to_double(), 1.5);
  EXPECT_DOUBLE_EQ(Decimal(-1, 3).to_double(), -0.001);
  EXPECT_DOUBLE_EQ(Decimal(42, 0).to_double(), 42.0);
}

// --- UtcTimestamp -------------------------------------------------------------------------

// 2024-01-02 03:04:05 UTC is 1704164645 s after the epoch.
constexpr int64_t k20240102_030405 = 1'704'164'645 * kSecond;

TEST(UtcTimestampTest, ParseFormatRoundTripAtEveryPrecision) {
  struct Case {
    std::string_view text;
    TimePrecision precision;
    int64_t nanos;
  };
  for (Case c :
       {Case{"20240102-03:04:05", TimePrecision::kSeconds, k20240102_030405},
        Case{"20240102-03:04:05.678", TimePrecision::kMillis, k20240102_030405 + 678'000'000},
        Case{"20240102-03:04:05.678901", TimePrecision::kMicros, k20240102_030405 + 678'901'000},
        Case{"20240102-03:04:05.678901234", TimePrecision::kNanos, k20240102_030405 + 678'901'234},
        Case{"20240102-03:04:05.000", TimePrecision::kMillis, k20240102_030405}}) {
    auto t = UtcTimestamp::parse(c.text);
    ASSERT_TRUE(t) << c.text;
    EXPECT_EQ(t->nanos, c.nanos) << c.text;
    EXPECT_EQ(t->precision, c.precision) << c.text;
    EXPECT_EQ(t->to_string(), c.text);
    char buf[UtcTimestamp::kMaxLength];
    EXPECT_EQ(std::string_view(buf, t->format(buf)), c.text);
  }
}

TEST(UtcTimestampTest, ParsesKnownEpochValues) {
  EXPECT_EQ(UtcTimestamp::parse("19700101-00:00:00")->nanos, 0);
  EXPECT_EQ(UtcTimestamp::parse("19700101-00:00:00.001")->nanos, 1'000'000);
  EXPECT_EQ(UtcTimestamp::parse("20000301-00:00:00")->nanos, 951'868'800 * kSecond);
  EXPECT_EQ(UtcTimestamp::parse("20240229-00:00:00")->nanos, 19'782 * kDay);
}

TEST(UtcTimestampTest, FormatTruncatesToItsPrecision) {
  UtcTimestamp t{k20240102_030405 + 123'456'789, TimePrecision::kMillis};
  EXPECT_EQ(t.to_string(), "20240102-03:04:05.123");
  t.precision = TimePrecision::kMicros;
  EXPECT_EQ(t.to_string(), "20240102-03:04:05.123456");
  t.precision = TimePrecision::kSeconds;
  EXPECT_EQ(t.to_string(), "20240102-03:04:05");
  t.precision = TimePrecision::kNanos;
  EXPECT_EQ(t.to_string(), "20240102-03:04:05.123456789");
}

TEST(UtcTimestampTest, EqualityComparesTheInstantNotThePrecision) {
  EXPECT_EQ(*UtcTimestamp::parse("20240102-03:04:05"),
            *UtcTimestamp::parse("20240102-03:04:05.000"));
  EXPECT_FALSE(*UtcTimestamp::parse("20240102-03:04:05") ==
               *UtcTimestamp::parse("20240102-03:04:05.001"));
}

TEST(UtcTimestampTest, RejectsImpossibleDates) {
  for (std::string_view s :
       {"20230230-00:00:00", "20230229-00:00:00", "19000229-00:00:00", "20231301-00:00:00",
        "20230001-00:00:00", "20230100-00:00:00", "20230431-00:00:00", "20230132-00:00:00"}) {
    EXPECT_EQ(UtcTimestamp::parse(s), std::nullopt) << s;
  }
}

TEST(UtcTimestampTest, AcceptsLeapDays) {
  EXPECT_TRUE(UtcTimestamp::parse("20240229-12:00:00"));
  EXPECT_TRUE(UtcTimestamp::parse("20000229-12:00:00"));
}

TEST(UtcTimestampTest, RejectsImpossibleTimes) {
  for (std::string_view s :
       {"20240102-24:00:00", "20240102-12:60:00", "20240102-12:00:61", "20240102-99:99:99"}) {
    EXPECT_EQ(UtcTimestamp::parse(s), std::nullopt) << s;
  }
}

TEST(UtcTimestampTest, AcceptsLeapSecondFoldedIntoNextSecond) {
  auto leap = UtcTimestamp::parse("20161231-23:59:60");
  ASSERT_TRUE(leap);
  EXPECT_EQ(leap->nanos, 1'483'228'800 * kSecond);  // 2017-01-01 00:00:00
  EXPECT_EQ(leap->to_string(), "20170101-00:00:00");
  auto leap_ms = UtcTimestamp::parse("20161231-23:59:60.500");
  ASSERT_TRUE(leap_ms);
  EXPECT_EQ(leap_ms->to_string(), "20170101-00:00:00.500");
}

TEST(UtcTimestampTest, RejectsWrongSeparators) {
  for (std::string_view s :
       {"20240102 03:04:05", "20240102T03:04:05", "20240102-03.04.05", "20240102-03:04-05",
        "20240102-03:04:05,678", "2024-01-02-03:04:05", "20240102-03:04:05:678"}) {
    EXPECT_EQ(UtcTimestamp::parse(s), std::nullopt) << s;
  }
}

TEST(UtcTimestampTest, RejectsFractionsOtherThan3Or6Or9Digits) {
  for (std::string_view s :
       {"20240102-03:04:05.", "20240102-03:04:05.1", "20240102-03:04:05.12",
        "20240102-03:04:05.1234", "20240102-03:04:05.12345", "20240102-03:04:05.1234567",
        "20240102-03:04:05.12345678", "20240102-03:04:05.1234567890"}) {
    EXPECT_EQ(UtcTimestamp::parse(s), std::nullopt) << s;
  }
}

TEST(UtcTimestampTest, RejectsNonDigitsAndTruncatedOrPaddedText) {
  for (std::string_view s :
       {"", "20240102", "20240102-", "20240102-03:04", "20240102-03:04:5", "2024010-03:04:05",
        " 20240102-03:04:05", "20240102-03:04:05Z", "20240102-03:04:05 ", "2024O102-03:04:05",
        "20240102-03:04:05.12a", "20240102-+3:04:05"}) {
    EXPECT_EQ(UtcTimestamp::parse(s), std::nullopt) << s;
  }
}

TEST(UtcTimestampTest, HandlesDatesBefore1970) {
  auto t = UtcTimestamp::parse("19691231-23:59:59.999");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->nanos, -1'000'000);
  EXPECT_EQ(t->to_string(), "19691231-23:59:59.999");
  t = UtcTimestamp::parse("19000101-00:00:00");
  ASSERT_TRUE(t);
  EXPECT_EQ(t->nanos, -2'208'988'800 * kSecond);
  EXPECT_EQ(t->to_string(), "19000101-00:00:00");
  EXPECT_EQ((UtcTimestamp{-1, TimePrecision::kNanos}.to_string()), "19691231-23:59:59.999999999");
}

TEST(UtcTimestampTest, HandlesTheWholeRepresentableRange) {
  // int64 nanoseconds span 1677-09-21 00:12:43.145224192 to 2262-04-11 23:47:16.854775807.
  auto max = UtcTimestamp::parse("22620411-23:47:16.854775807");
  ASSERT_TRUE(max);
  EXPECT_EQ(max->nanos, std::numeric_limits<int64_t>::max());
  EXPECT_EQ(max->to_string(), "22620411-23:47:16.854775807");
  auto min = UtcTimestamp::parse("16770921-00:12:43.145224192");
  ASSERT_TRUE(min);
  EXPECT_EQ(min->nanos, std::numeric_limits<int64_t>::min());
  EXPECT_EQ(min->to_string(), "16770921-00:12:43.145224192");
}

TEST(UtcTimestampTest, RejectsDatesOutsideTheRepresentableRange) {
  for (std::string_view s :
       {"22620411-23:47:16.854775808", "22620412-00:00:00", "99991231-23:59:59",
        "16770921-00:12:43.145224191", "16770920-00:00:00", "00010101-00:00:00"}) {
    EXPECT_EQ(UtcTimestamp::parse(s), std::nullopt) << s;
  }
}

// Parse and format keep the last second a thread met: only the same 17 characters reuse it.
TEST(UtcTimestampTest, TheSecondKeptFromTheLastParseServesOnlyTheSameText) {
  struct Case {
    std::string_view text;
    std::optional<int64_t> nanos;
  };
  for (Case c :
       {Case{"20240102-03:04:05.678", k20240102_030405 + 678'000'000},
        Case{"20240102-03:04:05.123", k20240102_030405 + 123'000'000},
        Case{"20240102-03:04:05", k20240102_030405}, Case{"20240102-03:04:05.12a", std::nullopt},
        Case{"20240102-03:04:05.1234", std::nullopt}, Case{"20240102-03:04:05Z", std::nullopt},
        Case{"20240102-03:04:06.123", k20240102_030405 + kSecond + 123'000'000},
        Case{"20240103-03:04:06.123", k20240102_030405 + kDay + kSecond + 123'000'000},
        Case{"20240102-03:04:06.123456", k20240102_030405 + kSecond + 123'456'000},
        Case{"20161231-23:59:60.500", 1'483'228'800 * kSecond + 500'000'000},
        Case{"20161231-23:59:60.250", 1'483'228'800 * kSecond + 250'000'000},
        Case{"22620411-23:47:16.854775807", std::numeric_limits<int64_t>::max()},
        Case{"22620411-23:47:16.854775808", std::nullopt},
        Case{"22620411-23:47:16.000000000", std::numeric_limits<int64_t>::max() - 854'775'807},
        Case{"22620411-23:47:16.854775808", std::nullopt}}) {
    auto t = UtcTimestamp::parse(c.text);
    if (!c.nanos) {
      EXPECT_EQ(t, std::nullopt) << c.text;
      continue;
    }
    ASSERT_TRUE(t) << c.text;
    EXPECT_EQ(t->nanos, *c.nanos) << c.text;
  }
}

// Round trips in an order that mixes repeated seconds, neighbouring ones and far ones, before
// and after the epoch, so that both kept seconds are hit and missed.
TEST(UtcTimestampTest, RoundTripsHoldWhateverSecondWasKept) {
  std::vector<int64_t> instants;
  uint64_t x = 0x9e3779b97f4a7c15;
  for (int i = 0; i < 2000; ++i) {
    x ^= x << 13;
    x ^= x >> 7;
    x ^= x << 17;
    // Within ±140 years of the epoch (int64 nanoseconds reach ±292), then its neighbours.
    const int64_t base =
        static_cast<int64_t>(x % (280 * 365 * uint64_t{kDay / kSecond})) * kSecond -
        140 * 365 * kDay + static_cast<int64_t>(x % kSecond);
    for (int64_t t : {base, base + 1, base + kSecond, base - kSecond, base + kDay, base})
      instants.push_back(t);
  }
  for (int64_t t : instants) {
    UtcTimestamp u{t, TimePrecision::kNanos};
    const std::string text = u.to_string();
    auto back = UtcTimestamp::parse(text);
    ASSERT_TRUE(back) << text;
    ASSERT_EQ(back->nanos, t) << text;
    // The same instant at millisecond precision agrees with the nanosecond text's first 21.
    UtcTimestamp ms{t, TimePrecision::kMillis};
    ASSERT_EQ(ms.to_string(), text.substr(0, 21)) << text;
  }
}

// --- UtcTimeOnly --------------------------------------------------------------------------

TEST(UtcTimeOnlyTest, ParseFormatRoundTripAtEveryPrecision) {
  struct Case {
    std::string_view text;
    TimePrecision precision;
    int64_t nanos;
  };
  for (Case c : {Case{"00:00:00", TimePrecision::kSeconds, 0},
                 Case{"23:59:59.999", TimePrecision::kMillis, kDay - 1'000'000},
                 Case{"12:34:56.123456", TimePrecision::kMicros,
                      (12 * 3600 + 34 * 60 + 56) * kSecond + 123'456'000},
                 Case{"12:34:56.123456789", TimePrecision::kNanos,
                      (12 * 3600 + 34 * 60 + 56) * kSecond + 123'456'789}}) {
    auto t = UtcTimeOnly::parse(c.text);
    ASSERT_TRUE(t) << c.text;
    EXPECT_EQ(t->nanos, c.nanos) << c.text;
    EXPECT_EQ(t->precision, c.precision) << c.text;
    EXPECT_EQ(t->to_string(), c.text);
  }
}

TEST(UtcTimeOnlyTest, RejectsInvalidTimes) {
  for (std::string_view s : {"", "24:00:00", "12:60:00", "12:00:61", "1:02:03", "12:34", "12-34-56",
                             "12:34:56.", "12:34:56.1", "12:34:56.1234", "12:34:56Z", "ab:cd:ef"}) {
    EXPECT_EQ(UtcTimeOnly::parse(s), std::nullopt) << s;
  }
}

TEST(UtcTimeOnlyTest, LeapSecondAtEndOfDayFormatsAsAValidTime) {
  auto t = UtcTimeOnly::parse("23:59:60");
  ASSERT_TRUE(t);
  // Folded into the next second, which is midnight: the result must itself be a valid time.
  EXPECT_TRUE(UtcTimeOnly::parse(t->to_string())) << t->to_string();
  EXPECT_EQ(t->to_string(), "00:00:00");
  // Leap seconds only ever end a UTC day: 60 seconds at any other minute is not a time.
  EXPECT_FALSE(UtcTimeOnly::parse("12:30:60"));
  EXPECT_FALSE(UtcTimestamp::parse("20261122-12:30:60"));
}

// --- dates --------------------------------------------------------------------------------

TEST(DateTest, ParseFormatRoundTrip) {
  for (std::string_view s : {"19700101", "20240229", "20000229", "19991231", "99991231"}) {
    auto d = parse_date(s);
    ASSERT_TRUE(d) << s;
    EXPECT_EQ(fmt_date(*d), s);
  }
  EXPECT_EQ(parse_date("20240229"), (Date{2024, 2, 29}));
}

TEST(DateTest, ParseRejectsMalformedAndImpossibleDates) {
  for (std::string_view s : {"", "2024022", "202402290", "2024-2-1", "abcdefgh", "20240230",
                             "20231229 ", "21000229", "20241301", "20240100"}) {
    EXPECT_EQ(parse_date(s), std::nullopt) << s;
  }
}

TEST(DateTest, FormatPadsWithZeros) { EXPECT_EQ(fmt_date(Date{5, 3, 7}), "00050307"); }

TEST(DateTest, LeapYearRules) {
  EXPECT_TRUE((Date{2024, 2, 29}.valid()));
  EXPECT_TRUE((Date{2000, 2, 29}.valid()));
  EXPECT_FALSE((Date{1900, 2, 29}.valid()));
  EXPECT_FALSE((Date{2023, 2, 29}.valid()));
  EXPECT_FALSE((Date{2023, 0, 1}.valid()));
  EXPECT_FALSE((Date{2023, 4, 31}.valid()));
  EXPECT_FALSE((Date{2023, 1, 0}.valid()));
}

TEST(DateTest, DaysSinceEpochMatchesKnownValues) {
  EXPECT_EQ((Date{1970, 1, 1}.days_since_epoch()), 0);
  EXPECT_EQ((Date{1969, 12, 31}.days_since_epoch()), -1);
  EXPECT_EQ((Date{2000, 3, 1}.days_since_epoch()), 11'017);
  EXPECT_EQ((Date{2024, 2, 29}.days_since_epoch()), 19'782);
  EXPECT_EQ((Date{1, 1, 1}.days_since_epoch()), -719'162);
  EXPECT_EQ((Date{9999, 12, 31}.days_since_epoch()), 2'932'896);
}

TEST(DateTest, DaysSinceEpochRoundTripsThroughCivilDate) {
  for (int64_t days = -719'162; days <= 2'932'896; days += 97) {
    Date d = Date::from_days_since_epoch(days);
    ASSERT_TRUE(d.valid()) << days;
    ASSERT_EQ(d.days_since_epoch(), days);
  }
}

// --- MonthYear ----------------------------------------------------------------------------

TEST(MonthYearTest, AcceptsMonthDayAndWeekForms) {
  for (std::string_view s : {"202401", "202412", "20240131", "20240101", "202401w1", "202412w5"}) {
    EXPECT_TRUE(is_month_year(s)) << s;
  }
}

TEST(MonthYearTest, RejectsMalformedValues) {
  for (std::string_view s :
       {"", "2024", "20240", "202400", "202413", "2024011", "20240132", "20240100", "202401w0",
        "202401w6", "202401W1", "202401x1", "2024-1", "abcd01", "2024011w1", "202401w"}) {
    EXPECT_FALSE(is_month_year(s)) << s;
  }
}

TEST(MonthYearTest, ParsesAndFormatsEachForm) {
  struct Case {
    std::string_view text;
    MonthYear value;
  };
  for (const Case& c : {Case{"202612", {2026, 12}}, Case{"20261231", {2026, 12, 31}},
                        Case{"202612w5", {2026, 12, 0, 5}}, Case{"000001", {0, 1}}}) {
    EXPECT_EQ(MonthYear::parse(c.text), c.value) << c.text;
    EXPECT_EQ(c.value.to_string(), c.text);
  }
  EXPECT_FALSE((MonthYear{2026, 1, 2, 3}.valid()));  // a day and a week
  EXPECT_FALSE((MonthYear{2026, 0}.valid()));
  EXPECT_FALSE((MonthYear{10000, 1}.valid()));
}

// --- MultipleValues -----------------------------------------------------------------------

TEST(MultipleValuesTest, IteratesSpaceSeparatedValues) {
  MultipleValues mv("A B C");
  EXPECT_EQ(mv.next(), "A");
  EXPECT_EQ(mv.next(), "B");
  EXPECT_EQ(mv.next(), "C");
  EXPECT_EQ(mv.next(), std::nullopt);
  EXPECT_EQ(mv.next(), std::nullopt) << "stays at the end";
}

TEST(MultipleValuesTest, SingleValueYieldsItself) {
  EXPECT_EQ(all_values("AB"), std::vector<std::string>{"AB"});
}

TEST(MultipleValuesTest, DoubleAndTrailingSpacesYieldEmptyValues) {
  EXPECT_EQ(all_values("A  B"), (std::vector<std::string>{"A", "", "B"}));
  EXPECT_EQ(all_values("A B "), (std::vector<std::string>{"A", "B", ""}));
  EXPECT_EQ(all_values(" A"), (std::vector<std::string>{"", "A"}));
}

}  // namespace
}  // namespace fixgate::codec
