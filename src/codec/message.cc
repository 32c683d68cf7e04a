#include "fixgate/codec/message.h"

#include <algorithm>
#include <cstring>

#include "fixgate/codec/values.h"
#include "scan.h"

namespace fixgate::codec {
namespace {

// Tag → header slot for tags below kSlotTableSize; everything else has no slot.
constexpr size_t kSlotTableSize = 1129;
struct SlotTable {
  std::array<uint8_t, kSlotTableSize> slot{};
  constexpr SlotTable() {
    for (auto& s : slot) s = static_cast<uint8_t>(HeaderSlot::kCount);
    auto set = [&](Tag t, HeaderSlot s) { slot[t] = static_cast<uint8_t>(s); };
    set(tag::BeginString, HeaderSlot::kBeginString);
    set(tag::BodyLength, HeaderSlot::kBodyLength);
    set(tag::MsgType, HeaderSlot::kMsgType);
    set(tag::SenderCompID, HeaderSlot::kSenderCompID);
    set(tag::TargetCompID, HeaderSlot::kTargetCompID);
    set(tag::MsgSeqNum, HeaderSlot::kMsgSeqNum);
    set(tag::SendingTime, HeaderSlot::kSendingTime);
    set(tag::PossDupFlag, HeaderSlot::kPossDupFlag);
    set(tag::PossResend, HeaderSlot::kPossResend);
    set(tag::OrigSendingTime, HeaderSlot::kOrigSendingTime);
    set(tag::SenderSubID, HeaderSlot::kSenderSubID);
    set(tag::SenderLocationID, HeaderSlot::kSenderLocationID);
    set(tag::TargetSubID, HeaderSlot::kTargetSubID);
    set(tag::TargetLocationID, HeaderSlot::kTargetLocationID);
    set(tag::OnBehalfOfCompID, HeaderSlot::kOnBehalfOfCompID);
    set(tag::DeliverToCompID, HeaderSlot::kDeliverToCompID);
    set(tag::ApplVerID, HeaderSlot::kApplVerID);
    set(tag::LastMsgSeqNumProcessed, HeaderSlot::kLastMsgSeqNumProcessed);
    set(tag::CheckSum, HeaderSlot::kCheckSum);
  }
};
constexpr SlotTable kSlots;

}  // namespace

HeaderSlot header_slot_of(Tag tag) {
  return tag < kSlotTableSize ? static_cast<HeaderSlot>(kSlots.slot[tag]) : HeaderSlot::kCount;
}

DataFieldTable::DataFieldTable(std::span<const DataFieldPair> pairs)
    : pairs_(pairs.begin(), pairs.end()), bits_(kBits / 64) {
  std::sort(pairs_.begin(), pairs_.end(),
            [](const DataFieldPair& a, const DataFieldPair& b) { return a.data < b.data; });
  for (const auto& p : pairs_)
    if (p.data < kBits) bits_[p.data >> 6] |= uint64_t{1} << (p.data & 63);
}

const DataFieldTable& DataFieldTable::standard() {
  static const DataFieldTable table(kStandardDataFields);
  return table;
}

Tag DataFieldTable::lookup(Tag data) const {
  auto it = std::lower_bound(pairs_.begin(), pairs_.end(), data,
                             [](const DataFieldPair& p, Tag t) { return p.data < t; });
  return it != pairs_.end() && it->data == data ? it->length : 0;
}

std::string_view to_string(ParseError e) {
  switch (e) {
    case ParseError::kNone: return "none";
    case ParseError::kBadTag: return "invalid tag number";
    case ParseError::kMissingValue: return "field without '=' or SOH";
    case ParseError::kBadDataLength: return "data field length missing, invalid or overrunning";
    case ParseError::kBadHeader: return "BeginString, BodyLength, MsgType are not the first fields";
    case ParseError::kBadTrailer: return "CheckSum is not the last field";
  }
  return "unknown";
}

void Message::grow() {
  size_t cap = std::max<size_t>(capacity_ * 2, 64);
  auto bigger = std::make_unique_for_overwrite<Field[]>(cap);
  std::copy(fields_.get(), fields_.get() + size_, bigger.get());
  fields_ = std::move(bigger);
  capacity_ = cap;
}

ParseResult Message::parse(std::string_view bytes, const DataFieldTable& data_fields) {
  bytes_ = bytes;
  size_ = 0;
  slots_.fill(kNoSlot);
  const char* const base = bytes.data();
  const char* p = base;
  const char* const end = base + bytes.size();
  auto fail = [&](ParseError e, const char* at) {
    return ParseResult{e, static_cast<size_t>(at - base)};
  };
  while (p < end) {
    const char* const field_start = p;
    // Tag: 1-9 digits without a leading zero, then '='.
    Tag tag = 0;
    size_t tag_len = 0;
    if (end - p >= 8 && (tag = detail::parse_tag8(p, tag_len)) != 0) {
      p += tag_len;
    } else {
      while (p < end && static_cast<unsigned>(*p - '0') < 10) tag = tag * 10 + static_cast<Tag>(*p++ - '0');
      tag_len = static_cast<size_t>(p - field_start);
    }
    if (p >= end) return fail(ParseError::kMissingValue, field_start);
    if (*p != '=' || tag_len == 0 || tag_len > 9 || *field_start == '0') {
      // An '=' before this field's SOH means the text in front of it is not a tag ("3a=x");
      // none means the field has no value ("58|").
      const char* q = p;
      while (q < end && *q != '=' && *q != kSoh) ++q;
      return fail(q < end && *q == '=' ? ParseError::kBadTag : ParseError::kMissingValue,
                  field_start);
    }
    ++p;  // '='
    const char* value_end;
    Tag length_tag = data_fields.length_tag_for(tag);
    if (length_tag != 0 && size_ > 0 && fields_[size_ - 1].tag == length_tag) {
      auto len = parse_uint(fields_[size_ - 1].value);
      if (!len || *len >= static_cast<uint64_t>(end - p) || p[*len] != kSoh)
        return fail(ParseError::kBadDataLength, field_start);
      value_end = p + *len;
    } else {
      value_end = detail::find_soh(p, end);
      if (!value_end) return fail(ParseError::kMissingValue, field_start);
    }
    if (size_ == capacity_) grow();
    fields_[size_] = Field{tag, std::string_view(p, static_cast<size_t>(value_end - p))};
    if (tag < kSlotTableSize) {
      uint8_t s = kSlots.slot[tag];
      if (s != static_cast<uint8_t>(HeaderSlot::kCount) && slots_[s] == kNoSlot && size_ < kNoSlot)
        slots_[s] = static_cast<uint32_t>(size_);
    }
    ++size_;
    p = value_end + 1;
  }
  // Three fields with the right header and no CheckSum is a trailer problem, not a header one.
  if (size_ < 3 || fields_[0].tag != tag::BeginString || fields_[1].tag != tag::BodyLength ||
      fields_[2].tag != tag::MsgType)
    return {ParseError::kBadHeader, 0};
  if (fields_[size_ - 1].tag != tag::CheckSum) return {ParseError::kBadTrailer, bytes.size()};
  return {};
}

const Field* Message::find_field(Tag tag) const {
  HeaderSlot s = header_slot_of(tag);
  if (s != HeaderSlot::kCount) {
    uint32_t i = slots_[static_cast<size_t>(s)];
    return i == kNoSlot ? nullptr : &fields_[i];
  }
  for (const Field& f : *this)
    if (f.tag == tag) return &f;
  return nullptr;
}

size_t Message::index_of(Tag tag, size_t from) const {
  for (size_t i = from; i < size_; ++i)
    if (fields_[i].tag == tag) return i;
  return size_;
}

std::optional<uint64_t> Message::seq_num() const {
  auto v = parse_uint(header(HeaderSlot::kMsgSeqNum));
  if (!v || *v == 0) return std::nullopt;
  return v;
}

bool Message::is_admin() const {
  std::string_view t = msg_type();
  return t.size() == 1 && ((t[0] >= '0' && t[0] <= '5') || t[0] == 'A');
}

}  // namespace fixgate::codec
