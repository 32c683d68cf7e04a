#include "fixgate/dict/dictionary.h"

#include <pugixml.hpp>

#include <algorithm>

#include "value_check.h"

namespace fixgate::dict {
namespace {

constexpr Tag kDenseTags = 1 << 16;
// Field sets and messages whose tags span fewer numbers than this get a flat lookup array
// (2 or 4 bytes per number) besides their hash table.
constexpr Tag kMaxDenseSpan = 4096;

struct TypeName {
  std::string_view name;
  FieldType type;
};
constexpr TypeName kTypes[] = {
    {"STRING", FieldType::kString},
    {"CHAR", FieldType::kChar},
    {"BOOLEAN", FieldType::kBoolean},
    {"INT", FieldType::kInt},
    {"LENGTH", FieldType::kLength},
    {"NUMINGROUP", FieldType::kNumInGroup},
    {"SEQNUM", FieldType::kSeqNum},
    {"TAGNUM", FieldType::kTagNum},
    {"DAYOFMONTH", FieldType::kDayOfMonth},
    {"FLOAT", FieldType::kFloat},
    {"QTY", FieldType::kQty},
    {"QUANTITY", FieldType::kQty},
    {"PRICE", FieldType::kPrice},
    {"PRICEOFFSET", FieldType::kPriceOffset},
    {"AMT", FieldType::kAmt},
    {"PERCENTAGE", FieldType::kPercentage},
    {"CURRENCY", FieldType::kCurrency},
    {"EXCHANGE", FieldType::kExchange},
    {"COUNTRY", FieldType::kCountry},
    {"LANGUAGE", FieldType::kLanguage},
    {"MULTIPLEVALUESTRING", FieldType::kMultipleValueString},
    {"MULTIPLECHARVALUE", FieldType::kMultipleCharValue},
    {"MULTIPLESTRINGVALUE", FieldType::kMultipleStringValue},
    {"UTCTIMESTAMP", FieldType::kUtcTimestamp},
    {"TIME", FieldType::kUtcTimestamp},  // FIX 4.0/4.1 name
    {"UTCTIMEONLY", FieldType::kUtcTimeOnly},
    {"UTCDATEONLY", FieldType::kUtcDateOnly},
    {"UTCDATE", FieldType::kUtcDateOnly},
    {"DATE", FieldType::kUtcDateOnly},
    {"LOCALMKTDATE", FieldType::kLocalMktDate},
    {"MONTHYEAR", FieldType::kMonthYear},
    {"TZTIMEONLY", FieldType::kTzTimeOnly},
    {"TZTIMESTAMP", FieldType::kTzTimestamp},
    {"LOCALMKTTIME", FieldType::kLocalMktTime},
    {"DATA", FieldType::kData},
    {"XMLDATA", FieldType::kXmlData},
};

struct ApplVer {
  std::string_view id;
  std::string_view begin_string;
};
constexpr ApplVer kApplVers[] = {
    {"0", "FIX.2.7"}, {"1", "FIX.3.0"}, {"2", "FIX.4.0"}, {"3", "FIX.4.1"},    {"4", "FIX.4.2"},
    {"5", "FIX.4.3"}, {"6", "FIX.4.4"}, {"7", "FIX.5.0"}, {"8", "FIX.5.0SP1"}, {"9", "FIX.5.0SP2"},
};

}  // namespace

FieldType parse_field_type(std::string_view name) {
  for (const auto& t : kTypes)
    if (t.name == name) return t.type;
  return FieldType::kString;
}

std::string body_fields(const codec::Message& msg, const Dictionary* dict) {
  static const Dictionary::Ptr kBuiltin = Dictionary::builtin("FIX.4.4");
  if (!dict) dict = kBuiltin.get();
  std::string body;
  for (const auto& f : msg) {
    if (dict->header().find(f.tag) || dict->trailer().find(f.tag)) continue;
    body += std::to_string(f.tag);
    body += '=';
    body.append(f.value);
    body += codec::kSoh;
  }
  return body;
}

std::string_view appl_ver_id_for(std::string_view begin_string) {
  for (const auto& v : kApplVers)
    if (v.begin_string == begin_string) return v.id;
  return {};
}

std::string_view begin_string_for_appl_ver_id(std::string_view id) {
  for (const auto& v : kApplVers)
    if (v.id == id) return v.begin_string;
  return {};
}

std::string_view appl_ver_id_code(std::string_view code_or_name) {
  for (const auto& v : kApplVers)
    if (v.id == code_or_name || v.begin_string == code_or_name) return v.id;
  return {};
}

bool FieldDef::is_enum_value(std::string_view v) const {
  auto it = std::lower_bound(sorted_enums_.begin(), sorted_enums_.end(), v,
                             [&](uint32_t i, std::string_view x) { return enums[i].value < x; });
  return it != sorted_enums_.end() && enums[*it].value == v;
}

std::string_view FieldDef::enum_description(std::string_view v) const {
  auto it = std::lower_bound(sorted_enums_.begin(), sorted_enums_.end(), v,
                             [&](uint32_t i, std::string_view x) { return enums[i].value < x; });
  return it != sorted_enums_.end() && enums[*it].value == v
             ? std::string_view(enums[*it].description)
             : std::string_view();
}

void MessageDef::index_placements(const FieldSet& header, const FieldSet& trailer) {
  size_t total = header.members().size() + trailer.members().size() + body.members().size();
  size_t cap = 16;
  while (cap < total * 2) cap *= 2;
  place_keys_.assign(cap, 0);
  place_values_.assign(cap, Placement{});
  place_mask_ = static_cast<uint32_t>(cap - 1);
  auto insert = [&](const FieldSet& set, Placement::Section section) {
    for (size_t i = 0; i < set.members().size(); ++i) {
      Tag tag = set.members()[i].tag;
      uint32_t h = (tag * 0x9E3779B1u >> 7) & place_mask_;
      while (place_keys_[h] != 0 && place_keys_[h] != tag) h = (h + 1) & place_mask_;
      if (place_keys_[h] == tag) continue;  // header and trailer win over a body duplicate
      place_keys_[h] = tag;
      place_values_[h] = Placement{section, static_cast<uint16_t>(i)};
    }
  };
  insert(header, Placement::kHeader);
  insert(trailer, Placement::kTrailer);
  insert(body, Placement::kBody);

  // The same placements as a flat array over the span of tag numbers, when it is not too wide.
  Tag lo = ~Tag{0}, hi = 0;
  for (size_t h = 0; h < place_keys_.size(); ++h) {
    if (place_keys_[h] == 0) continue;
    if (place_values_[h].index == kNoPlace) return;  // 65535 members: hash table only
    lo = std::min(lo, place_keys_[h]);
    hi = std::max(hi, place_keys_[h]);
  }
  dense_place_.clear();
  dense_base_ = 0;
  dense_covers_all_ = false;
  if (lo <= hi && hi - lo < kMaxDenseSpan) {
    dense_base_ = lo;
    dense_place_.assign(hi - lo + 1, Placement{Placement::kBody, kNoPlace});
    for (size_t h = 0; h < place_keys_.size(); ++h)
      if (place_keys_[h] != 0) dense_place_[place_keys_[h] - lo] = place_values_[h];
    dense_covers_all_ = true;
  }
}

bool FieldSet::add(Member m) {
  for (const Member& x : members_)
    if (x.tag == m.tag) return false;
  m.checked = m.def->needs_value_check();
  m.format = m.def->fast_format();
  members_.push_back(m);
  return true;
}

void FieldSet::seal(uint32_t slot_base) {
  slot_base_ = slot_base;
  required_.clear();
  size_t cap = 8;
  while (cap < members_.size() * 2) cap *= 2;
  keys_.assign(cap, 0);
  values_.assign(cap, 0);
  mask_ = static_cast<uint32_t>(cap - 1);
  for (size_t i = 0; i < members_.size(); ++i) {
    uint32_t h = hash(members_[i].tag) & mask_;
    while (keys_[h] != 0) h = (h + 1) & mask_;
    keys_[h] = members_[i].tag;
    values_[h] = static_cast<uint16_t>(i);
    if (members_[i].required) required_.push_back(static_cast<uint16_t>(i));
  }
  required_mask_ = 0;
  if (members_.size() <= 64)
    for (uint16_t i : required_) required_mask_ |= uint64_t{1} << i;
  dense_.clear();
  dense_base_ = 0;
  dense_covers_all_ = false;
  if (members_.empty() || members_.size() >= kAbsent) return;
  Tag lo = ~Tag{0}, hi = 0;
  for (const Member& m : members_) {
    lo = std::min(lo, m.tag);
    hi = std::max(hi, m.tag);
  }
  if (hi - lo >= kMaxDenseSpan) return;
  dense_base_ = lo;
  dense_.assign(hi - lo + 1, kAbsent);
  for (size_t i = 0; i < members_.size(); ++i)
    dense_[members_[i].tag - lo] = static_cast<uint16_t>(i);
  dense_covers_all_ = true;
}

// Builds a Dictionary from a pugixml document; errors name the source and the line.
class Loader {
 public:
  Loader(std::string_view text, std::string source) : text_(text), source_(std::move(source)) {}

