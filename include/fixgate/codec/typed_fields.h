// Typed reads of parsed fields: a field's text as the FIX type asked for (get<Decimal>(Price)),
// or why there is none (absent, not of that type); and repeating groups walked by their
// NumInGroup tag and delimiter, without a dictionary. Views only: no copy, no allocation.
#pragma once

#include <cassert>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <string_view>
#include <type_traits>

#include "fixgate/codec/field.h"
#include "fixgate/codec/values.h"

namespace fixgate::codec {

// Why a typed read has no value.
enum class FieldError : uint8_t {
  kNone,
  kAbsent,      // no field with that tag
  kInvalid,     // the text is not a value of the type asked for ("12x" as an int)
  kOutOfRange,  // a well-formed integer that the type asked for cannot hold (300 as uint8_t)
};
std::string_view to_string(FieldError e);

// A typed read: the value, or why there is none. Never throws; value() on a failed read is a
// programming error (asserted; release builds get T{}).
template <typename T>
class [[nodiscard]] FieldResult {
 public:
  FieldResult(T value) : value_(value) {}  // NOLINT: implicit, like std::optional
  FieldResult(FieldError error) : error_(error) { assert(error != FieldError::kNone); }

  bool ok() const { return error_ == FieldError::kNone; }
  explicit operator bool() const { return ok(); }
  bool absent() const { return error_ == FieldError::kAbsent; }
  FieldError error() const { return error_; }
  const T& value() const {
    assert(ok());
    return value_;
  }
  const T& operator*() const { return value(); }
  const T* operator->() const { return &value(); }
  T value_or(T fallback) const { return ok() ? value_ : fallback; }
  std::optional<T> optional() const { return ok() ? std::optional<T>(value_) : std::nullopt; }

 private:
  T value_{};
  FieldError error_ = FieldError::kNone;
};

// How a field's text reads as T. Specialized for every FIX type the codec parses; anything
// else fails to compile here rather than reading wrongly.
template <typename T>
struct FieldTraits {
  static_assert(!std::is_floating_point_v<T>, "FIX floats are exact: read them as codec::Decimal");
  static_assert(std::is_floating_point_v<T>,
                "get<T>: T is one of std::string_view, char, bool, an integer, Decimal, "
                "UtcTimestamp, UtcTimeOnly, Date (UTCDateOnly, LocalMktDate) or MonthYear");
};

namespace detail {
template <typename T>
FieldResult<T> from_optional(std::optional<T> v) {
  return v ? FieldResult<T>(*v) : FieldResult<T>(FieldError::kInvalid);
}
template <typename T>
concept FixInteger = std::integral<T> && !std::same_as<T, bool> && !std::same_as<T, char>;
}  // namespace detail

template <>
struct FieldTraits<std::string_view> {
  static FieldResult<std::string_view> parse(std::string_view s) { return s; }
};
template <>
struct FieldTraits<char> {
  static FieldResult<char> parse(std::string_view s) {
    return detail::from_optional(parse_char(s));
  }
};
template <>
struct FieldTraits<bool> {
  static FieldResult<bool> parse(std::string_view s) {
    return detail::from_optional(parse_bool(s));
  }
};
template <detail::FixInteger T>
struct FieldTraits<T> {
  static FieldResult<T> parse(std::string_view s) {
    if constexpr (std::is_signed_v<T>) {
      std::optional<int64_t> v = parse_int(s);
      if (!v) return FieldError::kInvalid;
      if (*v < std::numeric_limits<T>::min() || *v > std::numeric_limits<T>::max())
        return FieldError::kOutOfRange;
      return static_cast<T>(*v);
    } else {
      std::optional<uint64_t> v = parse_uint(s);
      if (!v) return FieldError::kInvalid;
      if (*v > std::numeric_limits<T>::max()) return FieldError::kOutOfRange;
      return static_cast<T>(*v);
    }
  }
};
template <>
struct FieldTraits<Decimal> {
  static FieldResult<Decimal> parse(std::string_view s) {
    return detail::from_optional(Decimal::parse(s));
  }
};
template <>
struct FieldTraits<UtcTimestamp> {
  static FieldResult<UtcTimestamp> parse(std::string_view s) {
    return detail::from_optional(UtcTimestamp::parse(s));
  }
};
template <>
struct FieldTraits<UtcTimeOnly> {
  static FieldResult<UtcTimeOnly> parse(std::string_view s) {
    return detail::from_optional(UtcTimeOnly::parse(s));
  }
};
template <>
struct FieldTraits<Date> {
  static FieldResult<Date> parse(std::string_view s) {
    return detail::from_optional(parse_date(s));
  }
};
template <>
struct FieldTraits<MonthYear> {
  static FieldResult<MonthYear> parse(std::string_view s) {
    return detail::from_optional(MonthYear::parse(s));
  }
};

// The typed value of `field`, which may be null (absent).
template <typename T>
FieldResult<T> read_field(const Field* field) {
  if (!field) return FieldError::kAbsent;
  return FieldTraits<T>::parse(field->value);
}

class GroupRange;

// The reads by tag that Message and FieldRange share, over the find_field(tag) each has: a
// field as text, or as a type T (get<Decimal>(tag::Price)) telling absent from malformed.
template <typename Fields>
class FieldReads {
 public:
  bool has(Tag tag) const { return self().find_field(tag) != nullptr; }
  std::optional<std::string_view> get(Tag tag) const {
    const Field* f = self().find_field(tag);
    return f ? std::optional<std::string_view>(f->value) : std::nullopt;
  }
  template <typename T>
  FieldResult<T> get(Tag tag) const {
    return read_field<T>(self().find_field(tag));
  }

