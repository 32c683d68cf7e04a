#include "fixgate/dict/groups.h"

namespace fixgate::dict {
namespace {

// Index just past the group whose count field is at fields[i] (members defined by `group`).
size_t skip_group(std::span<const codec::Field> fields, const FieldSet& group, size_t i,
                  std::vector<uint32_t>* starts) {
  ++i;
  bool any = false;
  while (i < fields.size()) {
    int idx = group.index_of(fields[i].tag);
    if (idx < 0 || (!any && idx != 0)) break;
    if (idx == 0 && starts) starts->push_back(static_cast<uint32_t>(i));
    any = true;
    const Member& m = group.members()[static_cast<size_t>(idx)];
    i = m.group ? skip_group(fields, *m.group, i, nullptr) : i + 1;
  }
  return i;
}

}  // namespace

std::optional<GroupView> GroupView::find(std::span<const codec::Field> fields, const FieldSet& set,
                                         Tag count_tag) {
  const Member* member = set.find(count_tag);
  if (!member || !member->group) return std::nullopt;
  // Scan the set's own level, stepping over nested groups so their fields are not mistaken.
  for (size_t i = 0; i < fields.size();) {
    const Member* m = set.find(fields[i].tag);
    if (fields[i].tag == count_tag) {
      GroupView g;
      g.set_ = member->group;
      g.count_tag_ = count_tag;
      g.declared_ = fields[i].value;
      size_t end = skip_group(fields, *member->group, i, &g.starts_);
      g.fields_ = fields.subspan(i + 1, end - i - 1);
      for (auto& s : g.starts_) s -= static_cast<uint32_t>(i + 1);
      return g;
    }
    i = (m && m->group) ? skip_group(fields, *m->group, i, nullptr) : i + 1;
  }
  return std::nullopt;
}

std::optional<GroupView> GroupView::find(const codec::Message& msg, const Dictionary& dict,
                                         Tag count_tag) {
  const MessageDef* def = dict.message(msg.msg_type());
  if (!def) return std::nullopt;
  if (auto g = find(msg.fields(), def->body, count_tag)) return g;
  return find(msg.fields(), dict.header(), count_tag);
}

std::span<const codec::Field> GroupView::entry(size_t i) const {
  size_t begin = starts_[i];
  size_t end = i + 1 < starts_.size() ? starts_[i + 1] : fields_.size();
  return fields_.subspan(begin, end - begin);
}

std::optional<std::string_view> GroupView::get(size_t i, Tag tag) const {
  for (const auto& f : entry(i))
    if (f.tag == tag) return f.value;
  return std::nullopt;
}

}  // namespace fixgate::dict
