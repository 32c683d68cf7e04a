#include "fixgate/codec/values.h"

#include <cstring>
#include <limits>

#include "fixgate/codec/detail/bytes.h"
#include "fixgate/codec/field.h"

namespace fixgate::codec {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Parses exactly `n` digits at s[pos…]; -1 if any is not a digit.
int digits(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[pos + i];
    if (!is_digit(c)) return -1;
    v = v * 10 + (c - '0');
  }
  return v;
}

void put2(char* out, int v) {
  out[0] = static_cast<char>('0' + v / 10);
  out[1] = static_cast<char>('0' + v % 10);
}

constexpr int64_t kNanosPerSecond = 1'000'000'000;
constexpr int64_t kNanosPerDay = 86'400 * kNanosPerSecond;

// Parses what follows "HH:MM:SS": nothing, or "." and 3, 6 or 9 digits; into nanoseconds.
std::optional<std::pair<int64_t, TimePrecision>> parse_fraction(std::string_view s) {
  if (s.empty()) return std::make_pair(int64_t{0}, TimePrecision::kSeconds);
  const size_t n = s.size() - 1;
  if (s[0] != '.' || (n != 3 && n != 6 && n != 9)) return std::nullopt;
  int64_t f = 0;
  for (size_t i = 1; i < s.size(); ++i) {
    if (!is_digit(s[i])) return std::nullopt;
    f = f * 10 + (s[i] - '0');
  }
  for (size_t i = n; i < 9; ++i) f *= 10;
  return std::make_pair(f, static_cast<TimePrecision>(n));
}

// Parses "HH:MM:SS[.f{3,6,9}]" (leap second allowed) into nanos since midnight.
std::optional<std::pair<int64_t, TimePrecision>> parse_time(std::string_view s) {
  if (s.size() < 8 || s[2] != ':' || s[5] != ':') return std::nullopt;
  int h = digits(s, 0, 2), m = digits(s, 3, 2), sec = digits(s, 6, 2);
  if (h < 0 || m < 0 || sec < 0 || h > 23 || m > 59 || sec > 60) return std::nullopt;
  if (sec == 60 && (h != 23 || m != 59)) return std::nullopt;  // leap seconds end a UTC day
  auto fraction = parse_fraction(s.substr(8));
  if (!fraction) return std::nullopt;
  fraction->first += ((h * 60 + m) * 60 + int64_t{sec}) * kNanosPerSecond;
  return fraction;
}

// Writes the fraction of precision `p` ("" or "." and 3, 6 or 9 digits) of `frac` nanoseconds.
// One division by a constant per precision, then two digits per step: a loop dividing by 10 made
// a chain of dependent multiplies that cost more than the rest of a timestamp.
[[gnu::always_inline]] inline size_t format_fraction(int64_t frac, TimePrecision p, char* out) {
  uint32_t f = static_cast<uint32_t>(frac);  // < 10^9
  switch (p) {
    case TimePrecision::kSeconds:
      return 0;
    case TimePrecision::kMillis:
      f /= 1'000'000;
      out[0] = '.';
      out[1] = static_cast<char>('0' + f / 100);
      detail::put_pair(out + 2, f % 100);
      return 4;
    case TimePrecision::kMicros:
      f /= 1'000;
      break;
    case TimePrecision::kNanos:
      break;
  }
  const size_t n = static_cast<size_t>(p);
  out[0] = '.';
  detail::put_digits_backwards(out + 1 + n, f, n);
  return n + 1;
}

// Writes "HH:MM:SS" of `secs` since midnight.
void format_hms(int64_t secs, char* out) {
  put2(out, static_cast<int>(secs / 3600));
  out[2] = ':';
  put2(out + 3, static_cast<int>(secs / 60 % 60));
  out[5] = ':';
  put2(out + 6, static_cast<int>(secs % 60));
}

size_t format_time(int64_t nanos, TimePrecision p, char* out) {
  format_hms(nanos / kNanosPerSecond, out);
  return 8 + format_fraction(nanos % kNanosPerSecond, p, out + 8);
}

