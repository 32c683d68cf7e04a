#include "dict_compare.h"

#include <algorithm>
#include <cctype>
#include <set>

namespace fixgate::cli {
namespace {

// The highest tag looked at: the FIX Repository's tags stop below 50000, and Dictionary keeps
// tags below 65536 in its dense index.
constexpr Tag kMaxTag = 65535;

std::string upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return s;
}

std::string label(const dict::Member& m) { return std::to_string(m.tag) + " " + m.def->name; }

class Comparer {
 public:
  Comparer(const dict::Dictionary& ours, const dict::Dictionary& theirs)
      : ours_(ours), theirs_(theirs) {}

  void fields(bool only_ours) {
    for (Tag tag = 1; tag <= kMaxTag; ++tag) {
      const dict::FieldDef* a = ours_.field(tag);
      const dict::FieldDef* b = theirs_.field(tag);
      if (!a && !b) continue;
      const std::string where = "field " + std::to_string(tag) + " ";
      if (!b) {
        add(where + a->name + ": only here");
      } else if (!a) {
        if (!only_ours) add(where + b->name + ": only there");
      } else {
        field(where, *a, *b);
      }
    }
  }

  void sets(const std::string& where, const dict::FieldSet& a, const dict::FieldSet& b) {
    for (const dict::Member& m : a.members()) {
      const dict::Member* other = b.find(m.tag);
      if (!other) {
        add(where + ": " + label(m) + " only here");
        continue;
      }
      if (m.required != other->required)
        add(where + ": " + label(m) + " required " + (m.required ? "Y" : "N") + " here, " +
            (other->required ? "Y" : "N") + " there");
      if (!m.group != !other->group) {
        add(where + ": " + label(m) + (m.group ? " a group here, not there" : " a group there"));
      } else if (m.group) {
        group(where + "/" + m.def->name, *m.group, *other->group);
      }
    }
    for (const dict::Member& m : b.members())
      if (!a.find(m.tag)) add(where + ": " + label(m) + " only there");
  }

  void messages(bool admin) {
    for (const auto& m : ours_.messages()) {
      if (m->admin != admin) continue;
      const dict::MessageDef* other = theirs_.message(m->msg_type);
      const std::string where = "message " + m->msg_type;
      if (!other) {
        add(where + " " + m->name + ": only here");
        continue;
      }
      if (m->name != other->name)
        add(where + ": named " + m->name + " here, " + other->name + " there");
      if (m->admin != other->admin) add(where + ": msgcat differs");
      sets(where, m->body, other->body);
    }
    for (const auto& m : theirs_.messages())
      if (m->admin == admin && !ours_.message(m->msg_type))
        add("message " + m->msg_type + " " + m->name + ": only there");
  }

  std::vector<std::string> take() { return std::move(diffs_); }

 private:
  void add(std::string s) { diffs_.push_back(std::move(s)); }

  void field(const std::string& where, const dict::FieldDef& a, const dict::FieldDef& b) {
    if (a.name != b.name) add(where + "named " + a.name + " here, " + b.name + " there");
    if (upper(a.type_name) != upper(b.type_name))
      add(where + a.name + ": type " + a.type_name + " here, " + b.type_name + " there");
    std::set<std::string> ours, theirs;
    for (const auto& e : a.enums) ours.insert(e.value);
    for (const auto& e : b.enums) theirs.insert(e.value);
    for (const auto& v : ours)
      if (!theirs.count(v)) add(where + a.name + ": enum " + v + " only here");
    for (const auto& v : theirs)
      if (!ours.count(v)) add(where + a.name + ": enum " + v + " only there");
  }

  // A group is laid out by its delimiter (the first member) and its members.
  void group(const std::string& where, const dict::FieldSet& a, const dict::FieldSet& b) {
    if (a.delimiter() != b.delimiter())
      add(where + ": delimiter " + std::to_string(a.delimiter()) + " here, " +
          std::to_string(b.delimiter()) + " there");
    sets(where, a, b);
  }

  const dict::Dictionary& ours_;
  const dict::Dictionary& theirs_;
  std::vector<std::string> diffs_;
};

}  // namespace

std::vector<std::string> compare_dictionaries(const dict::Dictionary& ours,
                                              const dict::Dictionary& theirs,
                                              const CompareScope& scope) {
  Comparer c(ours, theirs);
  if (scope.fields) c.fields(scope.only_our_fields);
  if (scope.header_trailer) {
    c.sets("header", ours.header(), theirs.header());
    c.sets("trailer", ours.trailer(), theirs.trailer());
  }
  if (scope.admin_messages) c.messages(true);
  if (scope.app_messages) c.messages(false);
  return c.take();
}

}  // namespace fixgate::cli
