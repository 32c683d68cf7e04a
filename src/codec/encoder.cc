#include "fixgate/codec/encoder.h"

#include <algorithm>
#include <cassert>
#include <cstring>

#include "fixgate/codec/checksum.h"
#include "scan.h"

namespace fixgate::codec {

Encoder::Encoder(size_t initial_capacity)
    : buf_(std::make_unique_for_overwrite<char[]>(std::max<size_t>(initial_capacity, 128))),
      cap_(std::max<size_t>(initial_capacity, 128)) {}

void Encoder::grow(size_t n) {
  size_t cap = std::max(cap_ * 2, len_ + n + 64);
  auto bigger = std::make_unique_for_overwrite<char[]>(cap);
  std::memcpy(bigger.get(), buf_.get(), len_);
  buf_ = std::move(bigger);
  cap_ = cap;
}

Encoder& Encoder::begin(std::string_view begin_string, std::string_view msg_type) {
  assert(begin_string.size() <= sizeof begin_string_copy_);
  size_t n = std::min(begin_string.size(), sizeof begin_string_copy_);
  if (n != 0) std::memcpy(begin_string_copy_, begin_string.data(), n);  // data() may be null
  begin_string_ = std::string_view(begin_string_copy_, n);
  len_ = kBodyStart;
  return field(35, msg_type);
}

Encoder& Encoder::field_general(Tag tag, std::string_view value) {
  // One capacity check for tag, '=', value and SOH.
  char* out = ensure(value.size() + 12);
  const size_t start = len_;
  size_t n = detail::put_small_uint(out, tag);
  out[n++] = '=';
  if (!value.empty()) std::memcpy(out + n, value.data(), value.size());  // data() may be null
  n += value.size();
  out[n++] = kSoh;
  len_ = start + n;
  return *this;
}

bool Encoder::text_general(Tag tag, std::string_view value) {
  if (value.empty() || detail::find_soh(value.data(), value.data() + value.size())) return false;
  field_general(tag, value);
  return true;
}

Encoder& Encoder::field(Tag tag, const UtcTimeOnly& value) {
  char* out = begin_value(tag, 18);
  return end_value(out + value.format(out));
}

Encoder& Encoder::field(Tag tag, const Date& value) {
  char* out = begin_value(tag, 8);
  return end_value(out + format_date(value, out));
}

Encoder& Encoder::field(Tag tag, const MonthYear& value) {
  char* out = begin_value(tag, 8);
  return end_value(out + value.format(out));
}

Encoder& Encoder::data(Tag length_tag, Tag data_tag, std::string_view bytes) {
  field(length_tag, static_cast<uint64_t>(bytes.size()));
  return field(data_tag, bytes);
}

Encoder& Encoder::raw(std::string_view encoded_fields) {
  char* out = ensure(encoded_fields.size());
  if (!encoded_fields.empty()) std::memcpy(out, encoded_fields.data(), encoded_fields.size());
  len_ += encoded_fields.size();
  return *this;
}

std::string_view Encoder::finish() {
  // Header "8=<begin>|9=<len>|" is written right-aligned against the body, so nothing moves.
  char head[kBodyStart];
  size_t h = 0;
  head[h++] = '8';
  head[h++] = '=';
  std::memcpy(head + h, begin_string_.data(), begin_string_.size());
  h += begin_string_.size();
  head[h++] = kSoh;
  head[h++] = '9';
  head[h++] = '=';
  h += detail::put_uint(head + h, len_ - kBodyStart);
  head[h++] = kSoh;
  assert(h <= kBodyStart);
  const size_t start = kBodyStart - h;
  std::memcpy(buf_.get() + start, head, h);
  uint8_t sum = checksum(std::string_view(buf_.get() + start, len_ - start));
  char* out = ensure(7);
  out[0] = '1';
  out[1] = '0';
  out[2] = '=';
  write_checksum_digits(sum, out + 3);
  out[6] = kSoh;
  len_ += 7;
  return std::string_view(buf_.get() + start, len_ - start);
}

}  // namespace fixgate::codec
