// A FIX data dictionary loaded from QuickFIX-format XML (the files every QuickFIX/J user has):
// fields with types and enums, header, trailer, messages, components (expanded inline) and
// nested repeating groups. Immutable once loaded; share it as shared_ptr<const Dictionary>.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fixgate/base/result.h"
#include "fixgate/codec/field.h"
#include "fixgate/codec/message.h"

namespace fixgate::dict {

enum class FieldType : uint8_t {
  kString,
  kChar,
  kBoolean,
  kInt,
  kLength,
  kNumInGroup,
  kSeqNum,
  kTagNum,
  kDayOfMonth,
  kFloat,
  kQty,
  kPrice,
  kPriceOffset,
  kAmt,
  kPercentage,
  kCurrency,
  kExchange,
  kCountry,
  kLanguage,
  kMultipleValueString,
  kMultipleCharValue,
  kMultipleStringValue,
  kUtcTimestamp,
  kUtcTimeOnly,
  kUtcDateOnly,
  kLocalMktDate,
  kMonthYear,
  kTzTimeOnly,
  kTzTimestamp,
  kLocalMktTime,
  kData,
  kXmlData,
};

// Maps the XML type name ("PRICE", "UTCTIMESTAMP" …); unknown names are treated as strings.
FieldType parse_field_type(std::string_view name);

struct EnumValue {
  std::string value;
  std::string description;
};

struct FieldDef {
  Tag tag = 0;
  std::string name;
  std::string type_name;  // as written in the file
  FieldType type = FieldType::kString;
  std::vector<EnumValue> enums;  // in file order

  bool has_enums() const { return !enums.empty(); }
  bool is_enum_value(std::string_view v) const;
  // Description of enum value `v` ("NEW" for OrdStatus 0), or empty.
  std::string_view enum_description(std::string_view v) const;
  // Single-character enum values as a bitmap (all of them are single characters), so the
  // common CHAR enums (Side, OrdType …) are checked with one bit test.
  bool char_enums_only() const { return char_enums_only_; }
  // False for free-text types without enums, whose values need no check at all.
  bool needs_value_check() const { return needs_value_check_; }
  // Types without enums whose whole check is their format, checked 16 bytes at a time: numbers
  // and times of day; 32 bytes at a time: timestamps.
  enum class FastFormat : uint8_t { kNone, kUint, kInt, kFloat, kUtcTimeOnly, kUtcTimestamp };
  FastFormat fast_format() const { return fast_format_; }
  bool is_char_enum(unsigned char c) const { return char_enum_bits_[c >> 6] >> (c & 63) & 1; }
  // Whether the one-character value `c` passes the full value check (format and enums),
  // precomputed by the loader: most enums (Side, OrdType, MsgType …) are one character.
  bool single_char_ok(unsigned char c) const { return single_char_ok_[c >> 6] >> (c & 63) & 1; }
  bool is_multiple_value() const {
    return type == FieldType::kMultipleValueString || type == FieldType::kMultipleCharValue ||
           type == FieldType::kMultipleStringValue;
  }

  std::vector<uint32_t> sorted_enums_;  // indices into `enums`, sorted by value (set by loader)
  uint64_t char_enum_bits_[4] = {0, 0, 0, 0};
  uint64_t single_char_ok_[4] = {0, 0, 0, 0};
  bool char_enums_only_ = false;
  bool needs_value_check_ = true;
  FastFormat fast_format_ = FastFormat::kNone;
};

class FieldSet;

// A member of a message, group, header or trailer: a field, or a repeating group whose NumInGroup
// field is `tag`.
struct Member {
  Tag tag = 0;
  bool required = false;
  // Copies of def->needs_value_check() and def->fast_format() (set by FieldSet::add), so that a
  // validator starts the value check without reading the definition.
  bool checked = true;
  FieldDef::FastFormat format = FieldDef::FastFormat::kNone;
  const FieldSet* group = nullptr;
  const FieldDef* def = nullptr;  // the field's definition (never null once loaded)
};

// Ordered members with O(1) lookup by tag. Each member also has a dictionary-wide slot number
// (slot_base() + index) that validators use as scratch space.
class FieldSet {
 public:
  std::span<const Member> members() const { return members_; }
  // Position of `tag` among the members, or -1.
  int index_of(Tag tag) const {
    // Most sets span a few hundred tag numbers at most: one array read.
    const uint32_t off = tag - dense_base_;
    if (off < dense_.size()) return dense_[off] == kAbsent ? -1 : dense_[off];
    if (dense_covers_all_) return -1;
    if (mask_ == 0 || tag == 0) return -1;  // 0 marks empty hash slots
    for (uint32_t h = hash(tag) & mask_;; h = (h + 1) & mask_) {
      if (keys_[h] == tag) return values_[h];
      if (keys_[h] == 0) return -1;
    }
  }
  const Member* find(Tag tag) const {
    int i = index_of(tag);
    return i < 0 ? nullptr : &members_[static_cast<size_t>(i)];
  }
  // The first member: a group entry must start with it.
  Tag delimiter() const { return members_.empty() ? 0 : members_.front().tag; }
  std::span<const uint16_t> required() const { return required_; }
  // For sets of at most 64 members: bit i set when member i is required.
  uint64_t required_mask() const { return required_mask_; }
  uint32_t slot_base() const { return slot_base_; }

  // Loader interface.
  bool add(Member m);  // false if the tag is already a member
  void seal(uint32_t slot_base);

