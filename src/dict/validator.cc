#include "fixgate/dict/validator.h"

#include <algorithm>
#include <limits>

#include "fixgate/codec/values.h"

namespace fixgate::dict {

using codec::Field;
using codec::SessionRejectReason;
using R = SessionRejectReason;

namespace {

ValidationError reject(R reason, Tag tag) { return ValidationError{reason, tag}; }

bool digits_at(std::string_view v, size_t pos, size_t n) {
  for (size_t i = pos; i < pos + n; ++i)
    if (static_cast<unsigned>(v[i] - '0') > 9) return false;
  return true;
}

// "HH:MM:SS[.fff|.ffffff|.fffffffff]" (a leap second 60 allowed), checked without converting.
bool is_time(std::string_view v) {
  if (v.size() < 8 || v[2] != ':' || v[5] != ':' || !digits_at(v, 0, 2) || !digits_at(v, 3, 2) ||
      !digits_at(v, 6, 2))
    return false;
  const int h = (v[0] - '0') * 10 + (v[1] - '0'), sec = (v[6] - '0') * 10 + (v[7] - '0');
  if (h > 23 || v[3] > '5' || sec > 60) return false;
  if (sec == 60 && (h != 23 || v[3] != '5' || v[4] != '9')) return false;  // leap second: 23:59:60
  if (v.size() == 8) return true;
  size_t frac = v.size() - 9;
  return v[8] == '.' && (frac == 3 || frac == 6 || frac == 9) && digits_at(v, 9, frac);
}

bool is_utc_timestamp(std::string_view v) {
  return v.size() >= 17 && v[8] == '-' && codec::parse_date(v.substr(0, 8)).has_value() &&
         is_time(v.substr(9));
}

// Format checks only: a validator needs "is this a FIX int/float", not the value, and FIX puts no
// limit on the number of digits.
bool is_uint(std::string_view v) {
  if (v.empty()) return false;
  for (char c : v)
    if (static_cast<unsigned>(c - '0') > 9) return false;
  return true;
}

bool is_int(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  return is_uint(v);
}

bool is_float(std::string_view v) {
  if (!v.empty() && v[0] == '-') v.remove_prefix(1);
  bool digit = false, dot = false;
  for (char c : v) {
    if (static_cast<unsigned>(c - '0') <= 9) {
      digit = true;
    } else if (c == '.' && !dot) {
      dot = true;
    } else {
      return false;
    }
  }
  return digit;
}

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

bool format_ok(FieldType type, std::string_view v) {
  switch (type) {
    case FieldType::kInt: return is_int(v);
    case FieldType::kLength:
    case FieldType::kNumInGroup:
    case FieldType::kSeqNum:
    case FieldType::kTagNum: return is_uint(v);
    case FieldType::kDayOfMonth: {
      auto d = codec::parse_uint(v);
      return d && *d >= 1 && *d <= 31;
    }
    case FieldType::kFloat:
    case FieldType::kQty:
    case FieldType::kPrice:
    case FieldType::kPriceOffset:
    case FieldType::kAmt:
    case FieldType::kPercentage: return is_float(v);
    case FieldType::kChar: return v.size() == 1;
    case FieldType::kBoolean: return v == "Y" || v == "N";
    case FieldType::kUtcTimestamp: return is_utc_timestamp(v);
    case FieldType::kUtcTimeOnly: return is_time(v);
    case FieldType::kUtcDateOnly:
    case FieldType::kLocalMktDate: return codec::parse_date(v).has_value();
    case FieldType::kMonthYear: return codec::is_month_year(v);
    default: return true;
  }
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

void Validator::set_default_appl_ver_id(std::string_view appl_ver_id) {
  for (size_t i = 0; i < apps_.size(); ++i)
    if (apps_[i].appl_ver_id == appl_ver_id) default_app_ = i;
}

void Validator::set_supported_message_types(std::vector<std::string> types) {
  supported_ = std::move(types);
  std::sort(supported_.begin(), supported_.end());
}

const Dictionary* Validator::application_for(const codec::Message& msg) const {
  if (apps_.empty()) return transport_.get();
  std::string_view id = msg.header(codec::HeaderSlot::kApplVerID);
  if (!id.empty()) {
    for (const App& a : apps_)
      if (a.appl_ver_id == id) return a.dict.get();
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

std::optional<ValidationError> Validator::check_value_slow(const FieldDef& def,
                                                           std::string_view value) const {
  if (!format_ok(def.type, value)) return reject(R::kIncorrectDataFormat, def.tag);
  if (def.has_enums()) {
    if (def.char_enums_only() && !def.is_multiple_value()) {
      if (value.size() != 1 || !def.is_char_enum(static_cast<unsigned char>(value[0])))
        return reject(R::kValueIsIncorrect, def.tag);
    } else if (def.is_multiple_value()) {
      codec::MultipleValues values(value);
      while (auto v = values.next())
        if (!def.is_enum_value(*v)) return reject(R::kValueIsIncorrect, def.tag);
    } else if (!def.is_enum_value(value)) {
      return reject(R::kValueIsIncorrect, def.tag);
    }
  }
  return std::nullopt;
}

std::optional<ValidationError> Validator::check_required(const FieldSet& set, uint32_t epoch,
                                                         std::vector<uint32_t>& stamps) const {
  for (uint16_t idx : set.required())
    if (stamps[set.slot_base() + idx] != epoch)
      return reject(R::kRequiredTagMissing, set.members()[idx].tag);
  return std::nullopt;
}

// Walks a repeating group whose NumInGroup field is fields[i]; on return `i` is past the group.
std::optional<ValidationError> Validator::walk_group(Ctx& ctx, const FieldSet& group, size_t& i) {
  const Tag count_tag = ctx.fields[i].tag;
  const uint64_t declared = codec::parse_uint(ctx.fields[i].value).value_or(0);
  ++i;
  uint64_t entries = 0;
  uint32_t epoch = 0;
  int last = -1;
  std::vector<uint32_t>& stamps = ctx.body_stamps;
  while (i < ctx.fields.size()) {
    const Field& f = ctx.fields[i];
    int idx = group.index_of(f.tag);
    if (idx < 0) break;  // the first field that is not a member ends the group
    if (idx == 0) {
      if (entries > 0)
        if (auto e = check_required(group, epoch, stamps)) return e;
      ++entries;
      epoch = next_epoch();
      last = 0;
    } else {
      if (entries == 0) return reject(R::kRepeatingGroupFieldsOutOfOrder, f.tag);
      if (stamps[group.slot_base() + static_cast<uint32_t>(idx)] == epoch)
        return reject(R::kTagAppearsMoreThanOnce, f.tag);
      if (options_.validate_fields_out_of_order && idx < last)
        return reject(R::kRepeatingGroupFieldsOutOfOrder, f.tag);
      last = idx;
    }
    stamps[group.slot_base() + static_cast<uint32_t>(idx)] = epoch;
    const Member& m = group.members()[static_cast<size_t>(idx)];
    if (f.value.empty()) {
      if (options_.validate_fields_have_values) return reject(R::kTagSpecifiedWithoutValue, f.tag);
    } else if (auto e = check_value(*m.def, f.value)) {
      return e;
    }
    if (m.group) {
      if (auto e = walk_group(ctx, *m.group, i)) return e;
    } else {
      ++i;
    }
  }
  if (entries > 0)
    if (auto e = check_required(group, epoch, stamps)) return e;
  if (entries != declared) return reject(R::kIncorrectNumInGroupCount, count_tag);
  return std::nullopt;
}

std::optional<ValidationError> Validator::validate(const codec::Message& msg) {
  const auto fields = msg.fields();
  if (fields.size() < 4) return reject(R::kRequiredTagMissing, tag::MsgType);

  // Which dictionary defines the body: the transport one for session messages (and for FIX 4.x,
  // where it is the only one), else the application dictionary picked by ApplVerID.
  std::string_view type = msg.msg_type();
  const MessageDef* def = transport_->message(type);
  const Dictionary* body_dict = transport_.get();
  std::vector<uint32_t>* body_stamps = &transport_stamps_;
  if (!def && !apps_.empty()) {
    const Dictionary* app = application_for(msg);
    if (!app) return reject(R::kValueIsIncorrect, tag::ApplVerID);
    for (App& a : apps_)
      if (a.dict.get() == app) body_stamps = &a.stamps;
    body_dict = app;
    def = app->message(type);
  }
  if (!def) return reject(R::kInvalidMsgType, tag::MsgType);
  if (!supported_.empty() && !def->admin &&
      !std::binary_search(supported_.begin(), supported_.end(), type)) {
    ValidationError e{R::kOther, tag::MsgType, true, codec::BusinessRejectReason::kUnsupportedMessageType};
    return e;
  }

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

  for (size_t i = 0; i < fields.size();) {
    const Field& f = fields[i];
    const Tag tag = f.tag;
    if (f.value.empty() && options_.validate_fields_have_values)
      return reject(R::kTagSpecifiedWithoutValue, tag);

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
          return reject(R::kTagSpecifiedOutOfRequiredOrder, tag);
      } else {
        if (tag == tag::CheckSum && i + 1 != fields.size())
          return reject(R::kTagSpecifiedOutOfRequiredOrder, tag);
        section = kTrailer;
      }
      uint32_t& stamp = transport_stamps_[frame_set.slot_base() + place->index];
      if (stamp == header_epoch) return reject(R::kTagAppearsMoreThanOnce, tag);
      stamp = header_epoch;
      const Member& m = frame_set.members()[place->index];
      if (auto e = check_value(*m.def, f.value)) return e;
      if (m.group) {
        Ctx frame_ctx{fields, *transport_, *transport_, transport_stamps_, transport_stamps_};
        if (auto e = walk_group(frame_ctx, *m.group, i)) return e;
      } else {
        ++i;
      }
      continue;
    }

    // Body fields.
    if (section == kTrailer && options_.validate_fields_out_of_order)
      return reject(R::kTagSpecifiedOutOfRequiredOrder, tag);
    section = kBody;
    if (!place) {
      const bool user_defined = tag >= codec::kUserMinTag;
      const bool checked = user_defined ? options_.validate_user_defined_fields
                                        : !options_.allow_unknown_message_fields;
      if (checked) {
        if (!ctx.field_def(tag))
          return reject(user_defined ? R::kUndefinedTag : R::kInvalidTagNumber, tag);
        return reject(R::kTagNotDefinedForMessageType, tag);
      }
      ++i;
      continue;
    }
    uint32_t& stamp = (*body_stamps)[def->body.slot_base() + place->index];
    if (stamp == body_epoch) return reject(R::kTagAppearsMoreThanOnce, tag);
    stamp = body_epoch;
    const Member& m = def->body.members()[place->index];
    if (auto e = check_value(*m.def, f.value)) return e;
    if (m.group) {
      if (auto e = walk_group(ctx, *m.group, i)) return e;
    } else {
      ++i;
    }
  }

  if (auto e = check_required(header, header_epoch, transport_stamps_)) return e;
  if (auto e = check_required(def->body, body_epoch, *body_stamps)) return e;
  if (auto e = check_required(trailer, header_epoch, transport_stamps_)) return e;
  return std::nullopt;
}

}  // namespace fixgate::dict
