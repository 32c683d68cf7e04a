#include "fixgate/codec/message.h"

#include <algorithm>
#include <cassert>
#include <cstring>
#include <optional>
#include <type_traits>

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
  kinds_.resize(kKindTags);
  for (Tag t = 0; t < kKindTags; ++t)
    kinds_[t] = static_cast<uint8_t>(static_cast<uint8_t>(header_slot_of(t)) |
                                     (length_tag_for(t) != 0 ? kDataKind : 0));
  kinds_[0] |= kDataKind;  // no tag (the fast tag parse gave up): the general path decides
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
    case ParseError::kNone:
      return "none";
    case ParseError::kBadTag:
      return "invalid tag number";
    case ParseError::kMissingValue:
      return "field without '=' or SOH";
    case ParseError::kBadDataLength:
      return "data field length missing, invalid or overrunning";
    case ParseError::kBadHeader:
      return "BeginString, BodyLength, MsgType are not the first fields";
    case ParseError::kBadTrailer:
      return "CheckSum is not the last field";
  }
  return "unknown";
}

void Message::assign_copy(const Message& parsed, std::string_view copy) {
  assert(copy.size() == parsed.bytes_.size());
  if (capacity_ < parsed.size_) grow(parsed.size_);
  const char* const from = parsed.bytes_.data();
  for (size_t i = 0; i < parsed.size_; ++i) {
    const Field& f = parsed.fields_[i];
    fields_[i] =
        Field{f.tag, std::string_view(copy.data() + (f.value.data() - from), f.value.size())};
  }
  size_ = parsed.size_;
  slots_ = parsed.slots_;
  bytes_ = copy;
}

std::span<const Field> Message::without_trailer() const {
  size_t n = size_;
  while (n > 0 && (fields_[n - 1].tag == tag::CheckSum || fields_[n - 1].tag == tag::Signature ||
                   fields_[n - 1].tag == tag::SignatureLength))
    --n;
  return {fields_.get(), n};
}

void Message::grow(size_t min_capacity) {
  size_t cap = std::max<size_t>({capacity_ * 2, min_capacity, 64});
  auto bigger = std::make_unique_for_overwrite<Field[]>(cap);
  std::copy(fields_.get(), fields_.get() + size_, bigger.get());
  fields_ = std::move(bigger);
  capacity_ = cap;
}

namespace {

// One field parsed by the general path: any tag length, data fields, and every error.
struct ScannedField {
  ParseError error = ParseError::kNone;
  Tag tag = 0;
  const char* value = nullptr;
  const char* value_end = nullptr;  // the SOH that ends the value
};

// Parses the field at p (before end); `prev` is the field before it, or null.
ScannedField scan_field(const char* p, const char* const end, const Field* prev,
                        const DataFieldTable& data_fields) {
  const char* const field_start = p;
  // Tag: 1-9 digits without a leading zero, then '='.
  Tag tag = 0;
  while (p < end && static_cast<unsigned>(*p - '0') < 10)
    tag = tag * 10 + static_cast<Tag>(*p++ - '0');
  const size_t tag_len = static_cast<size_t>(p - field_start);
  if (p >= end) return {ParseError::kMissingValue};
  if (*p != '=' || tag_len == 0 || tag_len > 9 || *field_start == '0') {
    // An '=' before this field's SOH means the text in front of it is not a tag ("3a=x");
    // none means the field has no value ("58|").
    const char* q = p;
    while (q < end && *q != '=' && *q != kSoh) ++q;
    return {q < end && *q == '=' ? ParseError::kBadTag : ParseError::kMissingValue};
  }
  ++p;  // '='
  const char* value_end;
  Tag length_tag = data_fields.length_tag_for(tag);
  if (length_tag != 0 && prev && prev->tag == length_tag) {
    auto len = parse_uint(prev->value);
    if (!len || *len >= static_cast<uint64_t>(end - p) || p[*len] != kSoh)
      return {ParseError::kBadDataLength};
    value_end = p + *len;
  } else {
    value_end = detail::find_soh(p, end);
    if (!value_end) return {ParseError::kMissingValue};
  }
  return {ParseError::kNone, tag, p, value_end};
}

}  // namespace

