#include "fixgate/codec/message_builder.h"

#include <string>

#include "fixgate/codec/tags.h"

namespace fixgate::codec {

std::string_view to_string(BuildError e) {
  switch (e) {
    case BuildError::kNone:
      return "none";
    case BuildError::kNoMsgType:
      return "no valid MsgType";
    case BuildError::kBadTag:
      return "tag not allowed in a body";
    case BuildError::kBadValue:
      return "value empty, holding SOH, or not of its type";
    case BuildError::kFieldOutsideEntry:
      return "group field before the group's first entry()";
    case BuildError::kBadDelimiter:
      return "group entry not starting with the delimiter";
    case BuildError::kEmptyEntry:
      return "group entry without fields";
    case BuildError::kCountMismatch:
      return "group entries differ from the declared count";
    case BuildError::kNoOpenGroup:
      return "entry() or end_group() outside a group";
    case BuildError::kTooDeep:
      return "groups nested too deep";
    case BuildError::kGroupOpen:
      return "group not ended";
  }
  return "unknown";
}

MessageBuilder::MessageBuilder(std::string_view msg_type, size_t initial_capacity)
    : enc_(initial_capacity) {
  reset(msg_type);
}

MessageBuilder& MessageBuilder::reset_invalid() {
  fail(BuildError::kNoMsgType, tag::MsgType);
  enc_.begin({}, {});
  msg_type_size_ = 0;
  return *this;
}

bool MessageBuilder::fail(BuildError e, Tag tag, size_t declared, size_t added) {
  if (error_ == BuildError::kNone) {  // the first misuse explains the rest
    error_ = e;
    error_tag_ = tag;
    error_declared_ = declared;
    error_added_ = added;
  }
  return false;
}

bool MessageBuilder::accept_in_group(Tag tag) {
  OpenGroup& g = groups_[depth_ - 1];
  if (g.added == 0) return fail(BuildError::kFieldOutsideEntry, tag);
  if (g.entry_empty) {
    g.entry_empty = false;
    if (g.added == 1)
      g.delimiter = tag;
    else if (tag != g.delimiter)
      return fail(BuildError::kBadDelimiter, tag);
  }
  return true;
}

BuildError MessageBuilder::error() const {
  if (error_ == BuildError::kNone && depth_ != 0) return BuildError::kGroupOpen;
  return error_;
}

Status MessageBuilder::status() const {
  const BuildError e = error();
  if (e == BuildError::kNone) return Status::ok();
  std::string text = "message builder: " + std::string(to_string(e));
  if (e == BuildError::kGroupOpen) {
    text += " (group " + std::to_string(groups_[depth_ - 1].count_tag) + ")";
  } else if (e == BuildError::kCountMismatch) {
    text += " (group " + std::to_string(error_tag_) + ": " + std::to_string(error_declared_) +
            " entries declared, " + std::to_string(error_added_) + " added)";
  } else if (error_tag_ != 0) {
    text += " (tag " + std::to_string(error_tag_) + ")";
  }
  return Status::error(std::move(text));
}

MessageBuilder& MessageBuilder::set(Tag tag, const UtcTimeOnly& value) {
  constexpr int64_t kNanosPerDay = 86'400'000'000'000;
  if (value.nanos < 0 || value.nanos >= kNanosPerDay) [[unlikely]]
    fail(BuildError::kBadValue, tag);
  else if (accept(tag))
    enc_.field(tag, value);
  return *this;
}

MessageBuilder& MessageBuilder::set(Tag tag, const Date& value) {
  if (!value.valid() || value.year < 0 || value.year > 9999) [[unlikely]]
    fail(BuildError::kBadValue, tag);
  else if (accept(tag))
    enc_.field(tag, value);
  return *this;
}

MessageBuilder& MessageBuilder::set(Tag tag, const MonthYear& value) {
  if (!value.valid()) [[unlikely]]
    fail(BuildError::kBadValue, tag);
  else if (accept(tag))
    enc_.field(tag, value);
  return *this;
}

MessageBuilder& MessageBuilder::set_data(Tag length_tag, Tag data_tag, std::string_view bytes) {
  if (bytes.empty()) [[unlikely]] {
    fail(BuildError::kBadValue, data_tag);
    return *this;
  }
  // The length field is the entry's field as far as delimiters go; the data follows it.
  if (accept(length_tag) && accept(data_tag)) enc_.data(length_tag, data_tag, bytes);
  return *this;
}

MessageBuilder& MessageBuilder::begin_group(Tag count_tag, size_t entries) {
  if (depth_ == kMaxDepth) [[unlikely]] {
    fail(BuildError::kTooDeep, count_tag);
    return *this;
  }
  if (accept(count_tag)) enc_.field(count_tag, static_cast<uint64_t>(entries));
  // Opened even after a failure, so that the calls that follow still pair up.
  groups_[depth_++] = OpenGroup{count_tag, 0, entries, 0, false};
  return *this;
}

MessageBuilder& MessageBuilder::entry() {
  if (depth_ == 0) [[unlikely]] {
    fail(BuildError::kNoOpenGroup, 0);
    return *this;
  }
  OpenGroup& g = groups_[depth_ - 1];
  if (g.added > 0 && g.entry_empty) fail(BuildError::kEmptyEntry, g.count_tag);
  if (++g.added > g.declared) fail(BuildError::kCountMismatch, g.count_tag, g.declared, g.added);
  g.entry_empty = true;
  return *this;
}

MessageBuilder& MessageBuilder::end_group() {
  if (depth_ == 0) [[unlikely]] {
    fail(BuildError::kNoOpenGroup, 0);
    return *this;
  }
  const OpenGroup& g = groups_[--depth_];
  if (g.added > 0 && g.entry_empty) fail(BuildError::kEmptyEntry, g.count_tag);
  if (g.added != g.declared) fail(BuildError::kCountMismatch, g.count_tag, g.declared, g.added);
  return *this;
}

}  // namespace fixgate::codec