  Result<Dictionary::Ptr> load() {
    pugi::xml_document doc;
    auto parsed = doc.load_buffer(text_.data(), text_.size());
    if (!parsed) {
      return Status::error(source_ + ":" + std::to_string(line_of(parsed.offset)) +
                           ": XML error: " + parsed.description());
    }
    auto fix = doc.child("fix");
    if (!fix) return Status::error(source_ + ": no <fix> root element");
    d_.reset(new Dictionary());
    d_->source_ = source_;
    d_->type_ = fix.attribute("type").as_string("FIX");
    d_->major_ = fix.attribute("major").as_int();
    d_->minor_ = fix.attribute("minor").as_int();
    d_->service_pack_ = fix.attribute("servicepack").as_int();
    d_->begin_string_ =
        d_->type_ + "." + std::to_string(d_->major_) + "." + std::to_string(d_->minor_);
    if (d_->type_ == "FIX" && d_->major_ >= 5 && d_->service_pack_ > 0)
      d_->begin_string_ += "SP" + std::to_string(d_->service_pack_);
    if (d_->type_ != "FIX" && d_->type_ != "FIXT")
      return error(fix, "type must be FIX or FIXT, not '" + d_->type_ + "'");

    if (auto s = load_fields(fix.child("fields")); !s) return s;
    for (auto c : fix.child("components").children("component"))
      components_[c.attribute("name").as_string()] = c;
    if (auto s = add_members(d_->header_, fix.child("header"), true, 0); !s) return s;
    if (auto s = add_members(d_->trailer_, fix.child("trailer"), true, 0); !s) return s;
    for (auto m : fix.child("messages").children("message")) {
      auto def = std::make_unique<MessageDef>();
      def->name = m.attribute("name").as_string();
      def->msg_type = m.attribute("msgtype").as_string();
      def->admin = std::string_view(m.attribute("msgcat").as_string()) == "admin";
      if (def->name.empty() || def->msg_type.empty())
        return error(m, "message without name or msgtype");
      if (auto s = add_members(def->body, m, true, 0); !s) return s;
      if (d_->message_by_type_.count(def->msg_type))
        return error(m, "duplicate msgtype '" + def->msg_type + "'");
      d_->message_by_type_[def->msg_type] = def.get();
      d_->message_by_name_[def->name] = def.get();
      d_->messages_.push_back(std::move(def));
    }
    // Slot numbers: one per member of every field set.
    uint32_t slots = 0;
    auto seal = [&](FieldSet& s) {
      s.seal(slots);
      slots += static_cast<uint32_t>(s.members().size());
    };
    seal(d_->header_);
    seal(d_->trailer_);
    for (auto& m : d_->messages_) seal(m->body);
    for (auto& g : d_->groups_) seal(*g);
    d_->slot_count_ = slots;
    for (auto& m : d_->messages_) {
      m->index_placements(d_->header_, d_->trailer_);
      if (m->msg_type.size() == 1 && static_cast<unsigned char>(m->msg_type[0]) < 128)
        d_->message_by_char_[static_cast<unsigned char>(m->msg_type[0])] = m.get();
    }

    d_->data_fields_ = std::make_unique<codec::DataFieldTable>(data_field_pairs());
    return Dictionary::Ptr(std::move(d_));
  }

