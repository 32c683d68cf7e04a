// Builds FIX messages into a reusable buffer: fields are appended in order, and finish() writes
// BodyLength and CheckSum in one pass over the bytes. No allocation once the buffer has grown.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string_view>

#include "fixgate/codec/detail/bytes.h"
#include "fixgate/codec/field.h"
#include "fixgate/codec/values.h"

namespace fixgate::codec {

class Encoder {
 public:
  explicit Encoder(size_t initial_capacity = 1024);

  // Starts a new message: 8=begin_string|9=…|35=msg_type|. `begin_string` is at most 16 bytes.
  Encoder& begin(std::string_view begin_string, std::string_view msg_type);

  // Inline: the common field (a tag below 10000, a value of up to 32 bytes, room for both) costs
  // no call, and a constant tag's digits fold at compile time.
  Encoder& field(Tag tag, std::string_view value) {
    if (tag >= 10000 || value.size() > 32 || cap_ - len_ < value.size() + 12) [[unlikely]]
      return field_general(tag, value);
    const size_t start = len_;  // in a register: the byte stores below could alias len_
    char* out = buf_.get() + start;
    size_t n = detail::put_small_uint(out, tag);
    out[n++] = '=';
    detail::copy_small(out + n, value.data(), value.size());
    n += value.size();
    out[n++] = kSoh;
    len_ = start + n;
    return *this;
  }
  Encoder& field(Tag tag, const char* value) { return field(tag, std::string_view(value)); }
  // field() for text that must be a FIX value: writes nothing and returns false when `value`
  // is empty or holds SOH (it would end the field early and smuggle in another). The common
  // field is checked on the words copied, with no second pass over the value.
  bool text(Tag tag, std::string_view value) {
    if (value.empty() || tag >= 10000 || value.size() > 32 || cap_ - len_ < value.size() + 12)
        [[unlikely]]
      return text_general(tag, value);
    const size_t start = len_;
    char* out = buf_.get() + start;
    size_t n = detail::put_small_uint(out, tag);
    out[n++] = '=';
    // The bytes written past len_ are not the message's until len_ moves over them.
    if (detail::copy_small_has_soh(out + n, value.data(), value.size())) [[unlikely]]
      return false;
    n += value.size();
    out[n++] = kSoh;
    len_ = start + n;
    return true;
  }
  Encoder& field(Tag tag, char value) {
    char* out = ensure(14);  // one check for the tag's 10 bytes, '=', the char and SOH
    size_t n = detail::put_small_uint(out, tag);
    out[n] = '=';
    out[n + 1] = value;
    out[n + 2] = kSoh;
    len_ += n + 3;
    return *this;
  }
  // Numbers, decimals and timestamps: one capacity check for the whole field, then the value
  // written straight into place (inline, so that a constant tag's digits fold here too).
  Encoder& field(Tag tag, int64_t value) {
    char* out = begin_value(tag, 20);
    return end_value(out + detail::put_int(out, value));
  }
  Encoder& field(Tag tag, int value) { return field(tag, static_cast<int64_t>(value)); }
  Encoder& field(Tag tag, uint64_t value) {
    char* out = begin_value(tag, 20);
    return end_value(out + detail::put_uint(out, value));
  }
  Encoder& field(Tag tag, uint32_t value) { return field(tag, static_cast<uint64_t>(value)); }
  Encoder& field(Tag tag, const Decimal& value) {
    char* out = begin_value(tag, Decimal::kMaxLength);
    return end_value(out + value.format(out));
  }
  Encoder& field(Tag tag, const UtcTimestamp& value) {
    char* out = begin_value(tag, UtcTimestamp::kMaxLength);
    return end_value(out + value.format(out));
  }
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
  // begin() with no BeginString, inline: MessageBuilder::reset(), where a constant MsgType then
  // folds. begin() itself stays out of line: inlined, it moved the code of callers' field loops
  // about and made them measurably slower (codec_bench Encode, same instructions).
  friend class MessageBuilder;
  Encoder& begin_body(std::string_view msg_type) {
    begin_string_ = std::string_view(begin_string_copy_, 0);
    len_ = kBodyStart;
    return field(35, msg_type);
  }
  [[gnu::noinline]] Encoder& field_general(Tag tag, std::string_view value);
  // text() past the fast path: empty, a long value, a big tag, or a buffer to grow.
  [[gnu::noinline]] bool text_general(Tag tag, std::string_view value);
  // Writes "tag=" with room after it for a value of up to `value_max` bytes and the SOH, and
  // returns where the value goes; end_value(its end) writes the SOH and takes the field in.
  char* begin_value(Tag tag, size_t value_max) {
    char* out = ensure(11 + value_max + 1);  // a tag's 10 digits and '=', the value, SOH
    const size_t n = detail::put_small_uint(out, tag);
    out[n] = '=';
    return out + n + 1;
  }
  Encoder& end_value(char* value_end) {
    *value_end = kSoh;
    len_ = static_cast<size_t>(value_end + 1 - buf_.get());
    return *this;
  }

  std::unique_ptr<char[]> buf_;
  size_t cap_ = 0;
  size_t len_ = kBodyStart;
  std::string_view begin_string_;
  char begin_string_copy_[16];
};

}  // namespace fixgate::codec
