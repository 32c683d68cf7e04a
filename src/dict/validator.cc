#include "fixgate/dict/validator.h"

#include <algorithm>
#include <limits>

#include "fixgate/codec/values.h"
#include "value_check.h"

namespace fixgate::dict {

using codec::Field;
using codec::SessionRejectReason;
using R = SessionRejectReason;

namespace {

// Where `tag` sits when the header and trailer come from one dictionary (FIXT's transport) and
// the body from another (the application's); header and trailer first, as MessageDef::place().
const Placement* place_split(const FieldSet& header, const FieldSet& trailer, const FieldSet& body,
                             Tag tag, Placement& out) {
  Placement::Section section = Placement::kHeader;
  int i = header.index_of(tag);
  if (i < 0) {
    section = Placement::kTrailer;
    i = trailer.index_of(tag);
  }
  if (i < 0) {
    section = Placement::kBody;
    i = body.index_of(tag);
  }
  if (i < 0) return nullptr;
  out = Placement{section, static_cast<uint16_t>(i)};
  return &out;
}

}  // namespace

std::string ValidationError::text() const {
  std::string s(business ? codec::to_string(business_reason) : codec::to_string(reason));
  if (tag != 0) s += ", field=" + std::to_string(tag);
  return s;
}

struct Validator::Ctx {
  std::span<const Field> fields;
  const Dictionary& transport;
  const Dictionary& body_dict;
  std::vector<uint32_t>& transport_stamps;
  std::vector<uint32_t>& body_stamps;