 private:
  const Fields& self() const { return static_cast<const Fields&>(*this); }
};

// A run of parsed fields (a message's, a group entry's) read by tag: the first field with the
// tag, a linear scan. A view: the fields and the bytes they point into must outlive it.
class FieldRange : public FieldReads<FieldRange> {
 public:
  FieldRange() = default;
  explicit FieldRange(std::span<const Field> fields) : fields_(fields) {}

  std::span<const Field> fields() const { return fields_; }
  size_t size() const { return fields_.size(); }
  bool empty() const { return fields_.empty(); }
  const Field* begin() const { return fields_.data(); }
  const Field* end() const { return fields_.data() + fields_.size(); }
  const Field& operator[](size_t i) const { return fields_[i]; }

  const Field* find_field(Tag tag) const {
    for (const Field& f : fields_)
      if (f.tag == tag) return &f;
    return nullptr;
  }
  // A group within these fields (a nested group, when this is an entry): see GroupRange.
  GroupRange group(Tag count_tag, Tag delimiter) const;

 private:
  std::span<const Field> fields_;
};

// Why a group cannot be walked as it was declared.
enum class GroupError : uint8_t {
  kNone,
  kAbsent,         // no NumInGroup field with that tag
  kBadCount,       // the NumInGroup value is not a non-negative integer
  kCountMismatch,  // fewer entries (each starting with the delimiter) than the count declares
};
std::string_view to_string(GroupError e);

// A repeating group found without a dictionary, from its NumInGroup tag and its delimiter (the
// first tag of every entry, which FIX requires). Entry i runs from its delimiter to the next
// one. The end of the last entry is not written on the wire: here it runs to the end of the
// fields searched (the message body, or the enclosing entry), so a tag that the last entry
// lacks may be found after the group. Where that matters, use dict::GroupView, which knows each
// group's members. At most the declared count of entries is walked.
//   for (FieldRange party : msg.group(tag::NoPartyIDs, tag::PartyID))
//     party.get<int>(tag::PartyRole) ...
class GroupRange {
 public:
  class iterator {
   public:
    using value_type = FieldRange;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    FieldRange operator*() const { return FieldRange({pos_, entry_end_}); }
    iterator& operator++() {
      --left_;
      pos_ = entry_end_;
      entry_end_ = left_ == 0 ? pos_ : next_entry(pos_, scope_end_, delimiter_);
      return *this;
    }
    iterator operator++(int) {
      iterator before = *this;
      ++*this;
      return before;
    }
    friend bool operator==(const iterator& a, const iterator& b) { return a.left_ == b.left_; }

   private:
    friend class GroupRange;
    iterator(const Field* pos, const Field* scope_end, Tag delimiter, size_t left)
        : pos_(pos), scope_end_(scope_end), delimiter_(delimiter), left_(left) {
      entry_end_ = left_ == 0 ? pos_ : next_entry(pos_, scope_end_, delimiter_);
    }
    const Field* pos_ = nullptr;
    const Field* entry_end_ = nullptr;
    const Field* scope_end_ = nullptr;
    Tag delimiter_ = 0;
    size_t left_ = 0;  // entries from pos_ on
  };

  GroupRange() = default;
  // The group whose NumInGroup field is the first `count_tag` among `fields`.
  GroupRange(std::span<const Field> fields, Tag count_tag, Tag delimiter);

  bool ok() const { return error_ == GroupError::kNone; }
  GroupError error() const { return error_; }
  // Entries found (at most the declared count); they are what iteration yields.
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  // The NumInGroup value as a number (0 when absent or not a number).
  uint64_t declared_count() const { return declared_; }
  Tag count_tag() const { return count_tag_; }
  Tag delimiter() const { return delimiter_; }

  iterator begin() const { return iterator(first_, scope_end_, delimiter_, size_); }
  iterator end() const { return iterator(); }
  // Entry i (walks i entries: iterate to visit them all).
  FieldRange operator[](size_t i) const;

 private:
  // Where the entry starting at `pos` ends: the next delimiter, or the end of the scope.
  static const Field* next_entry(const Field* pos, const Field* scope_end, Tag delimiter) {
    for (++pos; pos < scope_end && pos->tag != delimiter;) ++pos;
    return pos;
  }
  const Field* first_ = nullptr;      // the first entry's delimiter
  const Field* scope_end_ = nullptr;  // the end of the fields searched
  Tag count_tag_ = 0;
  Tag delimiter_ = 0;
  uint64_t declared_ = 0;
  size_t size_ = 0;
  GroupError error_ = GroupError::kAbsent;
};

inline GroupRange FieldRange::group(Tag count_tag, Tag delimiter) const {
  return GroupRange(fields_, count_tag, delimiter);
}

}  // namespace fixgate::codec
