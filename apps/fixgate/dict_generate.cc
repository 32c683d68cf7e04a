#include "dict_generate.h"

#include <pugixml.hpp>

#include <array>
#include <cctype>
#include <cstdlib>
#include <map>
#include <set>
#include <sstream>
#include <vector>

#include "fix_repository.h"

namespace fixgate::cli {
namespace {

// What a version's dictionary holds. kFull: FIX 4.x, everything in one file. kApplication: FIX
// 5.0 and later, application messages only. kTransport: FIXT.1.1, the session layer only.
enum class Scope { kFull, kApplication, kTransport };

struct Target {
  std::string_view version;
  std::string_view folder;  // in the repository
  const char* type;
  int major, minor, service_pack;
  Scope scope;
};

constexpr Target kTargets[] = {
    {"FIX.4.0", "FIX.4.0", "FIX", 4, 0, 0, Scope::kFull},
    {"FIX.4.1", "FIX.4.1", "FIX", 4, 1, 0, Scope::kFull},
    {"FIX.4.2", "FIX.4.2", "FIX", 4, 2, 0, Scope::kFull},
    {"FIX.4.4", "FIX.4.4", "FIX", 4, 4, 0, Scope::kFull},
    {"FIX.5.0", "FIX.5.0", "FIX", 5, 0, 0, Scope::kApplication},
    {"FIX.5.0SP1", "FIX.5.0SP1", "FIX", 5, 0, 1, Scope::kApplication},
    {"FIX.5.0SP2", "FIX.5.0SP2", "FIX", 5, 0, 2, Scope::kApplication},
    {"FIXT.1.1", "FIX.5.0SP2", "FIXT", 1, 1, 0, Scope::kTransport},
};

constexpr auto kVersionNames = [] {
  std::array<std::string_view, std::size(kTargets)> names{};
  for (size_t i = 0; i < names.size(); ++i) names[i] = kTargets[i].version;
  return names;
}();

// The repository names D and E of FIX 4.0-4.2 "OrderSingle" and "OrderList"; QuickFIX (and
// every later version) calls them NewOrderSingle and NewOrderList, and so do applications.
std::string quickfix_message_name(const std::string& name) {
  if (name == "OrderSingle") return "NewOrderSingle";
  if (name == "OrderList") return "NewOrderList";
  return name;
}

// QuickFIX spells enum descriptions in upper snake case: "NewOrderSingle" -> NEW_ORDER_SINGLE,
// "GTC" stays GTC, "IOIQualifier" -> IOI_QUALIFIER.
std::string upper_snake(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (!std::isalnum(c)) {
      if (!out.empty() && out.back() != '_') out += '_';
      continue;
    }
    if (std::isupper(c) && i > 0 && !out.empty() && out.back() != '_') {
      const auto prev = static_cast<unsigned char>(s[i - 1]);
      const bool next_lower =
          i + 1 < s.size() && std::islower(static_cast<unsigned char>(s[i + 1]));
      if (std::islower(prev) || std::isdigit(prev) || (std::isupper(prev) && next_lower))
        out += '_';
    }
    out += static_cast<char>(std::toupper(c));
  }
  while (!out.empty() && out.back() == '_') out.pop_back();
  return out;
}

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A member of a header, trailer, message, component or group, as QuickFIX writes it.
struct Node {
  enum class Kind { kField, kGroup, kComponent };
  Kind kind = Kind::kField;
  std::string name;
  bool required = false;
  std::vector<Node> members;  // a group's
};

// Turns MsgContents rows (flat, with indents) into QuickFIX's nested members, and remembers
// which components and fields the output uses.
class Converter {
 public:
  explicit Converter(const Repository& repo) : repo_(repo) {}

  Result<std::vector<Node>> members(const RepoEntity& e) {
    std::vector<Node> out;
    size_t i = 0;
    if (Status s = level(e, i, 0, out); !s) return s;
    return out;
  }

  // The members of a used component, converting it (and what it uses) on first use.
  Status use_component(const std::string& name) {
    if (components_.count(name)) return Status::ok();
    const RepoEntity* c = repo_.component(name);
    if (!c) return Status::error("undefined component '" + name + "'");
    components_[name];  // claimed first: a component that includes itself ends here
    auto m = members(*c);
    if (!m) return m.status();
    components_[name] = std::move(*m);
    return Status::ok();
  }

  const std::map<std::string, std::vector<Node>>& components() const { return components_; }
  const std::set<int>& used_tags() const { return used_tags_; }

 private:
  // Appends the rows from `i` on whose indent is at least `indent`; a field followed by deeper
  // rows is a repeating group (its NumInGroup) and those rows are its members.
  Status level(const RepoEntity& e, size_t& i, int indent, std::vector<Node>& out) {
    while (i < e.contents.size() && e.contents[i].indent >= indent) {
      const RepoContent& row = e.contents[i++];
      if (row.tag_text == "StandardHeader" || row.tag_text == "StandardTrailer") continue;
      auto node = node_for(e, row);
      if (!node) return node.status();
      if (i < e.contents.size() && e.contents[i].indent > row.indent) {
        if (node->kind != Node::Kind::kField)
          return Status::error(e.name + ": component '" + row.tag_text + "' has indented rows");
        node->kind = Node::Kind::kGroup;
        if (Status s = level(e, i, e.contents[i].indent, node->members); !s) return s;
      }
      out.push_back(std::move(*node));
    }
    return Status::ok();
  }