  const FieldDef* field_def(Tag tag) const {
    const FieldDef* d = body_dict.field(tag);
    return d ? d : transport.field(tag);
  }
};

Validator::Validator(Dictionary::Ptr transport, ValidationOptions options)
    : transport_(std::move(transport)), options_(options) {
  transport_stamps_.assign(transport_->slot_count(), 0);
}

void Validator::add_application(Dictionary::Ptr app) {
  std::string id(app->appl_ver_id());
  std::vector<uint32_t> stamps(app->slot_count(), 0);
  apps_.push_back(App{std::move(id), std::move(app), std::move(stamps)});
}

bool Validator::set_default_appl_ver_id(std::string_view appl_ver_id) {
  const std::string_view code = appl_ver_id_code(appl_ver_id);
  for (size_t i = 0; i < apps_.size(); ++i) {
    if (apps_[i].appl_ver_id == code) {
      default_app_ = i;
      return true;
    }
  }
  return false;
}

void Validator::set_supported_message_types(std::vector<std::string> types) {
  supported_ = std::move(types);
  std::sort(supported_.begin(), supported_.end());
}

const Dictionary* Validator::application_for(const codec::Message& msg) const {
  if (apps_.empty()) return transport_.get();
  std::string_view id = msg.header(codec::HeaderSlot::kApplVerID);
  if (!id.empty()) {
    // The code, or (read as QuickFIX reads it) the version's name.
    const std::string_view code = id.size() == 1 ? id : appl_ver_id_code(id);
    for (const App& a : apps_)
      if (a.appl_ver_id == code) return a.dict.get();
    return nullptr;
  }
  return apps_[default_app_].dict.get();
}

uint32_t Validator::next_epoch() {
  if (++epoch_ == 0) {  // wrapped: forget every stamp so none can match by accident
    std::fill(transport_stamps_.begin(), transport_stamps_.end(), 0);
    for (App& a : apps_) std::fill(a.stamps.begin(), a.stamps.end(), 0);
    epoch_ = 1;
  }
  return epoch_;
}

[[gnu::noinline]] bool Validator::check_value_full(const FieldDef& def, std::string_view value) {
  R reason;
  return detail::full_value_check(def, value, reason) || fail(reason, def.tag);
}

[[gnu::always_inline]] inline bool Validator::check_value(const Member& m, std::string_view value) {
  return detail::quick_value_ok(m.checked, m.format, *m.def, value, readable_end_) ||
         check_value_full(*m.def, value);
}

bool Validator::check_required(const FieldSet& set, uint32_t epoch,
                               const std::vector<uint32_t>& stamps) {
  for (uint16_t idx : set.required())
    if (stamps[set.slot_base() + idx] != epoch)
      return fail(R::kRequiredTagMissing, set.members()[idx].tag);
  return true;
}

// Walks a repeating group whose NumInGroup field is fields[i]; on return `i` is past the group.
// A group member's field: its value, then (a NumInGroup) its own group; `i` moves past both.
[[gnu::always_inline]] inline bool Validator::take_member(Ctx& ctx, const Member& m, const Field& f,
                                                          size_t& i, bool have_values) {
  note(i, &m, f.tag);
  if (f.value.empty()) {
    if (have_values) return fail(R::kTagSpecifiedWithoutValue, f.tag);
  } else if (!check_value(m, f.value)) {
    return false;
  }
  if (m.group) return walk_group(ctx, *m.group, i);
  ++i;
  return true;
}

bool Validator::walk_group(Ctx& ctx, const FieldSet& group, size_t& i) {
  if (group.members().size() <= 64) return walk_small_group(ctx, group, i);
  const size_t count_at = i;
  const Tag count_tag = ctx.fields[i].tag;
  const uint64_t declared = codec::parse_uint(ctx.fields[i].value).value_or(0);
  ++i;
  uint64_t entries = 0;
  uint32_t epoch = 0;
  int last = -1;
  // Locals, not reloads through members on every field: stores into the stamps could alias them.
  std::vector<uint32_t>& stamps = ctx.body_stamps;
  uint32_t* const group_stamps = stamps.data() + group.slot_base();  // next_epoch() keeps it
  const Member* const members = group.members().data();
  const Field* const fields = ctx.fields.data();
  const size_t field_count = ctx.fields.size();
  const bool out_of_order = options_.validate_fields_out_of_order;
  const bool have_values = options_.validate_fields_have_values;
  while (i < field_count) {
    const Field& f = fields[i];
    const int idx = group.index_of(f.tag);
    if (idx < 0) break;  // the first field that is not a member ends the group
    if (idx == 0) {
      if (entries > 0)
        if (!check_required(group, epoch, stamps)) return false;
      ++entries;
      epoch = next_epoch();
      last = 0;
    } else {
      if (entries == 0) return fail(R::kRepeatingGroupFieldsOutOfOrder, f.tag);
      if (group_stamps[idx] == epoch) return fail(R::kTagAppearsMoreThanOnce, f.tag);
      if (out_of_order && idx < last) return fail(R::kRepeatingGroupFieldsOutOfOrder, f.tag);
      last = idx;
    }
    group_stamps[idx] = epoch;
    if (!take_member(ctx, members[idx], f, i, have_values)) return false;
  }
  if (entries > 0)
    if (!check_required(group, epoch, stamps)) return false;
  if (entries != declared) return fail(R::kIncorrectNumInGroupCount, count_tag);
  group_counts_.emplace_back(static_cast<uint32_t>(count_at), declared);
  return true;
}

// walk_group() for a group of at most 64 members (nearly all of them): the members seen in the
// current entry are bits of a register, not stamps in memory. Same rules, same rejects.
namespace {

// A group's first entry, when no nested group is in it: an entry that starts with the same tags
// meets the rules of the walk but the value rules just as it did, up to where it stops (the
// walk's state then is the first entry's), so only its values are checked. Entries of a group
// are mostly alike: market data levels, legs, parties.
struct FirstEntry {
  size_t begin = 0;   // index of its delimiter
  size_t size = 0;    // its fields, once it is complete and flat; else 0
  bool flat = true;   // no nested group met in it so far
  uint64_t seen = 0;  // the walk's state at its end
  int last = 0;
  uint8_t members[64];  // member index of each field (at most 64: each member once)

