#include "fix_repository.h"

#include <pugixml.hpp>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

namespace fixgate::cli {
namespace {

// The element's text without surrounding blanks: FIX 5.0's Enums.xml writes QuoteCondition's
// value "f" as "f ".
std::string text_of(pugi::xml_node row, const char* child) {
  std::string_view s = row.child(child).text().as_string();
  const size_t first = s.find_first_not_of(" \t\r\n");
  if (first == std::string_view::npos) return {};
  return std::string(s.substr(first, s.find_last_not_of(" \t\r\n") - first + 1));
}

Result<pugi::xml_node> open(pugi::xml_document& doc, const std::string& folder,
                            const std::string& file) {
  const std::string path = folder + "/" + file;
  pugi::xml_parse_result parsed = doc.load_file(path.c_str());
  if (!parsed) return Status::error(path + ": " + parsed.description());
  return doc.document_element();
}

Status read_fields(Repository& repo, const std::string& folder) {
  pugi::xml_document doc;
  auto root = open(doc, folder, "Fields.xml");
  if (!root) return root.status();
  for (auto row : root->children("Field")) {
    RepoField f{.tag = row.child("Tag").text().as_int(),
                .name = text_of(row, "Name"),
                .type = text_of(row, "Type")};
    if (f.tag <= 0 || f.name.empty())
      return Status::error(folder + "/Fields.xml: a field without a tag number or name");
    repo.fields[f.tag] = std::move(f);
  }
  return Status::ok();
}

Status read_enums(Repository& repo, const std::string& folder) {
  pugi::xml_document doc;
  auto root = open(doc, folder, "Enums.xml");
  if (!root) return root.status();
  for (auto row : root->children("Enum"))
    repo.enums[row.child("Tag").text().as_int()].push_back(
        {text_of(row, "Value"), text_of(row, "SymbolicName")});
  return Status::ok();
}

Status read_entities(std::vector<RepoEntity>& out, const std::string& folder,
                     const std::string& file, const char* element) {
  pugi::xml_document doc;
  auto root = open(doc, folder, file);
  if (!root) return root.status();
  for (auto row : root->children(element))
    out.push_back({.id = row.child("ComponentID").text().as_int(),
                   .name = text_of(row, "Name"),
                   .msg_type = text_of(row, "MsgType"),
                   .category = text_of(row, "CategoryID"),
                   .contents = {}});
  return Status::ok();
}

// Hands every MsgContents row to the message or component with its ComponentID.
Status read_contents(Repository& repo, const std::string& folder) {
  pugi::xml_document doc;
  auto root = open(doc, folder, "MsgContents.xml");
  if (!root) return root.status();
  std::map<int, RepoEntity*> by_id;
  for (auto* entities : {&repo.messages, &repo.components})
    for (auto& e : *entities)
      if (!by_id.emplace(e.id, &e).second)
        return Status::error(folder + ": ComponentID " + std::to_string(e.id) + " used twice");
  for (auto row : root->children("MsgContent")) {
    auto it = by_id.find(row.child("ComponentID").text().as_int());
    if (it == by_id.end()) continue;  // rows of entities this version does not have
    it->second->contents.push_back(
        {.tag_text = text_of(row, "TagText"),
         .indent = row.child("Indent").text().as_int(),
         .position = std::strtod(row.child("Position").text().as_string(), nullptr),
         .required = row.child("Reqd").text().as_int() == 1});
  }
  for (auto& [id, entity] : by_id)
    std::stable_sort(
        entity->contents.begin(), entity->contents.end(),
        [](const RepoContent& a, const RepoContent& b) { return a.position < b.position; });
  return Status::ok();
}

}  // namespace

const RepoEntity* Repository::component(const std::string& name) const {
  auto it = component_index.find(name);
  return it == component_index.end() ? nullptr : &components[it->second];
}

const std::vector<RepoEnum>* Repository::enums_of(int tag) const {
  auto it = enums.find(tag);
  return it == enums.end() ? nullptr : &it->second;
}

Result<Repository> read_repository(const std::string& folder) {
  std::string dir = folder;
  if (std::filesystem::exists(dir + "/Base/Fields.xml")) dir += "/Base";
  if (!std::filesystem::exists(dir + "/Fields.xml"))
    return Status::error(folder +
                         ": no Fields.xml here or in Base/ (not a FIX Repository version)");
  Repository repo;
  if (Status s = read_fields(repo, dir); !s) return s;
  if (Status s = read_enums(repo, dir); !s) return s;
  if (Status s = read_entities(repo.messages, dir, "Messages.xml", "Message"); !s) return s;
  if (Status s = read_entities(repo.components, dir, "Components.xml", "Component"); !s) return s;
  if (Status s = read_contents(repo, dir); !s) return s;
  for (size_t i = 0; i < repo.components.size(); ++i)
    repo.component_index[repo.components[i].name] = i;
  return repo;
}

}  // namespace fixgate::cli