 private:
  // Length/data pairs: a DATA or XMLDATA field pairs with the LENGTH field named for it
  // ("RawData" ← "RawDataLength", "SecureData" ← "SecureDataLen"). Failing that, with the LENGTH
  // field numbered just before it, as QuickFIX does, unless that one is named for another data
  // field: FIX 5.0 SP2 abbreviates 41873 "...SecDescLen" for 41874 "...SecurityDesc".
  std::vector<codec::DataFieldPair> data_field_pairs() const {
    auto is_data = [](const FieldDef& f) {
      return f.type == FieldType::kData || f.type == FieldType::kXmlData;
    };
    auto is_length = [](const FieldDef* f) { return f && f->type == FieldType::kLength; };
    std::vector<codec::DataFieldPair> pairs;
    std::vector<const FieldDef*> unpaired;
    for (const FieldDef& f : d_->fields_) {
      if (!is_data(f)) continue;
      const FieldDef* len = d_->field(f.name + "Len");
      if (!is_length(len)) len = d_->field(f.name + "Length");
      if (is_length(len)) {
        pairs.push_back({len->tag, f.tag});
      } else {
        unpaired.push_back(&f);
      }
    }
    for (const FieldDef* f : unpaired) {
      const FieldDef* len = d_->field(f->tag - 1);
      auto taken = [&](const codec::DataFieldPair& p) { return p.length == f->tag - 1; };
      if (is_length(len) && std::none_of(pairs.begin(), pairs.end(), taken))
        pairs.push_back({len->tag, f->tag});
    }
    return pairs;
  }