// Floor division: the quotient rounded down, the remainder in [0, d).
std::pair<int64_t, int64_t> floor_div(int64_t v, int64_t d) {
  int64_t q = v / d, r = v % d;
  if (r < 0) {
    r += d;
    --q;
  }
  return {q, r};
}

}  // namespace

std::optional<uint64_t> parse_uint(std::string_view s) {
  if (s.empty() || s.size() > 19) return std::nullopt;
  uint64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + static_cast<uint64_t>(c - '0');
  }
  return v;
}

std::optional<int64_t> parse_int(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  if (s.empty() || s.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : s) {
    if (!is_digit(c)) return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return neg ? -v : v;
}

std::optional<char> parse_char(std::string_view s) {
  if (s.size() != 1 || s[0] == kSoh) return std::nullopt;
  return s[0];
}

std::optional<bool> parse_bool(std::string_view s) {
  if (s == "Y") return true;
  if (s == "N") return false;
  return std::nullopt;
}

size_t format_int(int64_t v, char* out) { return detail::put_int(out, v); }
size_t format_uint(uint64_t v, char* out) { return detail::put_uint(out, v); }

std::optional<Decimal> Decimal::parse(std::string_view s) {
  bool neg = !s.empty() && s[0] == '-';
  if (neg) s.remove_prefix(1);
  int64_t m = 0;
  int scale = 0;
  int significant = 0;
  bool any_digit = false;
  bool dot = false;
  for (char c : s) {
    if (c == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    if (!is_digit(c)) return std::nullopt;
    any_digit = true;
    if (significant > 0 || c != '0') ++significant;
    if (significant > 18) return std::nullopt;
    m = m * 10 + (c - '0');
    if (dot) ++scale;
  }
  if (!any_digit || scale > kMaxScale) return std::nullopt;
  return Decimal(neg ? -m : m, scale);
}

namespace {
// Decimal::format's digits, written backwards from `end`: the fraction's `scale` digits (zeros
// leading a small magnitude's), the point, then `int_digits` digits (at least "0").
template <typename UInt>
void put_decimal_digits(char* end, UInt mag, size_t scale, size_t int_digits) {
  if (scale != 0) {
    mag = detail::put_digits_backwards(end, mag, scale);
    end -= scale + 1;
    *end = '.';
  }
  detail::put_digits_backwards(end, mag, int_digits);
}
}  // namespace

size_t Decimal::format(char* out) const {
  // The length first, then the digits backwards into place, no scratch buffer and no copy.
  const bool negative = mantissa_ < 0;
  const uint64_t mag =
      negative ? 0 - static_cast<uint64_t>(mantissa_) : static_cast<uint64_t>(mantissa_);
  const size_t sc = static_cast<size_t>(scale_);
  const size_t n = detail::digit_count(mag);
  const size_t int_digits = n > sc ? n - sc : 1;
  const size_t len = negative + int_digits + (sc != 0) + sc;
  if (mag <= UINT32_MAX)  // most prices: 32-bit divisions are cheaper
    put_decimal_digits(out + len, static_cast<uint32_t>(mag), sc, int_digits);
  else
    put_decimal_digits(out + len, mag, sc, int_digits);
  if (negative) out[0] = '-';
  return len;
}

std::string Decimal::to_string() const {
  char buf[48];
  return std::string(buf, format(buf));
}

double Decimal::to_double() const {
  double v = static_cast<double>(mantissa_);
  for (int i = 0; i < scale_; ++i) v /= 10;
  return v;
}

int Decimal::compare(const Decimal& a, const Decimal& b) {
  // Bring both to the larger scale in 128-bit arithmetic so nothing overflows.
  __int128 x = a.mantissa_, y = b.mantissa_;
  for (int i = a.scale_; i < b.scale_; ++i) x *= 10;
  for (int i = b.scale_; i < a.scale_; ++i) y *= 10;
  return x < y ? -1 : (x > y ? 1 : 0);
}

int64_t Date::days_since_epoch() const {
  // Howard Hinnant's days_from_civil.
  int32_t y = year - (month <= 2);
  int32_t era = (y >= 0 ? y : y - 399) / 400;
  uint32_t yoe = static_cast<uint32_t>(y - era * 400);
  uint32_t mp = month > 2 ? month - 3u : month + 9u;
  uint32_t doy = (153 * mp + 2) / 5 + day - 1;
  uint32_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return int64_t{era} * 146097 + static_cast<int64_t>(doe) - 719468;
}

Date Date::from_days_since_epoch(int64_t z) {
  z += 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  uint32_t doe = static_cast<uint32_t>(z - era * 146097);
  uint32_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  uint32_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  uint32_t mp = (5 * doy + 2) / 153;
  uint32_t d = doy - (153 * mp + 2) / 5 + 1;
  uint32_t m = mp < 10 ? mp + 3 : mp - 9;
  return Date{static_cast<int32_t>(y + (m <= 2)), static_cast<uint8_t>(m), static_cast<uint8_t>(d)};
}

bool Date::valid() const {
  static constexpr uint8_t kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1]) return false;
  if (month == 2 && day == 29) {
    bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    return leap;
  }
  return true;
}