ParseResult Message::parse(std::string_view bytes, const DataFieldTable& data_fields) {
  bytes_ = bytes;
  size_ = 0;
  const char* const base = bytes.data();
  const char* const end = base + bytes.size();
  const size_t n = bytes.size();
  // Where each field ends comes from a bitmask of the SOHs in 64 bytes at a time, not from
  // scanning the field: no field waits for the one before it to be parsed, so the CPU works on
  // several at once. Invariant: `sohs` holds the SOHs of the block at or after `pos`.
  // The loop keeps the count, the field array and its capacity, the header slots and the
  // data-tag filter in locals: stores into fields_ could alias members, which would otherwise be
  // reloaded and stored again for every field.
  size_t count = 0;
  Field* out = fields_.get();
  size_t capacity = capacity_;
  const uint8_t* const kinds = data_fields.kinds();
  // The first field of each header slot: the smallest index stored there. kCount is a dummy
  // slot for every other tag, so that the general loop below needs no branch to tell them apart
  // (the fast loop skips body fields with one, taken the same way for most fields).
  std::array<uint32_t, static_cast<size_t>(HeaderSlot::kCount) + 1> slots;
  constexpr uint8_t kBodyKind = static_cast<uint8_t>(HeaderSlot::kCount);  // no slot, not data
  slots.fill(kNoSlot);
  // Copied in 16-byte pieces: GCC compiles a copy of the whole array here to a rep movs, which
  // takes longer to start than the copy takes.
  auto keep_slots = [&] {
    constexpr size_t kPiece = 16 / sizeof(uint32_t);
    size_t i = 0;
    for (; i + kPiece <= slots_.size(); i += kPiece)
      std::memcpy(slots_.data() + i, slots.data() + i, 16);
    std::memcpy(slots_.data() + i, slots.data() + i, (slots_.size() - i) * sizeof(uint32_t));
  };
  // Room for 64 more fields whenever SOH bits are loaded: the fast path takes one field per bit,
  // so it needs no capacity test of its own. Only the general path stores a field without one.
  auto make_room = [&](size_t fields) {
    if (capacity - count < fields) [[unlikely]] {
      size_ = count;
      grow(count + fields);
      out = fields_.get();
      capacity = capacity_;
    }
  };
  make_room(64);
  size_t pos = 0;
  size_t block = 0;
  uint64_t sohs = n ? detail::soh_bits(base, n, 0) : 0;
  // Slot indexes saturate at kNoSlot, which only a message of 3 * kNoSlot bytes or more can reach
  // (every field takes 3 bytes or more, "1=|"): below that the loop runs no clamp per field. The
  // loop is bound by ALU operations: dropping the clamp's compare and move gained 3-6%.
  auto scan = [&](auto huge) -> std::optional<ParseResult> {
    // The first field of each header slot: the smallest index stored there.
    auto note_slot = [&](uint8_t kind) {
      const size_t s = kind & ~DataFieldTable::kDataKind;
      const auto index =
          static_cast<uint32_t>(!decltype(huge)::value || count < kNoSlot ? count : kNoSlot);
      slots[s] = std::min(slots[s], index);
    };
    while (pos < n) {
      // The common field, in a loop of its own that calls nothing, so that its state stays in
      // registers: a tag of 1-3 digits (below kKindTags, so its kind needs no bound check), not a
      // data field, its SOH among the SOH bits. parse_short_tag() reads no further than the first
      // byte that is not a digit, so no further than that SOH: no test of the bytes left. A body
      // field fills no header slot and skips the slot update. Any other field takes one round of
      // the general loop below.
      while (sohs != 0) {
        const char* const field_start = base + pos;
        Tag tag;
        size_t tag_len;
        if (!detail::parse_short_tag(field_start, tag, tag_len)) break;
        const uint8_t kind = kinds[tag];
        if (kind != kBodyKind) [[unlikely]] {
          if (kind & DataFieldTable::kDataKind) break;
          note_slot(kind);
        }
        const size_t soh = block + static_cast<unsigned>(__builtin_ctzll(sohs));
        sohs &= sohs - 1;
        const char* const value = field_start + tag_len + 1;
        out[count] = Field{tag, std::string_view(value, static_cast<size_t>(base + soh - value))};
        ++count;
        pos = soh + 1;
      }
      if (pos >= n) break;
      if (sohs == 0) {
        while (sohs == 0 && block + 64 < n) {
          block += 64;
          sohs = detail::soh_bits(base, n, block);
        }
        make_room(64);
      }
      const char* const field_start = base + pos;
      // The fast path: a tag of up to 7 digits, not a data field, and a SOH after it.
      Tag tag = 0;
      size_t tag_len = 0;
      if (n - pos >= 8) [[likely]] {
        tag = detail::parse_tag(field_start, tag_len);
      } else {
        char padded[8] = {};  // zero bytes are neither digits nor '='
        if (n >= 8) {
          // The last 8 bytes, shifted down to start at the field: no copy call for the CheckSum.
          uint64_t w;
          std::memcpy(&w, end - 8, 8);
          w >>= 8 * (8 - (n - pos));
          std::memcpy(padded, &w, 8);
        } else {
          std::memcpy(padded, field_start, n - pos);
        }
        tag = detail::parse_tag(padded, tag_len);
      }
      const char* value;
      const char* value_end;
      // Whether the tag is a data tag and which header slot it fills: one table read.
      auto kind_of = [kinds](Tag t) {
        return t < DataFieldTable::kKindTags
                   ? kinds[t]
                   : static_cast<uint8_t>(static_cast<uint8_t>(HeaderSlot::kCount) |
                                          DataFieldTable::kDataKind);
      };
      uint8_t kind = kind_of(tag);
      if (sohs != 0 && !(kind & DataFieldTable::kDataKind)) [[likely]] {
        value = field_start + tag_len + 1;
        size_t soh = block + static_cast<size_t>(__builtin_ctzll(sohs));
        value_end = base + soh;
        sohs &= sohs - 1;
        pos = soh + 1;
      } else {
        ScannedField f =
            scan_field(field_start, end, count ? &out[count - 1] : nullptr, data_fields);
        if (f.error != ParseError::kNone) {
          size_ = count;
          keep_slots();
          return std::optional<ParseResult>(
              ParseResult{f.error, static_cast<size_t>(field_start - base)});
        }
        tag = f.tag;
        kind = kind_of(tag);
        value = f.value;
        value_end = f.value_end;
        // The value may hold SOHs (a data field): restart the mask after it.
        pos = static_cast<size_t>(value_end - base) + 1;
        block = pos & ~size_t{63};
        sohs = pos < n ? detail::soh_bits(base, n, block) & (~uint64_t{0} << (pos - block)) : 0;
        make_room(65);  // this field and the next block's
      }
      out[count] = Field{tag, std::string_view(value, static_cast<size_t>(value_end - value))};
      note_slot(kind);
      ++count;
    }
    return std::nullopt;
  };
  const bool huge = n >= size_t{3} * kNoSlot;
  if (auto error = huge ? scan(std::true_type{}) : scan(std::false_type{})) return *error;
  size_ = count;
  keep_slots();
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
