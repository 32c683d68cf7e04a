// The FIX Repository (the "2010 edition" XML files jspurefix ships under data/fix_repo): one
// version's Fields, Enums, Messages, Components and MsgContents, read as they are written.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "fixgate/base/result.h"

namespace fixgate::cli {

// One <Enum>: a value of a field, with its SymbolicName (e.g. "NewOrderSingle").
struct RepoEnum {
  std::string value;
  std::string symbolic_name;
};

// One <Field>. Its <EnumDatatype> (the tag whose enums it shares) is not read: QuickFIX gives
// a field only its own enums, and a shared list would make a validator refuse values the other
// field's list lacks (a user-defined MsgType in a Reject's RefMsgType, say).
struct RepoField {
  int tag = 0;
  std::string name;
  std::string type;  // as written: "char", "UTCTimestamp", "NumInGroup" …
};

// One row of MsgContents: a field (tag number), a component (name), StandardHeader or
// StandardTrailer at a position in a message or component. Deeper indents are group members.
struct RepoContent {
  std::string tag_text;
  int indent = 0;
  double position = 0;  // "3.11" sorts between "3.1" and "3.2": compared as numbers
  bool required = false;
};

// A message (MsgType set) or a component (MsgType empty); both own rows of MsgContents.
struct RepoEntity {
  int id = 0;  // ComponentID: the key of its MsgContents rows
  std::string name;
  std::string msg_type;
  std::string category;  // CategoryID: "Session" marks the session-level (admin) messages
  std::vector<RepoContent> contents;  // sorted by position
};

// One version of the repository as read from its folder.
struct Repository {
  std::map<int, RepoField> fields;                // by tag
  std::map<int, std::vector<RepoEnum>> enums;     // by tag, in file order
  std::vector<RepoEntity> messages;               // in file order
  std::vector<RepoEntity> components;             // in file order
  std::map<std::string, size_t> component_index;  // name -> index in components

  const RepoEntity* component(const std::string& name) const;
  // The field's enums, or null when it has none.
  const std::vector<RepoEnum>* enums_of(int tag) const;
};

// Reads `folder` (e.g. .../fix_repo/FIX.4.4, or its Base/ subfolder, which some versions use).
Result<Repository> read_repository(const std::string& folder);

}  // namespace fixgate::cli