std::optional<Date> parse_date(std::string_view s) {
  if (s.size() != 8) return std::nullopt;
  int y = digits(s, 0, 4), m = digits(s, 4, 2), d = digits(s, 6, 2);
  if (y < 0 || m < 0 || d < 0) return std::nullopt;
  Date date{y, static_cast<uint8_t>(m), static_cast<uint8_t>(d)};
  if (!date.valid()) return std::nullopt;
  return date;
}

size_t format_date(const Date& d, char* out) {
  put2(out, d.year / 100 % 100);
  put2(out + 2, d.year % 100);
  put2(out + 4, d.month);
  put2(out + 6, d.day);
  return 8;
}

// A thread's timestamps mostly share their second with the one before (the SendingTime of one
// message after another), so parse and format keep the last second they met, per thread, and
// redo only the fraction while it lasts: the date and the time of day cost several times more.
namespace {
constexpr size_t kSecondLength = 17;  // "YYYYMMDD-HH:MM:SS"

struct ParsedSecond {
  bool set = false;
  char text[kSecondLength];
  int64_t nanos;  // of text, whose whole second is within int64 nanoseconds
};
thread_local ParsedSecond last_parsed;

struct FormattedSecond {
  int64_t second = std::numeric_limits<int64_t>::min();  // since the epoch; no second's at first
  char text[kSecondLength] = {};  // initialized: the thread_local then needs no guard
};
// The two seconds formatted last, so that a message's SendingTime (now) and a TransactTime from
// an earlier second keep one each instead of evicting each other at every message.
struct FormattedSeconds {
  FormattedSecond entry[2];
  uint8_t older = 0;  // the entry to replace next
};
thread_local FormattedSeconds last_formatted;
}  // namespace

std::optional<UtcTimestamp> UtcTimestamp::parse(std::string_view s) {
  if (s.size() < kSecondLength || s[8] != '-') return std::nullopt;
  auto fraction = parse_fraction(s.substr(kSecondLength));
  if (!fraction) return std::nullopt;
  ParsedSecond& last = last_parsed;
  if (last.set && std::memcmp(last.text, s.data(), kSecondLength) == 0)
    return UtcTimestamp{last.nanos + fraction->first, fraction->second};
  auto date = parse_date(s.substr(0, 8));
  auto time = parse_time(s.substr(9, 8));
  if (!date || !time) return std::nullopt;
  // Years 0000-9999 parse, but int64 nanoseconds only reach 1677-09-21 .. 2262-04-11.
  constexpr int64_t kMin = std::numeric_limits<int64_t>::min();
  constexpr int64_t kMax = std::numeric_limits<int64_t>::max();
  const __int128 second =
      static_cast<__int128>(date->days_since_epoch()) * kNanosPerDay + time->first;
  const __int128 nanos = second + fraction->first;
  if (nanos < kMin || nanos > kMax) return std::nullopt;
  if (second >= kMin && second + kNanosPerSecond - 1 <= kMax) {
    last.set = true;
    std::memcpy(last.text, s.data(), kSecondLength);
    last.nanos = static_cast<int64_t>(second);
  }
  return UtcTimestamp{static_cast<int64_t>(nanos), fraction->second};
}

