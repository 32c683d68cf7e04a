// Whether a field value is valid for its definition: the format of its type, then its enums.
// Internal to dict: the validator checks values with it, and the loader runs it once per
// one-character value to precompute FieldDef's single-character verdicts.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "fixgate/codec/reject_reason.h"
#include "fixgate/codec/values.h"
#include "fixgate/dict/dictionary.h"

namespace fixgate::dict::detail {

inline bool digits_at(std::string_view v, size_t pos, size_t n) {
  for (size_t i = pos; i < pos + n; ++i)
    if (static_cast<unsigned>(v[i] - '0') > 9) return false;
  return true;
}

inline int two_digits(std::string_view v, size_t pos) {
  return (v[pos] - '0') * 10 + (v[pos + 1] - '0');
}

// "HH:MM:SS[.fff|.ffffff|.fffffffff]" (a leap second 60 allowed), checked without converting.
inline bool is_time(std::string_view v) {
  if (v.size() < 8 || v[2] != ':' || v[5] != ':' || !digits_at(v, 0, 2) || !digits_at(v, 3, 2) ||
      !digits_at(v, 6, 2))
    return false;
  const int h = two_digits(v, 0), sec = two_digits(v, 6);
  if (h > 23 || v[3] > '5' || sec > 60) return false;
  if (sec == 60 && (h != 23 || v[3] != '5' || v[4] != '9')) return false;  // leap second: 23:59:60
  if (v.size() == 8) return true;
  size_t frac = v.size() - 9;
  return v[8] == '.' && (frac == 3 || frac == 6 || frac == 9) && digits_at(v, 9, frac);
}

// "YYYYMMDD", a real calendar date: the same verdict as codec::parse_date(v).has_value().
inline bool is_date(std::string_view v) {
  if (v.size() != 8 || !digits_at(v, 0, 8)) return false;
  static constexpr uint8_t kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int m = two_digits(v, 4), d = two_digits(v, 6);
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  if (m == 2 && d == 29) {
    const int y = two_digits(v, 0) * 100 + two_digits(v, 2);
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  }
  return true;
}

inline bool is_utc_timestamp(std::string_view v) {
  return v.size() >= 17 && v[8] == '-' && is_date(v.substr(0, 8)) && is_time(v.substr(9));
}

// Format checks only: a validator needs "is this a FIX int/float", not the value, and FIX puts no
// limit on the number of digits.
inline bool is_uint(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (static_cast<unsigned>(c - '0') > 9) return false;
  return true;
}

inline bool is_int(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  return is_uint(v);
}

inline bool is_float(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  bool digit = false, dot = false;
  for (char c : v) {
    if (static_cast<unsigned>(c - '0') <= 9) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

inline bool format_ok(FieldType type, std::string_view v) {
  switch (type) {
    case FieldType::kInt:
      return is_int(v);
    case FieldType::kLength:
    case FieldType::kNumInGroup:
    case FieldType::kSeqNum:
    case FieldType::kTagNum:
      return is_uint(v);
    case FieldType::kDayOfMonth: {
      auto d = codec::parse_uint(v);
      return d && *d >= 1 && *d <= 31;
    }
    case FieldType::kFloat:
    case FieldType::kQty:
    case FieldType::kPrice:
    case FieldType::kPriceOffset:
    case FieldType::kAmt:
    case FieldType::kPercentage:
      return is_float(v);
    case FieldType::kChar:
      return v.size() == 1;
    case FieldType::kBoolean:
      return v == "Y" || v == "N";
    case FieldType::kUtcTimestamp:
      return is_utc_timestamp(v);
    case FieldType::kUtcTimeOnly:
      return is_time(v);
    case FieldType::kUtcDateOnly:
    case FieldType::kLocalMktDate:
      return is_date(v);
    case FieldType::kMonthYear:
      return codec::is_month_year(v);
    default:
      return true;
  }
}

// The full check of a non-empty value: true if valid, else false with the reason (incorrect data
// format, or a value that is not one of the enums).
inline bool full_value_check(const FieldDef& def, std::string_view value,
                             codec::SessionRejectReason& reason) {
  using R = codec::SessionRejectReason;
  if (!format_ok(def.type, value)) {
    reason = R::kIncorrectDataFormat;
    return false;
  }
  if (!def.has_enums()) return true;
  bool ok;
  if (def.char_enums_only() && !def.is_multiple_value()) {
    ok = value.size() == 1 && def.is_char_enum(static_cast<unsigned char>(value[0]));
  } else if (def.is_multiple_value()) {
    ok = true;
    codec::MultipleValues values(value);
    while (auto v = values.next())
      if (!def.is_enum_value(*v)) {
        ok = false;
        break;
      }
  } else {
    ok = def.is_enum_value(value);
  }
  if (!ok) reason = R::kValueIsIncorrect;
  return ok;
}

#if defined(__SSE2__)
// Whether the 1-16 bytes at p (16 of them readable) are certainly valid in `format`. For numbers
// this is exactly is_uint / is_int / is_float; for a time of day, "HH:MM:SS" with .sss or
// .ssssss and no leap second only (anything else: false, and the full check decides).
inline bool fast_format_ok(FieldDef::FastFormat format, const char* p, size_t size) {
  using F = FieldDef::FastFormat;
  const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i digit = _mm_and_si128(_mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)),
                                      _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)));
  const uint32_t in_value = (uint32_t{1} << size) - 1;
  const uint32_t digits = static_cast<uint32_t>(_mm_movemask_epi8(digit)) & in_value;
  const uint32_t dots =
      static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8('.')))) & in_value;
  if (format == F::kUtcTimeOnly) {
    // Digits at 0 1 3 4 6 7 and from 9 on, ':' at 2 and 5, '.' at 8 when there is a fraction.
    if (size != 8 && size != 12 && size != 15) return false;
    const uint32_t colons =
        static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(x, _mm_set1_epi8(':')))) & in_value;
    const uint32_t want_digits = 0xdb | (in_value & ~uint32_t{0x1ff});
    const uint32_t want_dots = size > 8 ? 0x100 : 0;
    if (digits != want_digits || colons != 0x24 || dots != want_dots) return false;
    const int h = (p[0] - '0') * 10 + (p[1] - '0');
    const int sec = (p[6] - '0') * 10 + (p[7] - '0');
    return h <= 23 && p[3] <= '5' && sec <= 59;
  }
  uint32_t mask = in_value;
  if (format != F::kUint && p[0] == '-') mask &= ~uint32_t{1};
  if (format != F::kFloat) return mask != 0 && (digits & mask) == mask;
  // Digits and at most one dot, and at least one digit.
  const uint32_t value_dots = dots & mask;
  return ((digits | value_dots) & mask) == mask && (value_dots & (value_dots - 1)) == 0 &&
         (digits & mask) != 0;
}