  size_t line_of(ptrdiff_t offset) const {
    size_t end = std::min(static_cast<size_t>(std::max<ptrdiff_t>(offset, 0)), text_.size());
    return 1 + static_cast<size_t>(
                   std::count(text_.begin(), text_.begin() + static_cast<ptrdiff_t>(end), '\n'));
  }
  Status error(pugi::xml_node at, const std::string& what) const {
    return Status::error(source_ + ":" + std::to_string(line_of(at.offset_debug())) + ": " + what);
  }

  Status load_fields(pugi::xml_node fields) {
    if (!fields) return Status::ok();
    for (auto f : fields.children("field")) {
      FieldDef def;
      def.name = f.attribute("name").as_string();
      long long number = f.attribute("number").as_llong(-1);
      if (def.name.empty()) return error(f, "field without a name");
      if (number <= 0 || number > codec::kMaxTag)
        return error(f, "field '" + def.name + "' has no valid number");
      def.tag = static_cast<Tag>(number);
      def.type_name = f.attribute("type").as_string();
      def.type = parse_field_type(def.type_name);
      // FIX 4.0 and 4.1 type text fields (BeginString, ClOrdID …) as CHAR, which there means a
      // string: only FIX 4.2 and later hold a CHAR to one character (as QuickFIX does).
      if (def.type == FieldType::kChar && d_->type_ == "FIX" && d_->major_ == 4 && d_->minor_ <= 1)
        def.type = FieldType::kString;
      for (auto v : f.children("value"))
        def.enums.push_back(
            {v.attribute("enum").as_string(), v.attribute("description").as_string()});
      // ApplVerID, RefApplVerID and DefaultApplVerID carry the code, but a counterparty may
      // write the version's name ("FIX.5.0SP2"), which QuickFIX reads as the code: so do we.
      if (!def.enums.empty() && (def.tag == tag::ApplVerID || def.tag == tag::RefApplVerID ||
                                 def.tag == tag::DefaultApplVerID))
        for (const auto& v : kApplVers) def.enums.push_back({std::string(v.begin_string), ""});
      def.char_enums_only_ = !def.enums.empty();
      for (const auto& e : def.enums) {
        if (e.value.size() != 1) {
          def.char_enums_only_ = false;
          break;
        }
        auto c = static_cast<unsigned char>(e.value[0]);
        def.char_enum_bits_[c >> 6] |= uint64_t{1} << (c & 63);
      }
      switch (def.type) {
        case FieldType::kString:
        case FieldType::kCurrency:
        case FieldType::kExchange:
        case FieldType::kCountry:
        case FieldType::kLanguage:
        case FieldType::kMultipleValueString:
        case FieldType::kMultipleCharValue:
        case FieldType::kMultipleStringValue:
        case FieldType::kTzTimeOnly:
        case FieldType::kTzTimestamp:
        case FieldType::kLocalMktTime:
        case FieldType::kData:
        case FieldType::kXmlData:
          def.needs_value_check_ = !def.enums.empty();
          break;
        default:
          def.needs_value_check_ = true;
      }
      def.sorted_enums_.resize(def.enums.size());
      for (uint32_t i = 0; i < def.enums.size(); ++i) def.sorted_enums_[i] = i;
      std::sort(def.sorted_enums_.begin(), def.sorted_enums_.end(),
                [&](uint32_t a, uint32_t b) { return def.enums[a].value < def.enums[b].value; });
      if (def.enums.empty()) {
        switch (def.type) {
          case FieldType::kInt:
            def.fast_format_ = FieldDef::FastFormat::kInt;
            break;
          case FieldType::kLength:
          case FieldType::kNumInGroup:
          case FieldType::kSeqNum:
          case FieldType::kTagNum:
            def.fast_format_ = FieldDef::FastFormat::kUint;
            break;
          case FieldType::kFloat:
          case FieldType::kQty:
          case FieldType::kPrice:
          case FieldType::kPriceOffset:
          case FieldType::kAmt:
          case FieldType::kPercentage:
            def.fast_format_ = FieldDef::FastFormat::kFloat;
            break;
          case FieldType::kUtcTimeOnly:
            def.fast_format_ = FieldDef::FastFormat::kUtcTimeOnly;
            break;
          case FieldType::kUtcTimestamp:
            def.fast_format_ = FieldDef::FastFormat::kUtcTimestamp;
            break;
          default:
            break;
        }
      }
      for (unsigned c = 0; c < 256; ++c) {
        const char ch = static_cast<char>(c);
        codec::SessionRejectReason reason;
        if (detail::full_value_check(def, std::string_view(&ch, 1), reason))
          def.single_char_ok_[c >> 6] |= uint64_t{1} << (c & 63);
      }
      if (d_->field_by_name_.count(def.name)) return error(f, "duplicate field '" + def.name + "'");
      if (d_->field(def.tag))
        return error(f,
                     "duplicate field number " + std::to_string(def.tag) + " ('" + def.name + "')");
      auto index = static_cast<int32_t>(d_->fields_.size());
      d_->field_by_name_[def.name] = index;
      if (def.tag < kDenseTags) {
        if (d_->field_by_tag_.size() <= def.tag) d_->field_by_tag_.resize(def.tag + 1, -1);
        d_->field_by_tag_[def.tag] = index;
      } else {
        d_->field_by_big_tag_[def.tag] = index;
      }
      d_->fields_.push_back(std::move(def));
    }
    return Status::ok();
  }

