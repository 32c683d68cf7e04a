// The generated dictionaries against QuickFIX/C++ 1.15.1's own. Debian's libquickfix-dev ships
// the C++ classes QuickFIX generated from its FIX40.xml … FIXT11.xml: one header per message,
// each field a FIELD_SET, each group a nested class naming its delimiter and field order, each
// required field of the message a constructor argument. For FIX 4.0, 4.1, 5.0, 5.0 SP1 and
// FIXT.1.1 they are the only QuickFIX reference on this machine.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "dict_generate_test_util.h"

namespace fixgate::cli {
namespace {

// A repeating group as QuickFIX's class declares it; `path` holds the enclosing groups' counters.
struct QfGroup {
  std::vector<Tag> path;
  Tag counter = 0;
  Tag delimiter = 0;
  std::vector<Tag> order;
};

// A message, Header or Trailer class: its own fields (group counters included), the fields its
// constructor requires, and every group within it.
struct QfClass {
  std::string msg_type;
  std::set<Tag> fields;
  std::set<Tag> required;
  std::vector<QfGroup> groups;
};

std::string read_file(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

std::vector<Tag> tag_list(const std::string& csv) {
  std::vector<Tag> tags;
  std::stringstream ss(csv);
  for (std::string t; std::getline(ss, t, ',');)
    if (t != "0") tags.push_back(static_cast<Tag>(std::stoul(t)));  // 0 ends the list
  return tags;
}

class QfReader {
 public:
  explicit QfReader(const std::string& include_dir) : dir_(include_dir) {
    std::regex number(R"(const int (\w+) = (\d+);)");
    std::string text = read_file(dir_ + "/FixFieldNumbers.h");
    for (std::sregex_iterator it(text.begin(), text.end(), number), end; it != end; ++it)
      tags_[(*it)[1]] = static_cast<Tag>(std::stoul((*it)[2]));
  }

  Tag tag(const std::string& name) {
    auto it = tags_.find(name);
    EXPECT_NE(it, tags_.end()) << "QuickFIX field " << name;
    return it == tags_.end() ? 0 : it->second;
  }

  // The top-level classes of one generated header, by class name.
  std::map<std::string, QfClass> read(const std::string& file) {
    static const std::regex kClass(
        R"(^\s*class (\w+) : public (FIX::)?(Header|Trailer|Message)\b)");
    static const std::regex kGroup(R"(FIX::Group\((\d+),(\d+),FIX::message_order\(([\d,]+)\)\))");
    static const std::regex kFieldSet(R"(FIELD_SET\(\*this, FIX::(\w+)\))");
    static const std::regex kParam(R"(const FIX::(\w+)& a\1\b)");
    static const std::regex kMsgType(R"re(FIX::MsgType\("([^"]+)"\))re");
    std::map<std::string, QfClass> classes;
    QfClass* current = nullptr;
    std::vector<std::pair<Tag, int>> open;  // enclosing groups: counter, depth of their body
    int depth = 0;
    std::stringstream in(read_file(file));
    for (std::string line; std::getline(in, line);) {
      std::smatch m;
      if (std::regex_search(line, m, kClass)) current = &classes[m[1]];
      while (!open.empty() && depth < open.back().second) open.pop_back();
      if (current) {
        if (std::regex_search(line, m, kMsgType) && current->msg_type.empty())
          current->msg_type = m[1];
        if (std::regex_search(line, m, kParam)) current->required.insert(tag(m[1]));
        if (std::regex_search(line, m, kGroup)) {
          QfGroup g{.path = {},
                    .counter = static_cast<Tag>(std::stoul(m[1])),
                    .delimiter = static_cast<Tag>(std::stoul(m[2])),
                    .order = tag_list(m[3])};
          for (auto [counter, d] : open) g.path.push_back(counter);
          open.emplace_back(g.counter, depth);
          current->groups.push_back(std::move(g));
        } else if (std::regex_search(line, m, kFieldSet) && open.empty()) {
          current->fields.insert(tag(m[1]));
        }
      }
      depth += static_cast<int>(std::count(line.begin(), line.end(), '{')) -
               static_cast<int>(std::count(line.begin(), line.end(), '}'));
    }
    return classes;
  }

 private:
  std::string dir_;
  std::map<std::string, Tag> tags_;
};

std::string name_of(const dict::Dictionary& d, Tag t) {
  const dict::FieldDef* f = d.field(t);
  return std::to_string(t) + " " + (f ? f->name : "?");
}

// A member QuickFIX's class lacks; a required one would make us refuse what QuickFIX accepts.
std::string only_here(const dict::Dictionary& d, const dict::Member& m) {
  return name_of(d, m.tag) + " only here" + (m.required ? " (required)" : "");
}

// Differences between our field set (a message body, header or trailer) and QuickFIX's class.
void compare_set(const std::string& where, const dict::Dictionary& d, const dict::FieldSet& ours,
                 const QfClass& qf, bool all_required_in_constructor,
                 std::vector<std::string>& diffs) {
  for (const dict::Member& m : ours.members())
    if (!qf.fields.count(m.tag)) diffs.push_back(where + ": " + only_here(d, m));
  for (Tag t : qf.fields)
    if (!ours.find(t)) diffs.push_back(where + ": " + name_of(d, t) + " only there");
  // QuickFIX's constructors take the message's own required fields (not a component's).
  for (const dict::Member& m : ours.members()) {
    const bool theirs = qf.required.count(m.tag) > 0;
    if (m.required != theirs && (theirs || (all_required_in_constructor && !m.group)))
      diffs.push_back(where + ": " + name_of(d, m.tag) + " required " + (m.required ? "Y" : "N") +
                      " here, " + (theirs ? "Y" : "N") + " there");
  }
  for (const QfGroup& g : qf.groups) {
    const dict::FieldSet* set = &ours;
    std::string at = where;
    for (Tag counter : g.path) {
      const dict::Member* m = set ? set->find(counter) : nullptr;
      set = m ? m->group : nullptr;
      at += "/" + name_of(d, counter);
    }
    const dict::Member* m = set ? set->find(g.counter) : nullptr;
    at += "/" + name_of(d, g.counter);
    if (!m || !m->group) {
      diffs.push_back(at + ": a group there, not here");
      continue;
    }
    // QuickFIX's field order leaves out the counters of groups that come from a component;
    // those groups are compared on their own (their classes are declared all the same).
    std::vector<Tag> order;
    for (const dict::Member& member : m->group->members())
      if (!member.group || std::find(g.order.begin(), g.order.end(), member.tag) != g.order.end())
        order.push_back(member.tag);
    const std::set<Tag> ours_set(order.begin(), order.end()),
        theirs_set(g.order.begin(), g.order.end());
    for (Tag t : order)
      if (!theirs_set.count(t)) diffs.push_back(at + ": " + only_here(d, *m->group->find(t)));
    for (Tag t : g.order)
      if (!ours_set.count(t)) diffs.push_back(at + ": " + name_of(d, t) + " only there");
    // A group entry must start with its delimiter; past it, QuickFIX reads members in any order.
    if (!order.empty() && !g.order.empty() && order.front() != g.order.front())
      diffs.push_back(at + ": delimiter " + name_of(d, order.front()) + " here, " +
                      name_of(d, g.order.front()) + " there");
  }
}

std::vector<std::string> compare_with_classes(const dict::Dictionary& d, const std::string& folder,
                                              bool all_required_in_constructor) {
  QfReader reader(FIXGATE_QUICKFIX_INCLUDE_DIR);
  std::vector<std::string> diffs;
  std::set<std::string> seen;
  for (const auto& entry : std::filesystem::directory_iterator(
           std::string(FIXGATE_QUICKFIX_INCLUDE_DIR) + "/" + folder)) {
    const std::string file = entry.path().filename();
    if (file == "MessageCracker.h") continue;
    for (const auto& [name, qf] : reader.read(entry.path())) {
      if (name == "Header" || name == "Trailer") {
        compare_set(name, d, name == "Header" ? d.header() : d.trailer(), qf, false, diffs);
        continue;
      }
      if (qf.msg_type.empty()) continue;  // class Message: the base
      seen.insert(qf.msg_type);
      const dict::MessageDef* msg = d.message(qf.msg_type);
      const std::string where = "message " + qf.msg_type;
      if (!msg) {
        diffs.push_back(where + " " + name + ": only there");
        continue;
      }
      if (msg->name != name)
        diffs.push_back(where + ": named " + msg->name + " here, " + name + " there");
      compare_set(where, d, msg->body, qf, all_required_in_constructor, diffs);
    }
  }
  for (const auto& m : d.messages())
    if (!seen.count(m->msg_type))
      diffs.push_back("message " + m->msg_type + " " + m->name + ": only here");
  return diffs;
}

void expect_matches_classes(std::string_view version, const std::string& folder,
                            bool all_required_in_constructor, std::span<const Known> known) {
  auto d = generated(version);
  ASSERT_TRUE(d);
  expect_only_known(compare_with_classes(*d, folder, all_required_in_constructor), known);
}

// FIX 4.0-4.4: the generated dictionaries are QuickFIX/C++'s, message for message, field for
// field, group for group. The constructors of 4.0-4.2 take every required field (no components).
TEST(DictQuickFixClassesTest, Fix4xMatchQuickFixClassesExactly) {
  expect_matches_classes("FIX.4.0", "fix40", true, {});
  expect_matches_classes("FIX.4.1", "fix41", true, {});
  expect_matches_classes("FIX.4.2", "fix42", true, {});
  expect_matches_classes("FIX.4.4", "fix44", false, {});
}

// QuickFIX/C++ 1.15.1's FIX 5.0 files were made from an earlier cut of the repository; where the
// repository (and jspurefix's FIX50SP2.xml) has more optional members, they are "only here".
constexpr Known kLegPrice{
    R"(^message [^:]+/555 NoLegs: 566 LegPrice only here$)",
    "the repository's InstrumentLeg carries LegPrice since FIX 5.0; QuickFIX's leg groups do not"};
constexpr Known kSecurityXml{
    R"(^message [^:]+: (1184 SecurityXMLLen|1185 SecurityXML|1186 SecurityXMLSchema) only here$)",
    "the SecurityXML component inside instrument groups, which QuickFIX's SP1/SP2 files omit"};
constexpr Known kTradingRules{
    R"(^message [^:]+: (1140 MaxTradeVol|1143 MaxPriceVariation|1144 ImpliedMarketIndicator|)"
    R"(1148 LowLimitPrice|1149 HighLimitPrice|1150 TradingReferencePrice|1245 TradingCurrency|)"
    R"(1306 PriceLimitType|1377 MultilegModel|1378 MultilegPriceMethod|423 PriceType|561 RoundLot|)"
    R"(562 MinTradeVol|827 ExpirationCycle) only here$)",
    "BaseTradingRules fields in the market-segment and security-definition groups, which "
    "QuickFIX's SP1/SP2 files omit"};

TEST(DictQuickFixClassesTest, Fix50MatchesQuickFixClassesButForKnownDifferences) {
  const Known fix50[] = {kLegPrice};
  expect_matches_classes("FIX.5.0", "fix50", false, fix50);
  const Known fix50sp1[] = {kLegPrice, kSecurityXml, kTradingRules};
  expect_matches_classes("FIX.5.0SP1", "fix50sp1", false, fix50sp1);
  const Known fix50sp2[] = {
      kLegPrice,
      kSecurityXml,
      kTradingRules,
      {R"(^message (AE|AR)/552 NoSides: (38 OrderQty|152 CashOrderQty|516 OrderPercent|)"
       R"(468 RoundingDirection|469 RoundingModulus|1082 SecondaryDisplayQty|1083 DisplayWhen|)"
       R"(1084 DisplayMethod|1085 DisplayLowQty|1086 DisplayHighQty|1087 DisplayMinIncr|)"
       R"(1088 RefreshQty|1138 DisplayQty) only here$)",
       "OrderQtyData and DisplayInstruction in TradeCaptureReport(Ack)'s sides, which QuickFIX's "
       "SP2 file omits"}};
  expect_matches_classes("FIX.5.0SP2", "fix50sp2", false, fix50sp2);
}

// QuickFIX's FIXT11.xml is FIXT 1.1 as FIX 5.0 left it; FIX 5.0 SP1 and SP2 added optional
// session fields (password change, SessionStatus, ApplExtID and its Ref/Default forms).
TEST(DictQuickFixClassesTest, Fixt11MatchesQuickFixClassesButForSp2Additions) {
  const Known fixt11[] = {
      {R"(^Header: 1156 ApplExtID only here$)", "added to the header by FIX 5.0 SP1"},
      {R"(^message (3|5|A|A/384 NoMsgTypes): [0-9]+ [A-Za-z]+ only here$)",
       "optional fields SP1/SP2 added to Reject, Logout, Logon and its NoMsgTypes"}};
  expect_matches_classes("FIXT.1.1", "fixt11", true, fixt11);
}

}  // namespace
}  // namespace fixgate::cli