  Result<Node> node_for(const RepoEntity& e, const RepoContent& row) {
    Node n{.kind = Node::Kind::kField, .name = {}, .required = row.required, .members = {}};
    const bool is_tag =
        !row.tag_text.empty() && std::isdigit(static_cast<unsigned char>(row.tag_text[0]));
    if (!is_tag) {
      n.kind = Node::Kind::kComponent;
      n.name = row.tag_text;
      if (Status s = use_component(n.name); !s) return Status::error(e.name + ": " + s.message());
      return n;
    }
    const int tag = std::atoi(row.tag_text.c_str());
    auto f = repo_.fields.find(tag);
    if (f == repo_.fields.end())
      return Status::error(e.name + ": tag " + row.tag_text + " is not in Fields.xml");
    used_tags_.insert(tag);
    n.name = f->second.name;
    return n;
  }

  const Repository& repo_;
  std::map<std::string, std::vector<Node>> components_;
  std::set<int> used_tags_;
};

void write_members(pugi::xml_node parent, const std::vector<Node>& members) {
  static constexpr const char* kElement[] = {"field", "group", "component"};
  for (const Node& n : members) {
    auto x = parent.append_child(kElement[static_cast<int>(n.kind)]);
    x.append_attribute("name") = n.name.c_str();
    x.append_attribute("required") = n.required ? "Y" : "N";
    write_members(x, n.members);
  }
}

void write_field(pugi::xml_node fields, const Repository& repo, const RepoField& f) {
  auto x = fields.append_child("field");
  x.append_attribute("number") = f.tag;
  x.append_attribute("name") = f.name.c_str();
  x.append_attribute("type") = upper(f.type).c_str();
  const std::vector<RepoEnum>* enums = repo.enums_of(f.tag);
  if (!enums) return;
  for (const RepoEnum& e : *enums) {
    auto v = x.append_child("value");
    v.append_attribute("enum") = e.value.c_str();
    std::string description = upper_snake(e.symbolic_name);
    v.append_attribute("description") = description.empty() ? e.value.c_str() : description.c_str();
  }
}

// Builds the document for `target` from `repo`.
Status convert(const Repository& repo, const Target& target, pugi::xml_document& doc) {
  Converter conv(repo);
  auto fix = doc.append_child("fix");
  fix.append_attribute("type") = target.type;
  fix.append_attribute("major") = target.major;
  fix.append_attribute("minor") = target.minor;
  fix.append_attribute("servicepack") = target.service_pack;

  // FIX 5.0 application dictionaries keep their header and trailer empty: FIXT.1.1 owns them.
  const bool session_layer = target.scope != Scope::kApplication;
  auto header = fix.append_child("header");
  auto messages = fix.append_child("messages");
  auto trailer = fix.append_child("trailer");
  if (session_layer) {
    for (auto [name, node] : {std::pair{"StandardHeader", header}, {"StandardTrailer", trailer}}) {
      const RepoEntity* block = repo.component(name);
      if (!block) return Status::error(std::string("no ") + name + " component");
      auto m = conv.members(*block);
      if (!m) return m.status();
      write_members(node, *m);
    }
  }
  for (const RepoEntity& msg : repo.messages) {
    const bool admin = msg.category == "Session";
    if (target.scope == Scope::kApplication && admin) continue;
    // QuickFIX's FIXT11.xml has the seven session messages; XMLnonFIX stays out.
    if (target.scope == Scope::kTransport && (!admin || msg.msg_type == "n")) continue;
    auto x = messages.append_child("message");
    x.append_attribute("name") = quickfix_message_name(msg.name).c_str();
    x.append_attribute("msgtype") = msg.msg_type.c_str();
    x.append_attribute("msgcat") = admin ? "admin" : "app";
    auto m = conv.members(msg);
    if (!m) return m.status();
    write_members(x, *m);
  }
  auto components = fix.append_child("components");
  for (const RepoEntity& c : repo.components) {  // repository order; only those used
    auto it = conv.components().find(c.name);
    if (it == conv.components().end()) continue;
    auto x = components.append_child("component");
    x.append_attribute("name") = c.name.c_str();
    write_members(x, it->second);
  }
  // A transport dictionary lists the fields it uses, as QuickFIX's FIXT11.xml does; the others
  // list every field of the version.
  auto fields = fix.append_child("fields");
  for (const auto& [tag, f] : repo.fields)
    if (target.scope != Scope::kTransport || conv.used_tags().count(tag))
      write_field(fields, repo, f);
  return Status::ok();
}

}  // namespace

std::span<const std::string_view> generator_versions() { return kVersionNames; }

Result<std::string> generate_dictionary(const std::string& repo_dir, std::string_view version) {
  if (version == "FIX.4.3")
    return Status::error(
        "FIX.4.3: refused: the repository's FIX.4.3 Fields.xml is a copy of FIX 4.2's (about 250 "
        "FIX 4.3 tags are missing); use jspurefix's data/FIX43.xml instead");
  const Target* target = nullptr;
  for (const Target& t : kTargets)
    if (t.version == version) target = &t;
  if (!target) {
    std::string known;
    for (std::string_view v : kVersionNames) known += (known.empty() ? "" : ", ") + std::string(v);
    return Status::error("unknown version '" + std::string(version) + "' (known: " + known + ")");
  }
  const std::string folder = repo_dir + "/" + std::string(target->folder);
  auto repo = read_repository(folder);
  if (!repo) return repo.status();
  pugi::xml_document doc;
  if (Status s = convert(*repo, *target, doc); !s)
    return Status::error(folder + ": " + s.message());
  std::ostringstream out;
  doc.save(out, " ", pugi::format_indent | pugi::format_no_declaration);
  return out.str();
}

}  // namespace fixgate::cli
