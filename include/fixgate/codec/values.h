// Typed FIX values, parsed and formatted without loss: integers, exact decimals, UTC
// timestamps/times/dates with s/ms/µs/ns precision, chars, booleans, multiple-value strings.
// Parsers are strict (what the FIX spec allows, nothing else) and return nullopt on bad input.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace fixgate::codec {

// int: optional '-', then 1-18 digits. Leading zeros are accepted (FIX allows them).
std::optional<int64_t> parse_int(std::string_view s);
// Non-negative int (SeqNum, Length, NumInGroup …): digits only.
std::optional<uint64_t> parse_uint(std::string_view s);
// char: exactly one byte, not SOH.
std::optional<char> parse_char(std::string_view s);
// Boolean: 'Y' or 'N'.
std::optional<bool> parse_bool(std::string_view s);

// Writes `v` to `out` (at least 20 bytes); returns the number of bytes written.
size_t format_int(int64_t v, char* out);
size_t format_uint(uint64_t v, char* out);

// An exact decimal number: mantissa × 10^-scale. Keeps the text's scale ("1.50" has scale 2), so
// format(parse(x)) == x for canonical text (no redundant leading zeros, a digit on each side of
// the point), and never passes through binary floating point.
class Decimal {
 public:
  static constexpr int kMaxScale = 18;
  static constexpr size_t kMaxLength = 21;  // "-0.000000000000000001", "-9223372036.854775808"
  constexpr Decimal() = default;
  // `scale` must be within 0..kMaxScale (a negative scale has no FIX text form).
  constexpr Decimal(int64_t mantissa, int scale)
      : mantissa_(mantissa), scale_(scale < 0 ? 0 : (scale > kMaxScale ? kMaxScale : scale)) {}

  // FIX float: optional '-', digits, optional '.' and digits (at least one digit overall;
  // up to 18 significant digits). No exponent, no '+', as the spec says.
  static std::optional<Decimal> parse(std::string_view s);

  int64_t mantissa() const { return mantissa_; }
  int scale() const { return scale_; }
  // Writes the canonical text ("-0.50" for (-50, 2)); `out` needs kMaxLength bytes.
  size_t format(char* out) const;
  std::string to_string() const;
  // Approximation for display and analytics only; not used on the wire path.
  double to_double() const;

  // Numeric comparison: 1.5 == 1.50.
  friend bool operator==(const Decimal& a, const Decimal& b) { return compare(a, b) == 0; }
  friend bool operator<(const Decimal& a, const Decimal& b) { return compare(a, b) < 0; }
  static int compare(const Decimal& a, const Decimal& b);
  bool same_representation(const Decimal& o) const {
    return mantissa_ == o.mantissa_ && scale_ == o.scale_;
  }

 private:
  int64_t mantissa_ = 0;
  int scale_ = 0;
};

// Sub-second digits written in a timestamp or time.
enum class TimePrecision : uint8_t { kSeconds = 0, kMillis = 3, kMicros = 6, kNanos = 9 };

// Civil date (proleptic Gregorian).
struct Date {
  int32_t year = 1970;
  uint8_t month = 1;  // 1-12
  uint8_t day = 1;    // 1-31
  friend bool operator==(const Date&, const Date&) = default;
  int64_t days_since_epoch() const;
  static Date from_days_since_epoch(int64_t days);
  bool valid() const;
};

// UTCTimestamp "YYYYMMDD-HH:MM:SS[.sss|.ssssss|.sssssssss]" as nanoseconds since the Unix epoch.
// A leap second (23:59:60) is accepted and folded into the next second; SS=60 at any other
// minute is not a time.
struct UtcTimestamp {
  int64_t nanos = 0;
  TimePrecision precision = TimePrecision::kMillis;

  static std::optional<UtcTimestamp> parse(std::string_view s);
  static constexpr size_t kMaxLength = 27;
  size_t format(char* out) const;  // `out` needs kMaxLength bytes
  std::string to_string() const;
  friend bool operator==(const UtcTimestamp& a, const UtcTimestamp& b) {
    return a.nanos == b.nanos;
  }
};

// UTCTimeOnly "HH:MM:SS[.fff…]" as nanoseconds since midnight.
struct UtcTimeOnly {
  int64_t nanos = 0;
  TimePrecision precision = TimePrecision::kMillis;

  static std::optional<UtcTimeOnly> parse(std::string_view s);
  size_t format(char* out) const;  // `out` needs 18 bytes
  std::string to_string() const;
};

// UTCDateOnly / LocalMktDate "YYYYMMDD".
std::optional<Date> parse_date(std::string_view s);
size_t format_date(const Date& d, char* out);  // 8 bytes

// MonthYear "YYYYMM", "YYYYMMDD" or "YYYYMMwN" (week 1-5): a contract month, narrowed to a
// day or a week when the text says so (day and week are 0 when absent; never both set).
struct MonthYear {
  int32_t year = 1970;  // 0-9999
  uint8_t month = 1;    // 1-12
  uint8_t day = 0;      // 1-31, or 0
  uint8_t week = 0;     // 1-5, or 0
  friend bool operator==(const MonthYear&, const MonthYear&) = default;

  static std::optional<MonthYear> parse(std::string_view s);
  bool valid() const;              // what parse() accepts; format() needs it
  size_t format(char* out) const;  // `out` needs 8 bytes
  std::string to_string() const;
};
bool is_month_year(std::string_view s);

// MultipleValueString / MultipleCharValue: space-separated values. Iterate with next().
class MultipleValues {
 public:
  explicit MultipleValues(std::string_view s) : rest_(s) {}
  // The next value, or nullopt at the end. Empty values (double spaces) are returned as "".
  std::optional<std::string_view> next();

 private:
  std::string_view rest_;
  bool done_ = false;
};

}  // namespace fixgate::codec