namespace {
// A second met in neither entry: formats it into the older one, which becomes the newer.
[[gnu::noinline]] const char* format_second(FormattedSeconds& cache, int64_t second) {
  const uint8_t i = cache.older;
  FormattedSecond& e = cache.entry[i];
  const auto [days, secs] = floor_div(second, 86'400);
  format_date(Date::from_days_since_epoch(days), e.text);
  e.text[8] = '-';
  format_hms(secs, e.text + 9);
  e.second = second;
  cache.older = static_cast<uint8_t>(i ^ 1);
  return e.text;
}
}  // namespace

size_t UtcTimestamp::format(char* out) const {
  // Floor divisions that cannot overflow, even for nanos near INT64_MIN (whose second is far
  // above INT64_MIN, the entries' "none yet").
  const auto [second, frac] = floor_div(nanos, kNanosPerSecond);
  FormattedSeconds& cache = last_formatted;
  const char* text;
  if (cache.entry[0].second == second) {
    text = cache.entry[0].text;
    cache.older = 1;
  } else if (cache.entry[1].second == second) {
    text = cache.entry[1].text;
    cache.older = 0;
  } else {
    text = format_second(cache, second);
  }
  std::memcpy(out, text, kSecondLength);
  return kSecondLength + format_fraction(frac, precision, out + kSecondLength);
}

std::string UtcTimestamp::to_string() const {
  char buf[kMaxLength];
  return std::string(buf, format(buf));
}

std::optional<UtcTimeOnly> UtcTimeOnly::parse(std::string_view s) {
  auto t = parse_time(s);
  if (!t) return std::nullopt;
  // A leap second 23:59:60 folds into the next second, which is midnight, not "24:00:00".
  return UtcTimeOnly{t->first % kNanosPerDay, t->second};
}

size_t UtcTimeOnly::format(char* out) const { return format_time(nanos, precision, out); }

std::string UtcTimeOnly::to_string() const {
  char buf[18];
  return std::string(buf, format(buf));
}

std::optional<MonthYear> MonthYear::parse(std::string_view s) {
  if (s.size() != 6 && s.size() != 8) return std::nullopt;
  int y = digits(s, 0, 4), m = digits(s, 4, 2);
  if (y < 0 || m < 0) return std::nullopt;
  MonthYear my{y, static_cast<uint8_t>(m)};
  if (s.size() == 8) {
    if (s[6] == 'w') {
      int w = digits(s, 7, 1);
      if (w <= 0) return std::nullopt;
      my.week = static_cast<uint8_t>(w);
    } else {
      int d = digits(s, 6, 2);
      if (d <= 0) return std::nullopt;
      my.day = static_cast<uint8_t>(d);
    }
  }
  if (!my.valid()) return std::nullopt;
  return my;
}

bool MonthYear::valid() const {
  return year >= 0 && year <= 9999 && month >= 1 && month <= 12 && day <= 31 && week <= 5 &&
         (day == 0 || week == 0);
}

size_t MonthYear::format(char* out) const {
  put2(out, year / 100 % 100);
  put2(out + 2, year % 100);
  put2(out + 4, month);
  if (day != 0) {
    put2(out + 6, day);
    return 8;
  }
  if (week == 0) return 6;
  out[6] = 'w';
  out[7] = static_cast<char>('0' + week);
  return 8;
}

std::string MonthYear::to_string() const {
  char buf[8];
  return std::string(buf, format(buf));
}

bool is_month_year(std::string_view s) { return MonthYear::parse(s).has_value(); }

std::optional<std::string_view> MultipleValues::next() {
  if (done_) return std::nullopt;
  size_t sp = rest_.find(' ');
  std::string_view v = rest_.substr(0, sp);
  if (sp == std::string_view::npos) {
    done_ = true;
  } else {
    rest_.remove_prefix(sp + 1);
  }
  return v;
}

}  // namespace fixgate::codec
