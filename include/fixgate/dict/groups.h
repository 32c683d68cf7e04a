// Repeating groups of a parsed message, resolved with the dictionary: a group is a list of
// entries, each a contiguous span of the message's fields; nested groups resolve the same way.
#pragma once

#include <optional>
#include <span>
#include <vector>

#include "fixgate/codec/message.h"
#include "fixgate/dict/dictionary.h"

namespace fixgate::dict {

class GroupView {
 public:
  // The group whose NumInGroup field is `count_tag` among `fields` (a message body or an
  // entry of an enclosing group), defined by `set`. nullopt if absent or not a group of `set`.
  static std::optional<GroupView> find(std::span<const codec::Field> fields, const FieldSet& set,
                                       Tag count_tag);
  // Top-level group of a message, using the message's definition in `dict`.
  static std::optional<GroupView> find(const codec::Message& msg, const Dictionary& dict,
                                       Tag count_tag);

  size_t size() const { return starts_.size(); }
  Tag count_tag() const { return count_tag_; }
  // The NumInGroup value as sent (may differ from size() in an invalid message).
  std::string_view declared_count() const { return declared_; }
  std::span<const codec::Field> entry(size_t i) const;
  // A field of entry `i` by tag (searches the whole entry, nested groups included).
  std::optional<std::string_view> get(size_t i, Tag tag) const;
  // Entry `i` read by tag with typed gets: (*group)[i].get<codec::Decimal>(tag::MDEntryPx).
  codec::FieldRange operator[](size_t i) const { return codec::FieldRange(entry(i)); }
  // The entries in order, as for codec::GroupRange: for (codec::FieldRange e : *group) ….
  class iterator {
   public:
    using value_type = codec::FieldRange;
    using difference_type = std::ptrdiff_t;
    iterator() = default;
    iterator(const GroupView* group, size_t i) : group_(group), i_(i) {}
    codec::FieldRange operator*() const { return (*group_)[i_]; }
    iterator& operator++() {
      ++i_;
      return *this;
    }
    iterator operator++(int) { return iterator(group_, i_++); }
    friend bool operator==(const iterator& a, const iterator& b) { return a.i_ == b.i_; }

   private:
    const GroupView* group_ = nullptr;
    size_t i_ = 0;
  };
  iterator begin() const { return iterator(this, 0); }
  iterator end() const { return iterator(this, size()); }
  // A group nested in entry `i`.
  std::optional<GroupView> group(size_t i, Tag count_tag) const {
    return find(entry(i), *set_, count_tag);
  }

 private:
  const FieldSet* set_ = nullptr;  // the group's own members
  Tag count_tag_ = 0;
  std::string_view declared_;
  std::span<const codec::Field> fields_;  // from the first entry to the end of the group
  std::vector<uint32_t> starts_;          // entry i spans [starts_[i], starts_[i+1])
};

}  // namespace fixgate::dict