  // Whether the entry starting at fields[i] (a delimiter) starts with this one's tags.
  bool starts(const Field* fields, size_t i, size_t field_count) const {
    if (size == 0 || i + size > field_count) return false;
    size_t k = 1;
    while (k < size && fields[i + k].tag == fields[begin + k].tag) ++k;
    return k == size;
  }
};

}  // namespace

// take_member() for `n` fields from fields[i] without nested groups, member_index[k] being the
// member of fields[i + k].
bool Validator::take_values(const Member* members, const uint8_t* member_index, const Field* fields,
                            size_t i, size_t n, bool have_values) {
  for (size_t k = 0; k < n; ++k) {
    const Field& f = fields[i + k];
    const Member& m = members[member_index[k]];
    note(i + k, &m, f.tag);
    if (f.value.empty()) {
      if (have_values) return fail(R::kTagSpecifiedWithoutValue, f.tag);
    } else if (!check_value(m, f.value)) {
      return false;
    }
  }
  return true;
}

bool Validator::walk_small_group(Ctx& ctx, const FieldSet& group, size_t& i) {
  const size_t count_at = i;
  const Tag count_tag = ctx.fields[i].tag;
  const uint64_t declared = codec::parse_uint(ctx.fields[i].value).value_or(0);
  ++i;
  uint64_t entries = 0;
  uint64_t seen = 0;  // members present in the current entry
  int last = -1;
  FirstEntry first;
  const uint64_t required = group.required_mask();
  const Member* const members = group.members().data();
  const Field* const fields = ctx.fields.data();
  const size_t field_count = ctx.fields.size();
  const bool out_of_order = options_.validate_fields_out_of_order;
  const bool have_values = options_.validate_fields_have_values;
  // The first required member missing from the entry, as check_required() reports it.
  auto missing = [&] {
    return fail(R::kRequiredTagMissing, members[__builtin_ctzll(required & ~seen)].tag);
  };
  while (i < field_count) {
    const Field& f = fields[i];
    const int idx = group.index_of(f.tag);
    if (idx < 0) break;  // the first field that is not a member ends the group
    const uint64_t bit = uint64_t{1} << idx;
    if (idx == 0) {
      if (entries > 0 && (required & ~seen) != 0) return missing();
      if (entries == 1 && first.flat) {
        first.size = i - first.begin;
        first.seen = seen;
        first.last = last;
      }
      if (++entries == 1) first.begin = i;
      if (first.starts(fields, i, field_count)) {
        if (!take_values(members, first.members, fields, i, first.size, have_values)) return false;
        i += first.size;
        seen = first.seen;
        last = first.last;
        continue;
      }
      seen = 0;
      last = 0;
    } else {
      if (entries == 0) return fail(R::kRepeatingGroupFieldsOutOfOrder, f.tag);
      if (seen & bit) return fail(R::kTagAppearsMoreThanOnce, f.tag);
      if (out_of_order && idx < last) return fail(R::kRepeatingGroupFieldsOutOfOrder, f.tag);
      last = idx;
    }
    seen |= bit;
    if (entries == 1) {
      first.flat = first.flat && !members[idx].group;
      if (first.flat) first.members[i - first.begin] = static_cast<uint8_t>(idx);
    }
    if (!take_member(ctx, members[idx], f, i, have_values)) return false;
  }
  if (entries > 0 && (required & ~seen) != 0) return missing();
  if (entries != declared) return fail(R::kIncorrectNumInGroupCount, count_tag);
  group_counts_.emplace_back(static_cast<uint32_t>(count_at), declared);
  return true;
}

std::optional<ValidationError> Validator::validate(const codec::Message& msg) {
  if (validate_fields(msg)) return std::nullopt;
  return error_;
}

// Inline in validate_fields(): the grouped compares below made it too big for GCC to inline, and
// the call took back what they save.
[[gnu::always_inline]] inline bool Validator::has_shape(const Shape& shape,
                                                        std::span<const Field> fields) {
  if (shape.size != fields.size()) return false;
  // Four fields a branch: a branch per field costs more than the compares. Not an OR over all of
  // them either: GCC vectorises that one through the stack.
  const Tag* const tags = shape.tags.data();
  const size_t n = fields.size();
  size_t k = 0;
  for (; k + 4 <= n; k += 4) {
    const Tag diff = (fields[k].tag ^ tags[k]) | (fields[k + 1].tag ^ tags[k + 1]) |
                     (fields[k + 2].tag ^ tags[k + 2]) | (fields[k + 3].tag ^ tags[k + 3]);
    if (diff != 0) return false;
  }
  for (; k < n; ++k)
    if (fields[k].tag != tags[k]) return false;
  for (const auto& [i, entries] : shape.counts)
    if (codec::parse_uint(fields[i].value).value_or(0) != entries) return false;
  return true;
}

// Whether every value of `checks` (fields of one fast format F, none empty) is valid: no stop at
// the first invalid one and no branch on the format, for the common case where all are.
template <FieldDef::FastFormat F>
bool Validator::all_valid(const std::vector<Shape::Check>& checks, std::span<const Field> fields) {
  bool ok = true;
  const char* const readable_end = readable_end_;  // a local: not reloaded for every value
  for (const Shape::Check& c : checks) {
    const std::string_view value = fields[c.field].value;
    // The quick test never passes an empty value; the full one might (an enum ""), so an empty
    // value is refused here and left to the ordered pass.
    if (!detail::quick_value_ok_as<F>(*c.def, value, readable_end)) [[unlikely]] {
      R reason;
      ok &= !value.empty() && detail::full_value_check(*c.def, value, reason);
    }
  }
  return ok;
}

// The value rules of the full walk, in its order: an empty value (where values are required),
// else the member's value check. The checks first run by format (an empty value fails them), and
// the ordered pass only names the first invalid or empty value when there is one.
bool Validator::check_values(const Shape& shape, std::span<const Field> fields) {
  bool any_empty = false;
  for (uint32_t i : shape.unchecked) any_empty |= fields[i].value.empty();
  if (!any_empty) {
    using F = FieldDef::FastFormat;
    const auto& g = shape.by_format;
    auto at = [&](F f) -> const std::vector<Shape::Check>& { return g[static_cast<size_t>(f)]; };
    // Every loop runs (no short circuit): one branch at the end instead of one per format.
    bool ok = all_valid<F::kNone>(at(F::kNone), fields);
    ok &= all_valid<F::kUint>(at(F::kUint), fields);
    ok &= all_valid<F::kInt>(at(F::kInt), fields);
    ok &= all_valid<F::kFloat>(at(F::kFloat), fields);
    ok &= all_valid<F::kUtcTimeOnly>(at(F::kUtcTimeOnly), fields);
    ok &= all_valid<F::kUtcTimestamp>(at(F::kUtcTimestamp), fields);
    if (ok) return true;
  }
  const bool have_values = options_.validate_fields_have_values;
  const Member* const* const members = shape.members.data();
  for (size_t i = 0; i < fields.size(); ++i) {
    const Field& f = fields[i];
    if (f.value.empty()) {
      if (have_values) return fail(R::kTagSpecifiedWithoutValue, f.tag);
    } else if (members[i] && !check_value(*members[i], f.value)) {
      return false;
    }
  }
  return true;
}

// After a full walk: the tags, members and group counts the walk noted, swapped in (the shape's
// old vectors become the next walk's scratch). Grouping the checks waits for a message that has
// the shape.
void Validator::keep_shape(Shape& shape, const MessageDef* def, std::span<const Field> fields) {
  shape.def = def;
  shape.size = fields.size();
  std::swap(shape.tags, field_tags_);
  std::swap(shape.members, field_members_);
  std::swap(shape.counts, group_counts_);
  shape.grouped = false;
}

void Validator::group_checks(Shape& shape) {
  for (auto& checks : shape.by_format) checks.clear();
  shape.unchecked.clear();
  for (size_t i = 0; i < shape.size; ++i) {
    const Member* m = shape.members[i];
    if (m && m->checked)
      shape.by_format[static_cast<size_t>(m->format)].push_back({static_cast<uint32_t>(i), m->def});
    else
      shape.unchecked.push_back(static_cast<uint32_t>(i));
  }
  shape.grouped = true;
}

bool Validator::validate_fields(const codec::Message& msg) {
  const auto fields = msg.fields();
  readable_end_ = msg.bytes().data() + msg.bytes().size();
  if (fields.size() < 4) return fail(R::kRequiredTagMissing, tag::MsgType);

  // Which dictionary defines the body: the transport one for session messages (and for FIX 4.x,
  // where it is the only one), else the application dictionary picked by ApplVerID.
  std::string_view type = msg.msg_type();
  const MessageDef* def = transport_->message(type);
  const Dictionary* body_dict = transport_.get();
  std::vector<uint32_t>* body_stamps = &transport_stamps_;
  if (!def && !apps_.empty()) {
    const Dictionary* app = application_for(msg);
    if (!app) return fail(R::kValueIsIncorrect, tag::ApplVerID);
    for (App& a : apps_)
      if (a.dict.get() == app) body_stamps = &a.stamps;
    body_dict = app;
    def = app->message(type);
  }
  if (!def) return fail(R::kInvalidMsgType, tag::MsgType);
  if (!supported_.empty() && !def->admin &&
      !std::binary_search(supported_.begin(), supported_.end(), type)) {
    error_ = ValidationError{R::kOther, tag::MsgType, true,
                             codec::BusinessRejectReason::kUnsupportedMessageType};
    return false;
  }

  const size_t set = shape_set(def);
  for (size_t way = 0; way < 2; ++way) {
    Shape& shape = shapes_[2 * set + way];
    if (shape.def == def && has_shape(shape, fields)) {
      shape_victims_[set] = static_cast<uint8_t>(way ^ 1);
      if (!shape.grouped) group_checks(shape);
      return check_values(shape, fields);
    }
  }
  if (field_members_.size() < fields.size()) field_members_.resize(fields.size());
  if (field_tags_.size() < fields.size()) field_tags_.resize(fields.size());
  group_counts_.clear();

  Ctx ctx{fields, *transport_, *body_dict, transport_stamps_, *body_stamps};
  const FieldSet& header = transport_->header();
  const FieldSet& trailer = transport_->trailer();
  // This message takes at most fields.size() + 2 epochs (header, body, one per group entry, each
  // starting at a field). If that could wrap the counter, wrap it now: wrapping mid-message would
  // forget the stamps already written for this message and report present tags as missing.
  if (fields.size() + 2 > std::numeric_limits<uint32_t>::max() - epoch_)
    epoch_ = std::numeric_limits<uint32_t>::max();  // the next next_epoch() resets the stamps
  const uint32_t header_epoch = next_epoch();
  const uint32_t body_epoch = next_epoch();
  enum { kHeader, kBody, kTrailer } section = kHeader;
  const bool own_frame = body_dict == transport_.get();
  // Required members seen, each once (a second sighting is a reject): when they number all the
  // required members of the header, body and trailer, none is missing and the lists need no walk.
  size_t required_seen = 0;

  for (size_t i = 0; i < fields.size();) {
    const Field& f = fields[i];
    const Tag tag = f.tag;
    if (f.value.empty() && options_.validate_fields_have_values)
      return fail(R::kTagSpecifiedWithoutValue, tag);

    // One lookup places the tag in the header, the trailer or this message's body. def->place()
    // indexes the header and trailer of def's own dictionary, so it serves unless that is a FIXT
    // application dictionary: the frame is then the transport's, looked up on its own.
    Placement split;
    const Placement* place =
        own_frame ? def->place(tag) : place_split(header, trailer, def->body, tag, split);
    if (place && place->section != Placement::kBody) {
      const FieldSet& frame_set = place->section == Placement::kHeader ? header : trailer;
      if (place->section == Placement::kHeader) {
        if (section != kHeader && options_.validate_fields_out_of_order)
          return fail(R::kTagSpecifiedOutOfRequiredOrder, tag);
      } else {
        if (tag == tag::CheckSum && i + 1 != fields.size())
          return fail(R::kTagSpecifiedOutOfRequiredOrder, tag);
        section = kTrailer;
      }
      uint32_t& stamp = transport_stamps_[frame_set.slot_base() + place->index];
      if (stamp == header_epoch) return fail(R::kTagAppearsMoreThanOnce, tag);
      stamp = header_epoch;
      const Member& m = frame_set.members()[place->index];
      note(i, &m, tag);
      required_seen += m.required;
      if (!check_value(m, f.value)) return false;
      if (m.group) {
        Ctx frame_ctx{fields, *transport_, *transport_, transport_stamps_, transport_stamps_};
        if (!walk_group(frame_ctx, *m.group, i)) return false;
      } else {
        ++i;
      }
      continue;
    }

    // Body fields.
    if (section == kTrailer && options_.validate_fields_out_of_order)
      return fail(R::kTagSpecifiedOutOfRequiredOrder, tag);
    section = kBody;
    if (!place) {
      const bool user_defined = tag >= codec::kUserMinTag;
      const bool checked = user_defined ? options_.validate_user_defined_fields
                                        : !options_.allow_unknown_message_fields;
      if (checked) {
        // A tag no dictionary defines is reason 0, user-defined or not: QuickFIX's answer,
        // which counterparties certify against (reason 3, "Undefined Tag", is never sent).
        if (!ctx.field_def(tag)) return fail(R::kInvalidTagNumber, tag);
        return fail(R::kTagNotDefinedForMessageType, tag);
      }
      note(i, nullptr, tag);
      ++i;
      continue;
    }
    uint32_t& stamp = (*body_stamps)[def->body.slot_base() + place->index];
    if (stamp == body_epoch) return fail(R::kTagAppearsMoreThanOnce, tag);
    stamp = body_epoch;
    const Member& m = def->body.members()[place->index];
    note(i, &m, tag);
    required_seen += m.required;
    if (!check_value(m, f.value)) return false;
    if (m.group) {
      if (!walk_group(ctx, *m.group, i)) return false;
    } else {
      ++i;
    }
  }

  if (required_seen !=
      header.required().size() + def->body.required().size() + trailer.required().size()) {
    if (!check_required(header, header_epoch, transport_stamps_)) return false;
    if (!check_required(def->body, body_epoch, *body_stamps)) return false;
    if (!check_required(trailer, header_epoch, transport_stamps_)) return false;
  }
  keep_shape(shapes_[2 * set + shape_victims_[set]], def, fields);
  shape_victims_[set] ^= 1;
  return true;
}

}  // namespace fixgate::dict
