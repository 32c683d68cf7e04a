// Builds FIX messages into a reusable buffer: fields are appended in order, and finish() writes
// BodyLength and CheckSum in one pass over the bytes. No allocation once the buffer has grown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fixgate/codec/field.h"
#include "fixgate/codec/values.h"

namespace fixgate::codec {

class Encoder {
 public:
  explicit Encoder(size_t initial_capacity = 1024);

  // Starts a new message: 8=begin_string|9=…|35=msg_type|. `begin_string` is at most 16 bytes.
  Encoder& begin(std::string_view begin_string, std::string_view msg_type);

  Encoder& field(Tag tag, std::string_view value);
  Encoder& field(Tag tag, const char* value) { return field(tag, std::string_view(value)); }
  // field() for text that must be a FIX value: writes nothing and returns false when `value`
  // is empty or holds SOH (it would end the field early and smuggle in another).
  bool text(Tag tag, std::string_view value);
  Encoder& field(Tag tag, char value);
  Encoder& field(Tag tag, int64_t value);
  Encoder& field(Tag tag, int value) { return field(tag, static_cast<int64_t>(value)); }
  Encoder& field(Tag tag, uint64_t value);
  Encoder& field(Tag tag, uint32_t value) { return field(tag, static_cast<uint64_t>(value)); }
  Encoder& field(Tag tag, const Decimal& value);
  Encoder& field(Tag tag, const UtcTimestamp& value);
  Encoder& field(Tag tag, const UtcTimeOnly& value);
  Encoder& field(Tag tag, const Date& value);  // UTCDateOnly, LocalMktDate
  Encoder& field(Tag tag, const MonthYear& value);
  Encoder& field(Tag tag, long long value) { return field(tag, static_cast<int64_t>(value)); }
  Encoder& field(Tag tag, unsigned long long value) {
    return field(tag, static_cast<uint64_t>(value));
  }
  // A bool would silently become "1": FIX booleans are 'Y'/'N', written with boolean().
  Encoder& field(Tag tag, bool value) = delete;
  Encoder& boolean(Tag tag, bool value) { return field(tag, value ? 'Y' : 'N'); }
  // A data field with its length field: length_tag=N|data_tag=<N bytes, may hold SOH>|.
  Encoder& data(Tag length_tag, Tag data_tag, std::string_view bytes);
  // Pre-encoded fields ("55=IBM\x0154=1\x01"), copied as they are.
  Encoder& raw(std::string_view encoded_fields);

  // Completes the message and returns it; valid until the next begin().
  std::string_view finish();

  // Bytes written after 9=…| so far; after finish() this includes the 7-byte CheckSum field.
  size_t body_size() const { return len_ - kBodyStart; }
  // Those bytes themselves (from 35=…| on); valid until the next call that writes.
  std::string_view body() const { return {buf_.get() + kBodyStart, len_ - kBodyStart}; }

 private:
  static constexpr size_t kBodyStart = 32;  // room for "8=<16>|9=<10>|" written by finish()
  char* ensure(size_t n) {
    if (cap_ - len_ < n) grow(n);
    return buf_.get() + len_;
  }
  void grow(size_t n);
  [[gnu::noinline]] Encoder& field_general(Tag tag, std::string_view value);
  void put_tag(Tag tag);
  // tag=<what format(out) writes, at most kMax bytes>| (defined in encoder.cc, used only there).
  template <size_t kMax, typename Format>
  Encoder& formatted(Tag tag, Format format);

  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t len_ = kBodyStart;
  std::string_view begin_string_;
  char begin_string_copy_[16];
};

}  // namespace fixgate::codec
