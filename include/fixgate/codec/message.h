// A parsed FIX message: a zero-copy view of (tag, value) fields over the caller's bytes, with
// O(1) access to the standard header fields. Owns only a reusable field index.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

#include "fixgate/codec/field.h"
#include "fixgate/codec/tags.h"
#include "fixgate/codec/typed_fields.h"

namespace fixgate::codec {

// Which length field announces which data field (whose value may contain SOH).
class DataFieldTable {
 public:
  explicit DataFieldTable(std::span<const DataFieldPair> pairs);
  // The standard pairs of FIX 4.0-5.0 SP2 (RawData, SecureData, XmlData, EncodedText, …).
  static const DataFieldTable& standard();

  // The length tag paired with data tag `data`, or 0.
  Tag length_tag_for(Tag data) const {
    if (data < kBits && !(bits_[data >> 6] >> (data & 63) & 1)) return 0;
    return lookup(data);
  }
  std::span<const DataFieldPair> pairs() const { return pairs_; }
  // For the parser, one byte per tag below kKindTags: the tag's header slot (HeaderSlot, kCount
  // for none) in the low bits, kDataKind if it is a data tag or 0 (no tag). Above: kCount |
  // kDataKind, ask length_tag_for() and header_slot_of().
  static constexpr Tag kKindTags = 2048;
  static constexpr uint8_t kDataKind = 0x80;
  const uint8_t* kinds() const { return kinds_.data(); }

 private:
  static constexpr Tag kBits = 1 << 16;
  Tag lookup(Tag data) const;
  std::vector<DataFieldPair> pairs_;  // sorted by data tag
  std::vector<uint64_t> bits_;        // data tags below kBits
  std::vector<uint8_t> kinds_;        // see kinds()
};

enum class ParseError : uint8_t {
  kNone,
  kBadTag,         // a tag that is not 1-9 digits without a leading zero
  kMissingValue,   // no '=' or no SOH terminating the field
  kBadDataLength,  // a data field whose length field is not a number or overruns
  kBadHeader,      // BeginString, BodyLength, MsgType are not the first three fields
  kBadTrailer,     // CheckSum is not the last field
};

std::string_view to_string(ParseError e);

struct ParseResult {
  ParseError error = ParseError::kNone;
  size_t offset = 0;  // where in the bytes the problem starts
  bool ok() const { return error == ParseError::kNone; }
};

// Well-known header/trailer fields with O(1) accessors.
enum class HeaderSlot : uint8_t {
  kBeginString,
  kBodyLength,
  kMsgType,
  kSenderCompID,
  kTargetCompID,
  kMsgSeqNum,
  kSendingTime,
  kPossDupFlag,
  kPossResend,
  kOrigSendingTime,
  kSenderSubID,
  kSenderLocationID,
  kTargetSubID,
  kTargetLocationID,
  kOnBehalfOfCompID,
  kDeliverToCompID,
  kApplVerID,
  kLastMsgSeqNumProcessed,
  kCheckSum,
  kCount
};

class Message : public FieldReads<Message> {
 public:
  using const_iterator = const Field*;

  Message() = default;
  Message(const Message&) = delete;  // a view plus scratch storage: parse again, or assign_copy
  Message& operator=(const Message&) = delete;
  // The field storage moves; the moved-from message is empty.
  Message(Message&& other) noexcept { *this = std::move(other); }
  Message& operator=(Message&& other) noexcept {
    if (this == &other) return *this;
    bytes_ = other.bytes_;
    fields_ = std::move(other.fields_);
    size_ = other.size_;
    capacity_ = std::exchange(other.capacity_, 0);
    slots_ = other.slots_;
    other.clear();
    return *this;
  }

  // Parses one complete message (as framed by next_frame). The view refers to `bytes`, which
  // must outlive it. Reuses storage: steady-state parsing does not allocate.
  ParseResult parse(std::string_view bytes,
                    const DataFieldTable& data_fields = DataFieldTable::standard());

  // `parsed`'s fields without parsing again, as views into `copy`: a copy of parsed.bytes(),
  // which must outlive this. For keeping a parsed message together with a copy of its bytes.
  void assign_copy(const Message& parsed, std::string_view copy);
  // Empty, viewing nothing; the storage is kept.
  void clear() {
    bytes_ = {};
    size_ = 0;
    slots_ = no_slots();
  }

  std::string_view bytes() const { return bytes_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  const Field& operator[](size_t i) const { return fields_[i]; }
  const_iterator begin() const { return fields_.get(); }
  const_iterator end() const { return fields_.get() + size_; }
  std::span<const Field> fields() const { return {fields_.get(), size_}; }

  // First field with `tag` (header slots are O(1); other tags are a linear scan).
  const Field* find_field(Tag tag) const;
  // get(tag), get<T>(tag) and has(tag) come from FieldReads (typed_fields.h).
  // A repeating group by its NumInGroup tag and delimiter, without a dictionary (GroupRange
  // says where its last entry ends); entries read with the same typed get.
  GroupRange group(Tag count_tag, Tag delimiter) const {
    return GroupRange(without_trailer(), count_tag, delimiter);
  }
  // Every field but the trailer (SignatureLength, Signature, CheckSum at the end).
  std::span<const Field> without_trailer() const;
  // Index of the first field with `tag` at or after `from`, or size().
  size_t index_of(Tag tag, size_t from = 0) const;

  std::string_view header(HeaderSlot slot) const {
    uint32_t i = slots_[static_cast<size_t>(slot)];
    return i == kNoSlot ? std::string_view() : fields_[i].value;
  }
  bool has_header(HeaderSlot slot) const { return slots_[static_cast<size_t>(slot)] != kNoSlot; }
  std::string_view begin_string() const { return header(HeaderSlot::kBeginString); }
  std::string_view msg_type() const { return header(HeaderSlot::kMsgType); }
  std::string_view sender_comp_id() const { return header(HeaderSlot::kSenderCompID); }
  std::string_view target_comp_id() const { return header(HeaderSlot::kTargetCompID); }
  std::string_view sending_time() const { return header(HeaderSlot::kSendingTime); }
  // MsgSeqNum as a number; nullopt if missing or not a positive integer.
  std::optional<uint64_t> seq_num() const;
  bool poss_dup() const { return header(HeaderSlot::kPossDupFlag) == "Y"; }
  bool poss_resend() const { return header(HeaderSlot::kPossResend) == "Y"; }
  bool is_admin() const;  // session-level MsgType: 0 1 2 3 4 5 A

 private:
  // 32-bit slots: a 1 MB message can hold far more than 65535 fields.
  static constexpr uint32_t kNoSlot = 0xffffffff;
  void grow(size_t min_capacity);  // to at least min_capacity fields, keeping the first size_
  std::string_view bytes_;
  std::unique_ptr<Field[]> fields_;
  size_t size_ = 0;
  size_t capacity_ = 0;
  using Slots = std::array<uint32_t, static_cast<size_t>(HeaderSlot::kCount)>;
  static constexpr Slots no_slots() {
    Slots s{};
    s.fill(kNoSlot);
    return s;
  }
  // No header field until a parse: a message never parsed reads as empty, as a cleared one does.
  Slots slots_ = no_slots();
};

// The header slot for `tag`, or HeaderSlot::kCount.
HeaderSlot header_slot_of(Tag tag);

}  // namespace fixgate::codec