 private:
  static uint32_t hash(Tag t) { return (t * 0x9E3779B1u) >> 7; }
  static constexpr uint16_t kAbsent = 0xffff;
  std::vector<Member> members_;
  uint64_t required_mask_ = 0;
  std::vector<uint16_t> dense_;  // member index + for tags dense_base_ …, kAbsent if none
  Tag dense_base_ = 0;
  bool dense_covers_all_ = false;  // every member is in dense_
  std::vector<uint16_t> required_;
  std::vector<Tag> keys_;
  std::vector<uint16_t> values_;
  uint32_t mask_ = 0;
  uint32_t slot_base_ = 0;
};

// Where a tag sits in a message: header, body or trailer, and which member it is there.
struct Placement {
  enum Section : uint8_t { kHeader, kTrailer, kBody };
  Section section = kBody;
  uint16_t index = 0;  // member index in that section's FieldSet
};

struct MessageDef {
  std::string name;
  std::string msg_type;
  bool admin = false;  // msgcat='admin'
  FieldSet body;

  // One lookup for any top-level tag of this message (header, body or trailer).
  const Placement* place(Tag tag) const {
    const uint32_t off = tag - dense_base_;
    if (off < dense_place_.size())
      return dense_place_[off].index == kNoPlace ? nullptr : &dense_place_[off];
    if (dense_covers_all_) return nullptr;
    if (place_mask_ == 0 || tag == 0) return nullptr;  // 0 marks empty hash slots
    for (uint32_t h = (tag * 0x9E3779B1u >> 7) & place_mask_;; h = (h + 1) & place_mask_) {
      if (place_keys_[h] == tag) return &place_values_[h];
      if (place_keys_[h] == 0) return nullptr;
    }
  }
  // Loader interface: builds place() from the header, trailer and body.
  void index_placements(const FieldSet& header, const FieldSet& trailer);

 private:
  static constexpr uint16_t kNoPlace = 0xffff;  // the index of an absent dense entry
  std::vector<Placement> dense_place_;          // for tags dense_base_ …
  Tag dense_base_ = 0;
  bool dense_covers_all_ = false;
  std::vector<Tag> place_keys_;
  std::vector<Placement> place_values_;
  uint32_t place_mask_ = 0;
};

class Dictionary {
 public:
  using Ptr = std::shared_ptr<const Dictionary>;

  static Result<Ptr> load_file(const std::string& path);
  static Result<Ptr> load_string(std::string_view xml, std::string_view source = "<string>");
  // The built-in session-level dictionary (standard header and trailer, the admin messages),
  // used when no dictionary file is configured. `begin_string` is e.g. "FIX.4.2" or "FIXT.1.1".
  static Ptr builtin(std::string_view begin_string);

  const std::string& source() const { return source_; }
  // "FIX.4.4", "FIXT.1.1"; for FIX 5.0 application dictionaries "FIX.5.0SP2".
  const std::string& begin_string() const { return begin_string_; }
  bool is_fixt() const { return type_ == "FIXT"; }
  int major() const { return major_; }
  int minor() const { return minor_; }
  int service_pack() const { return service_pack_; }
  // The ApplVerID (1128) value naming this application version ("9" for FIX 5.0 SP2), or "".
  std::string_view appl_ver_id() const;

  const FieldDef* field(Tag tag) const;
  const FieldDef* field(std::string_view name) const;
  const MessageDef* message(std::string_view msg_type) const;
  const MessageDef* message_by_name(std::string_view name) const;
  std::span<const std::unique_ptr<MessageDef>> messages() const { return messages_; }
  size_t field_count() const { return fields_.size(); }

  const FieldSet& header() const { return header_; }
  const FieldSet& trailer() const { return trailer_; }
  // Length/data pairs from LENGTH and DATA/XMLDATA fields, for parsing with this dictionary.
  const codec::DataFieldTable& data_fields() const { return *data_fields_; }
  // Number of member slots across all field sets (validator scratch size).
  uint32_t slot_count() const { return slot_count_; }

 private:
  friend class Loader;
  Dictionary() = default;

  std::string source_;
  std::string type_ = "FIX";
  std::string begin_string_;
  int major_ = 0, minor_ = 0, service_pack_ = 0;
  std::vector<FieldDef> fields_;
  std::vector<int32_t> field_by_tag_;  // dense index for tags < kDenseTags
  std::unordered_map<Tag, int32_t> field_by_big_tag_;
  std::unordered_map<std::string, int32_t> field_by_name_;
  std::vector<std::unique_ptr<MessageDef>> messages_;
  std::unordered_map<std::string, const MessageDef*> message_by_type_;
  std::array<const MessageDef*, 128> message_by_char_{};  // one-character MsgTypes
  std::unordered_map<std::string, const MessageDef*> message_by_name_;
  FieldSet header_;
  FieldSet trailer_;
  std::vector<std::unique_ptr<FieldSet>> groups_;
  std::unique_ptr<codec::DataFieldTable> data_fields_;
  uint32_t slot_count_ = 0;
};

// The body fields of `msg`, encoded ("55=IBM\x0154=1\x01"): every field that is not in
// `dict`'s header or trailer (the built-in session dictionary's when null). What a reflector
// sends back, or a router forwards, under a header of its own.
std::string body_fields(const codec::Message& msg, const Dictionary* dict = nullptr);

// ApplVerID (1128) ↔ version: "2" FIX.4.0 … "6" FIX.4.4, "7" FIX.5.0, "8" FIX.5.0SP1,
// "9" FIX.5.0SP2. Returns "" when unknown.
std::string_view appl_ver_id_for(std::string_view begin_string);
std::string_view begin_string_for_appl_ver_id(std::string_view appl_ver_id);
// The ApplVerID code for either form QuickFIX accepts: the code itself ("9") or the version's
// name ("FIX.5.0SP2"). "" when it is neither. On the wire, 1128 and 1137 carry the code.
std::string_view appl_ver_id_code(std::string_view code_or_name);

}  // namespace fixgate::dict
