// Validates parsed messages against dictionaries and returns the FIX session reject reason
// (SessionRejectReason 373) and tag, or a BusinessMessageReject reason, as a value.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixgate/codec/message.h"
#include "fixgate/codec/reject_reason.h"
#include "fixgate/dict/dictionary.h"

namespace fixgate::dict {

// QuickFIX's switches, with QuickFIX's defaults.
struct ValidationOptions {
  bool validate_fields_out_of_order = true;   // header first, trailer last, group order
  bool validate_fields_have_values = true;    // "55=|" is rejected (reason 4)
  bool validate_user_defined_fields = true;   // tags >= 5000 must be in the dictionary
  bool allow_unknown_message_fields = false;  // tags < 5000 not in the message are let through
  bool validate_length_and_checksum = true;   // applied by the framer (FramerOptions)
};

struct ValidationError {
  codec::SessionRejectReason reason = codec::SessionRejectReason::kOther;
  Tag tag = 0;            // RefTagID (371), 0 if none
  bool business = false;  // send BusinessMessageReject (j) instead of Reject (3)
  codec::BusinessRejectReason business_reason = codec::BusinessRejectReason::kOther;
  // The Text (58) to send: the spec's wording plus the tag, e.g. "Required tag missing, field=55".
  std::string text() const;
};

class Validator {
 public:
  // FIX 4.x: one dictionary for everything. FIXT.1.1: `transport` is the FIXT dictionary and
  // application dictionaries are added with add_application().
  explicit Validator(Dictionary::Ptr transport, ValidationOptions options = {});

  // Registers an application dictionary (FIXT.1.1), keyed by its ApplVerID. The first one added
  // is the default until set_default_appl_ver_id() says otherwise.
  void add_application(Dictionary::Ptr app);
  // The dictionary for messages without ApplVerID (1128), by code ("9") or name ("FIX.5.0SP2");
  // false, and the default unchanged, when no application dictionary has that version.
  bool set_default_appl_ver_id(std::string_view appl_ver_id);
  // Message types the application handles; others get BusinessMessageReject "Unsupported
  // Message Type". Empty (the default) means every type the dictionary defines.
  void set_supported_message_types(std::vector<std::string> types);

  // Validates `msg`. Not thread-safe (uses scratch space); one Validator per session. A message
  // with the tags and group counts of the last valid one of its type is checked by its values
  // only (see Shape): the verdict is the full walk's, the cost that of the values.
  std::optional<ValidationError> validate(const codec::Message& msg);

  // The dictionary that defines the body of `msg` (by ApplVerID or the default), or nullptr.
  const Dictionary* application_for(const codec::Message& msg) const;
  const Dictionary& transport() const { return *transport_; }
  const ValidationOptions& options() const { return options_; }

 private:
  struct App {
    std::string appl_ver_id;
    Dictionary::Ptr dict;
    std::vector<uint32_t> stamps;
  };
  // Per-call context: where fields are looked up and which scratch stamps to use.
  struct Ctx;
  // The shape of the last valid message of a type: its tags in order, the member each field was
  // validated as (null for an unknown field let through), and the count of every group. A message
  // of that type with the same tags and counts meets every rule but the value rules just as that
  // one did (which tags, their order, repetitions, groups, required fields depend on nothing
  // else), so only its values are checked, in field order as the full walk checks them.
  struct Shape {
    // A field whose value has a rule (Member::checked).
    struct Check {
      uint32_t field;
      const FieldDef* def;
    };
    static constexpr size_t kFormats = static_cast<size_t>(FieldDef::FastFormat::kUtcTimestamp) + 1;
    const MessageDef* def = nullptr;
    size_t size = 0;  // fields; tags and members may be longer
    std::vector<Tag> tags;
    std::vector<const Member*> members;
    std::vector<std::pair<uint32_t, uint64_t>> counts;  // field index of a NumInGroup, entries
    // The checks grouped by their member's fast format, a loop per format. An empty value fails
    // them; the fields without a check are listed apart to be tested for empty values.
    std::array<std::vector<Check>, kFormats> by_format;
    std::vector<uint32_t> unchecked;
    bool grouped = false;  // by_format and unchecked are made from members on the first match
  };
  // Two shapes per set, the set chosen by MessageDef address (5 bits): a flow that alternates
  // two shapes of a type (orders with and without a price, fills and acknowledgments) keeps both.
  static constexpr size_t kShapeSets = 32;
  static size_t shape_set(const MessageDef* def) {
    return (reinterpret_cast<uintptr_t>(def) * 0x9E3779B97F4A7C15u) >> 59;
  }
  // Defined (and only used) in validator.cc, forced inline there.
  static inline bool has_shape(const Shape& shape, std::span<const codec::Field> fields);
  bool check_values(const Shape& shape, std::span<const codec::Field> fields);
  template <FieldDef::FastFormat F>
  bool all_valid(const std::vector<Shape::Check>& checks, std::span<const codec::Field> fields);
  void keep_shape(Shape& shape, const MessageDef* def, std::span<const codec::Field> fields);
  static void group_checks(Shape& shape);
  // The helpers return true to go on, or record the reject in error_ and return false: a bool
  // in a register is cheaper per field than an optional<ValidationError> built in memory.
  bool fail(codec::SessionRejectReason reason, Tag tag) {
    error_ = ValidationError{reason, tag};
    return false;
  }
  // A cheap test inline; the full check of the values it is not sure about out of line.
  bool check_value(const Member& m, std::string_view value);
  bool check_value_full(const FieldDef& def, std::string_view value);
  bool take_member(Ctx& ctx, const Member& m, const codec::Field& f, size_t& i, bool have_values);
  bool walk_group(Ctx& ctx, const FieldSet& group, size_t& i);
  bool walk_small_group(Ctx& ctx, const FieldSet& group, size_t& i);
  bool take_values(const Member* members, const uint8_t* member_index, const codec::Field* fields,
                   size_t i, size_t n, bool have_values);
  bool check_required(const FieldSet& set, uint32_t epoch, const std::vector<uint32_t>& stamps);
  bool validate_fields(const codec::Message& msg);
  uint32_t next_epoch();

  Dictionary::Ptr transport_;
  ValidationOptions options_;
  std::vector<App> apps_;
  size_t default_app_ = 0;
  std::vector<std::string> supported_;
  std::vector<uint32_t> transport_stamps_;
  uint32_t epoch_ = 0;
  std::array<Shape, 2 * kShapeSets> shapes_;         // set i: shapes_[2i], shapes_[2i + 1]
  std::array<uint8_t, kShapeSets> shape_victims_{};  // per set, the one to replace next
  // During a full walk: each field's tag and member (null for an unknown field let through), and
  // each group's count field and entries.
  void note(size_t i, const Member* m, Tag tag) {
    field_members_[i] = m;
    field_tags_[i] = tag;
  }
  std::vector<const Member*> field_members_;
  std::vector<Tag> field_tags_;
  std::vector<std::pair<uint32_t, uint64_t>> group_counts_;
  ValidationError error_;               // the reject of the last validate() that failed
  const char* readable_end_ = nullptr;  // end of the bytes of the message being validated
};

}  // namespace fixgate::dict