// Whether the `size` bytes at p (32 of them readable) are certainly a valid UTCTimestamp:
// "YYYYMMDD-HH:MM:SS" with .sss, .ssssss, .sssssssss or no fraction, a real date that is not
// 29 February, no leap second (those: false, and the full check decides).
inline bool fast_timestamp_ok(const char* p, size_t size) {
  if (size != 17 && size != 21 && size != 24 && size != 27) return false;
  auto digit_bits = [](const char* q) {
    const __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(q));
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_and_si128(
        _mm_cmpgt_epi8(x, _mm_set1_epi8('0' - 1)), _mm_cmplt_epi8(x, _mm_set1_epi8('9' + 1)))));
  };
  const uint32_t in_value = (uint32_t{1} << size) - 1;
  const uint32_t digits = (digit_bits(p) | digit_bits(p + 16) << 16) & in_value;
  // Digits at 0-7, 9 10, 12 13, 15 16 and from 18 on; '-' at 8, ':' at 11 and 14, '.' at 17.
  const uint32_t want_digits = 0x1b6ff | (in_value & ~uint32_t{0x3ffff});
  if (digits != want_digits || p[8] != '-' || p[11] != ':' || p[14] != ':' ||
      (size > 17 && p[17] != '.'))
    return false;
  static constexpr uint8_t kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  auto two = [p](int i) { return (p[i] - '0') * 10 + (p[i + 1] - '0'); };
  const int month = two(4), day = two(6);
  return month >= 1 && month <= 12 && day >= 1 && day <= kDays[month - 1] && two(9) <= 23 &&
         p[12] <= '5' && two(15) <= 59;
}
#endif

// A cheap test that passes most valid values: empty ones (whether they may be empty is the
// caller's rule), numbers and times of up to 16 bytes and timestamps in one step when 16 (32)
// bytes are readable (`readable_end`: the end of the buffer `value` lies in), other
// one-character values by the verdict the loader precomputed. `checked` and `format` are
// def.needs_value_check() and def.fast_format(), which a Member carries: `def` is read only for
// a one-character value of a type without a fast format. False means "not sure":
// full_value_check() decides.
[[gnu::always_inline]] inline bool quick_value_ok(bool checked, FieldDef::FastFormat format,
                                                  const FieldDef& def, std::string_view value,
                                                  const char* readable_end) {
  if (!checked || value.empty()) return true;
#if defined(__SSE2__)
  using F = FieldDef::FastFormat;
  if (format != F::kNone) {
    const ptrdiff_t readable = readable_end - value.data();
    if (format == F::kUtcTimestamp)
      return readable >= 32 && fast_timestamp_ok(value.data(), value.size());
    if (value.size() <= 16 && readable >= 16)
      return fast_format_ok(format, value.data(), value.size());
  }
#else
  (void)format;
  (void)readable_end;
#endif
  if (value.size() == 1) return def.single_char_ok(static_cast<unsigned char>(value[0]));
  return false;
}

// quick_value_ok() for the value of a checked member whose fast format F is known at compile
// time. False for an empty value.
template <FieldDef::FastFormat F>
[[gnu::always_inline]] inline bool quick_value_ok_as(const FieldDef& def, std::string_view value,
                                                     const char* readable_end) {
  if (value.size() == 1) return def.single_char_ok(static_cast<unsigned char>(value[0]));
#if defined(__SSE2__)
  using FF = FieldDef::FastFormat;
  const ptrdiff_t readable = readable_end - value.data();
  if constexpr (F == FF::kUtcTimestamp)
    return readable >= 32 && fast_timestamp_ok(value.data(), value.size());
  if constexpr (F != FF::kNone && F != FF::kUtcTimestamp)
    return value.size() <= 16 && readable >= 16 && fast_format_ok(F, value.data(), value.size());
#else
  (void)readable_end;
#endif
  return false;
}

[[gnu::always_inline]] inline bool quick_value_ok(const FieldDef& def, std::string_view value,
                                                  const char* readable_end) {
  return quick_value_ok(def.needs_value_check(), def.fast_format(), def, value, readable_end);
}

// The check the validator runs per field: true if `value` is valid for `def` (empty values
// pass), else false with the reason.
inline bool value_check(const FieldDef& def, std::string_view value,
                        codec::SessionRejectReason& reason, const char* readable_end) {
  return quick_value_ok(def, value, readable_end) || full_value_check(def, value, reason);
}

}  // namespace fixgate::dict::detail
