#include "fixgate/codec/typed_fields.h"

namespace fixgate::codec {

std::string_view to_string(FieldError e) {
  switch (e) {
    case FieldError::kNone:
      return "none";
    case FieldError::kAbsent:
      return "field absent";
    case FieldError::kInvalid:
      return "value not of the type asked for";
    case FieldError::kOutOfRange:
      return "integer out of range for the type asked for";
  }
  return "unknown";
}

std::string_view to_string(GroupError e) {
  switch (e) {
    case GroupError::kNone:
      return "none";
    case GroupError::kAbsent:
      return "group count field absent";
    case GroupError::kBadCount:
      return "group count is not a non-negative integer";
    case GroupError::kCountMismatch:
      return "fewer group entries than the count declares";
  }
  return "unknown";
}

GroupRange::GroupRange(std::span<const Field> fields, Tag count_tag, Tag delimiter)
    : scope_end_(fields.data() + fields.size()), count_tag_(count_tag), delimiter_(delimiter) {
  const Field* count = fields.data();
  while (count < scope_end_ && count->tag != count_tag) ++count;
  if (count == scope_end_) return;  // kAbsent
  std::optional<uint64_t> declared = parse_uint(count->value);
  if (!declared) {
    error_ = GroupError::kBadCount;
    return;
  }
  declared_ = *declared;
  first_ = count + 1;
  // Invariant: `pos` is at the delimiter of entry size_ (the first must follow the count).
  for (const Field* pos = first_; size_ < declared_ && pos < scope_end_ && pos->tag == delimiter;
       pos = next_entry(pos, scope_end_, delimiter))
    ++size_;
  error_ = size_ == declared_ ? GroupError::kNone : GroupError::kCountMismatch;
}

FieldRange GroupRange::operator[](size_t i) const {
  assert(i < size_);
  iterator it = begin();
  for (; i > 0; --i) ++it;
  return *it;
}

}  // namespace fixgate::codec