  // Appends the fields, components (expanded) and groups under `node` to `set`. A member is
  // required only if it and every enclosing component are (QuickFIX's rule).
  Status add_members(FieldSet& set, pugi::xml_node node, bool required, int depth) {
    if (depth > 32) return error(node, "components nested too deeply (a cycle?)");
    for (auto child : node.children()) {
      std::string_view kind = child.name();
      std::string name = child.attribute("name").as_string();
      bool req = required && std::string_view(child.attribute("required").as_string()) == "Y";
      if (kind == "field" || kind == "group") {
        const FieldDef* f = d_->field(name);
        if (!f) return error(child, "undefined field '" + name + "'");
        Member m{.tag = f->tag, .required = req, .group = nullptr, .def = f};
        if (kind == "group") {
          // A group's members do not depend on where it is used, so a group defined inside a
          // component is built once and shared by every message that includes the component.
          auto cached = groups_by_node_.find(child.internal_object());
          if (cached != groups_by_node_.end()) {
            m.group = cached->second;
          } else {
            auto g = std::make_unique<FieldSet>();
            if (auto s = add_members(*g, child, true, depth + 1); !s) return s;
            if (g->members().empty()) return error(child, "group '" + name + "' has no members");
            m.group = g.get();
            groups_by_node_[child.internal_object()] = g.get();
            d_->groups_.push_back(std::move(g));
          }
        }
        set.add(m);
      } else if (kind == "component") {
        auto it = components_.find(name);
        if (it == components_.end()) return error(child, "undefined component '" + name + "'");
        if (auto s = add_members(set, it->second, req, depth + 1); !s) return s;
      }
    }
    return Status::ok();
  }

  std::string_view text_;
  std::string source_;
  std::unique_ptr<Dictionary> d_;
  std::unordered_map<std::string, pugi::xml_node> components_;
  std::unordered_map<pugi::xml_node_struct*, const FieldSet*> groups_by_node_;
};

Result<Dictionary::Ptr> Dictionary::load_string(std::string_view xml, std::string_view source) {
  return Loader(xml, std::string(source)).load();
}

std::string_view Dictionary::appl_ver_id() const {
  return is_fixt() ? std::string_view() : appl_ver_id_for(begin_string_);
}

const FieldDef* Dictionary::field(Tag tag) const {
  if (tag < field_by_tag_.size()) {
    int32_t i = field_by_tag_[tag];
    return i < 0 ? nullptr : &fields_[static_cast<size_t>(i)];
  }
  if (tag < kDenseTags) return nullptr;
  auto it = field_by_big_tag_.find(tag);
  return it == field_by_big_tag_.end() ? nullptr : &fields_[static_cast<size_t>(it->second)];
}

const FieldDef* Dictionary::field(std::string_view name) const {
  auto it = field_by_name_.find(std::string(name));
  return it == field_by_name_.end() ? nullptr : &fields_[static_cast<size_t>(it->second)];
}

const MessageDef* Dictionary::message(std::string_view msg_type) const {
  if (msg_type.size() == 1 && static_cast<unsigned char>(msg_type[0]) < 128)
    return message_by_char_[static_cast<unsigned char>(msg_type[0])];
  // Message types are 1-3 characters; a small std::string stays in the SSO buffer.
  auto it = message_by_type_.find(std::string(msg_type));
  return it == message_by_type_.end() ? nullptr : it->second;
}

const MessageDef* Dictionary::message_by_name(std::string_view name) const {
  auto it = message_by_name_.find(std::string(name));
  return it == message_by_name_.end() ? nullptr : it->second;
}

}  // namespace fixgate::dict
