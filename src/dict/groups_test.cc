// GroupView: repeating groups of a parsed message as entries (spans of fields), nested groups,
// header groups, and what a malformed count looks like.
#include "fixgate/dict/groups.h"
#include "dict_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/tags.h"

namespace fixgate::dict {
namespace {

using testing::standard;

// An encoded and parsed message: BeginString, MsgType, `fields` ('|' stands for SOH), CheckSum.
// Owns the bytes the parsed view points into, so it neither copies nor moves.
class Wire {
 public:
  Wire(std::string_view msg_type, std::string_view fields, const Dictionary& dict) {
    std::string body(fields);
    std::replace(body.begin(), body.end(), '|', codec::kSoh);
    codec::Encoder enc;
    enc.begin("FIX.4.4", msg_type).raw(body);
    bytes_ = std::string(enc.finish());
    parsed_ = msg_.parse(bytes_, dict.data_fields());
  }
  Wire(const Wire&) = delete;
  Wire& operator=(const Wire&) = delete;

  bool ok() const { return parsed_.ok(); }
  const codec::Message& msg() const { return msg_; }

 private:
  std::string bytes_;
  codec::Message msg_;
  codec::ParseResult parsed_;
};

std::vector<Tag> tags_of(std::span<const codec::Field> fields) {
  std::vector<Tag> tags;
  for (const auto& f : fields) tags.push_back(f.tag);
  return tags;
}

constexpr std::string_view kHeader = "49=SENDER|56=TARGET|34=2|52=20240102-10:00:00.000|";

class GroupViewTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dict_ = standard("FIX44.xml");
    ASSERT_NE(dict_, nullptr);
  }
  const codec::Message& parse(std::string_view msg_type, std::string_view body) {
    wire_.emplace(msg_type, std::string(kHeader) + std::string(body), *dict_);
    EXPECT_TRUE(wire_->ok());
    return wire_->msg();
  }

  Dictionary::Ptr dict_;
  std::optional<Wire> wire_;
};

constexpr std::string_view kSnapshot =
    "262=R1|55=IBM|268=3|269=0|270=10.5|271=100|269=1|270=10.6|269=2|270=10.55|271=50|"
    "272=20240102|813=5|";

constexpr std::string_view kCross =
    "548=X1|549=1|550=0|552=2|"
    "54=1|11=A|453=2|448=P1|447=D|452=1|802=2|523=S1|803=1|523=S2|803=2|448=P2|447=D|452=3|38=100|"
    "54=2|11=B|38=200|"
    "55=IBM|60=20240102-10:00:00|40=1|";

TEST_F(GroupViewTest, FindsGroupWithThreeEntries) {
  const codec::Message& msg = parse("W", kSnapshot);
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->size(), 3u);
  EXPECT_EQ(g->count_tag(), tag::NoMDEntries);
  EXPECT_EQ(g->declared_count(), "3");
}

TEST_F(GroupViewTest, EntrySpansExactlyItsOwnFields) {
  const codec::Message& msg = parse("W", kSnapshot);
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  ASSERT_EQ(g->size(), 3u);
  EXPECT_EQ(tags_of(g->entry(0)), (std::vector<Tag>{269, 270, 271}));
  EXPECT_EQ(tags_of(g->entry(1)), (std::vector<Tag>{269, 270}));
  // The last entry ends at the first non-member (ApplQueueDepth), not at the end of the message.
  EXPECT_EQ(tags_of(g->entry(2)), (std::vector<Tag>{269, 270, 271, 272}));
  // Spans point into the message's own fields.
  EXPECT_EQ(g->entry(0).data(), &msg[msg.index_of(tag::MDEntryType)]);
  EXPECT_EQ(g->entry(1).front().value, "1");
}

TEST_F(GroupViewTest, GetsFieldsOfEachEntry) {
  const codec::Message& msg = parse("W", kSnapshot);
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  ASSERT_EQ(g->size(), 3u);
  EXPECT_EQ(g->get(0, tag::MDEntryPx), "10.5");
  EXPECT_EQ(g->get(1, tag::MDEntryPx), "10.6");
  EXPECT_EQ(g->get(2, tag::MDEntryPx), "10.55");
  EXPECT_EQ(g->get(0, tag::MDEntrySize), "100");
  EXPECT_EQ(g->get(1, tag::MDEntrySize), std::nullopt);  // not in entry 1, though in entry 2
  EXPECT_EQ(g->get(2, tag::MDEntryDate), "20240102");
  EXPECT_EQ(g->get(2, tag::ApplQueueDepth), std::nullopt);  // after the group
  EXPECT_EQ(g->get(0, tag::Symbol), std::nullopt);          // before the group
}

TEST_F(GroupViewTest, ResolvesNestedGroupsOfAnEntry) {
  const codec::Message& msg = parse("s", kCross);
  auto sides = GroupView::find(msg, *dict_, tag::NoSides);
  ASSERT_TRUE(sides.has_value());
  ASSERT_EQ(sides->size(), 2u);
  EXPECT_EQ(sides->entry(0).size(), 15u);  // 54, 11, 453 and its 11 fields, 38
  EXPECT_EQ(sides->get(0, tag::OrderQty), "100");
  EXPECT_EQ(sides->get(1, tag::OrderQty), "200");
  EXPECT_EQ(sides->get(1, tag::ClOrdID), "B");

  auto parties = sides->group(0, tag::NoPartyIDs);
  ASSERT_TRUE(parties.has_value());
  EXPECT_EQ(parties->declared_count(), "2");
  ASSERT_EQ(parties->size(), 2u);
  EXPECT_EQ(parties->get(0, tag::PartyID), "P1");
  EXPECT_EQ(parties->get(1, tag::PartyID), "P2");
  EXPECT_EQ(parties->get(1, tag::PartyRole), "3");
  EXPECT_EQ(tags_of(parties->entry(1)), (std::vector<Tag>{448, 447, 452}));

  auto subs = parties->group(0, tag::NoPartySubIDs);
  ASSERT_TRUE(subs.has_value());
  ASSERT_EQ(subs->size(), 2u);
  EXPECT_EQ(subs->get(0, tag::PartySubID), "S1");
  EXPECT_EQ(subs->get(1, tag::PartySubID), "S2");
  EXPECT_EQ(parties->group(1, tag::NoPartySubIDs), std::nullopt);  // P2 has no sub-IDs
  EXPECT_EQ(sides->group(1, tag::NoPartyIDs), std::nullopt);       // side B has no parties
}

TEST_F(GroupViewTest, IteratesEntriesWithTypedGets) {
  // With the dictionary the last entry ends where the group does: 813 (a body field after the
  // group) is not in it, unlike a GroupRange walked by delimiter alone.
  const codec::Message& msg = parse("W", kSnapshot);
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g);
  std::vector<std::string> prices;
  for (codec::FieldRange entry : *g)
    prices.push_back(entry.get<codec::Decimal>(tag::MDEntryPx)->to_string());
  EXPECT_EQ(prices, (std::vector<std::string>{"10.5", "10.6", "10.55"}));
  EXPECT_EQ(*(*g)[2].get<codec::Date>(tag::MDEntryDate), (codec::Date{2024, 1, 2}));
  EXPECT_TRUE((*g)[1].get<int>(tag::MDEntrySize).absent());
  EXPECT_FALSE((*g)[2].has(813));
  EXPECT_TRUE(msg.group(tag::NoMDEntries, tag::MDEntryType)[2].has(813));
}

TEST_F(GroupViewTest, GetSearchesNestedGroupsOfTheEntry) {
  const codec::Message& msg = parse("s", kCross);
  auto sides = GroupView::find(msg, *dict_, tag::NoSides);
  ASSERT_TRUE(sides.has_value());
  EXPECT_EQ(sides->get(0, tag::PartyID), "P1");  // the first occurrence in the entry
  EXPECT_EQ(sides->get(0, tag::PartySubID), "S1");
  EXPECT_EQ(sides->get(1, tag::PartyID), std::nullopt);
}

TEST_F(GroupViewTest, ReturnsNulloptWhenGroupIsAbsent) {
  const codec::Message& msg = parse("D", "11=ORD1|55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|");
  EXPECT_EQ(GroupView::find(msg, *dict_, tag::NoPartyIDs), std::nullopt);
  EXPECT_EQ(GroupView::find(msg, *dict_, tag::NoHops), std::nullopt);
}

TEST_F(GroupViewTest, ReturnsNulloptForTagsThatAreNotGroupsOfTheMessage) {
  const codec::Message& cross = parse("s", kCross);
  EXPECT_EQ(GroupView::find(cross, *dict_, tag::Symbol), std::nullopt);       // a plain field
  EXPECT_EQ(GroupView::find(cross, *dict_, tag::NoMDEntries), std::nullopt);  // another message's
  EXPECT_EQ(GroupView::find(cross, *dict_, tag::NoPartyIDs),
            std::nullopt);  // nested, not top-level
  const codec::Message& unknown = parse("ZZ", "268=1|269=0|");
  EXPECT_EQ(GroupView::find(unknown, *dict_, tag::NoMDEntries), std::nullopt);
}

TEST_F(GroupViewTest, ReportsDeclaredCountOfAMalformedGroup) {
  const codec::Message& msg = parse("W", "55=IBM|268=5|269=0|270=1|269=1|270=2|");
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->declared_count(), "5");
  EXPECT_EQ(g->size(), 2u);
  EXPECT_EQ(g->get(1, tag::MDEntryPx), "2");
}

TEST_F(GroupViewTest, KeepsANonNumericCountAsSent) {
  const codec::Message& msg = parse("W", "55=IBM|268=two|269=0|269=1|");
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->declared_count(), "two");
  EXPECT_EQ(g->size(), 2u);
}

TEST_F(GroupViewTest, HasNoEntriesWhenTheFirstFieldIsNotTheDelimiter) {
  const codec::Message& msg = parse("W", "55=IBM|268=1|270=10.5|269=0|");
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->declared_count(), "1");
  EXPECT_EQ(g->size(), 0u);
}

TEST_F(GroupViewTest, FindsEmptyGroupAtTheEndOfTheBody) {
  const codec::Message& msg = parse("W", "55=IBM|268=0|");
  auto g = GroupView::find(msg, *dict_, tag::NoMDEntries);
  ASSERT_TRUE(g.has_value());
  EXPECT_EQ(g->declared_count(), "0");
  EXPECT_EQ(g->size(), 0u);
}

TEST_F(GroupViewTest, FindsHeaderGroupNoHops) {
  wire_.emplace("D",
                "49=SENDER|56=TARGET|34=2|52=20240102-10:00:00|"
                "627=2|628=HOP1|629=20240102-09:59:59|630=7|628=HOP2|"
                "11=ORD1|55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|",
                *dict_);
  ASSERT_TRUE(wire_->ok());
  auto hops = GroupView::find(wire_->msg(), *dict_, tag::NoHops);
  ASSERT_TRUE(hops.has_value());
  EXPECT_EQ(hops->count_tag(), tag::NoHops);
  ASSERT_EQ(hops->size(), 2u);
  EXPECT_EQ(hops->get(0, tag::HopCompID), "HOP1");
  EXPECT_EQ(hops->get(0, tag::HopRefID), "7");
  EXPECT_EQ(hops->get(1, tag::HopCompID), "HOP2");
  EXPECT_EQ(tags_of(hops->entry(1)), (std::vector<Tag>{628}));  // ends before ClOrdID
}

TEST_F(GroupViewTest, FindsHeaderGroupWithTheBuiltinDictionary) {
  Dictionary::Ptr builtin = Dictionary::builtin("FIX.4.4");
  wire_.emplace("0", "49=S|56=T|627=1|628=HOP1|34=2|52=20240102-10:00:00|", *builtin);
  ASSERT_TRUE(wire_->ok());
  auto hops = GroupView::find(wire_->msg(), *builtin, tag::NoHops);
  ASSERT_TRUE(hops.has_value());
  ASSERT_EQ(hops->size(), 1u);
  EXPECT_EQ(tags_of(hops->entry(0)), (std::vector<Tag>{628}));
}

// A count tag used both at the top level and inside another group's entries: the top-level
// search must step over the nested one.
constexpr std::string_view kBasketXml = R"(<fix major="4" minor="4">
 <header>
  <field name="BeginString" required="Y"/>
  <field name="BodyLength" required="Y"/>
  <field name="MsgType" required="Y"/>
 </header>
 <trailer><field name="CheckSum" required="Y"/></trailer>
 <messages>
  <message name="Basket" msgtype="U1">
   <group name="NoOuter" required="N">
    <field name="OuterID" required="Y"/>
    <component name="Items" required="N"/>
   </group>
   <field name="Sep" required="N"/>
   <component name="Items" required="N"/>
  </message>
 </messages>
 <components>
  <component name="Items">
   <group name="NoItems" required="N"><field name="ItemID" required="Y"/></group>
  </component>
 </components>
 <fields>
  <field number="8" name="BeginString" type="STRING"/>
  <field number="9" name="BodyLength" type="LENGTH"/>
  <field number="10" name="CheckSum" type="STRING"/>
  <field number="35" name="MsgType" type="STRING"/>
  <field number="5001" name="NoOuter" type="NUMINGROUP"/>
  <field number="5002" name="OuterID" type="STRING"/>
  <field number="5003" name="NoItems" type="NUMINGROUP"/>
  <field number="5004" name="ItemID" type="STRING"/>
  <field number="5005" name="Sep" type="STRING"/>
 </fields>
</fix>)";

TEST(GroupViewNestingTest, SkipsNestedGroupWithTheSameCountTag) {
  auto d = Dictionary::load_string(kBasketXml, "basket.xml");
  ASSERT_TRUE(d) << d.error();
  Wire w("U1", "5001=1|5002=A|5003=2|5004=x|5004=y|5005=-|5003=1|5004=z|", **d);
  ASSERT_TRUE(w.ok());
  auto top = GroupView::find(w.msg(), **d, 5003);
  ASSERT_TRUE(top.has_value());
  EXPECT_EQ(top->declared_count(), "1");
  ASSERT_EQ(top->size(), 1u);
  EXPECT_EQ(top->get(0, 5004), "z");

  auto outer = GroupView::find(w.msg(), **d, 5001);
  ASSERT_TRUE(outer.has_value());
  ASSERT_EQ(outer->size(), 1u);
  EXPECT_EQ(tags_of(outer->entry(0)), (std::vector<Tag>{5002, 5003, 5004, 5004}));
  auto inner = outer->group(0, 5003);
  ASSERT_TRUE(inner.has_value());
  ASSERT_EQ(inner->size(), 2u);
  EXPECT_EQ(inner->get(1, 5004), "y");
}

TEST(GroupViewNestingTest, FindsGroupInASpanOfFieldsWithAFieldSet) {
  auto d = Dictionary::load_string(kBasketXml, "basket.xml");
  ASSERT_TRUE(d) << d.error();
  Wire w("U1", "5001=2|5002=A|5002=B|5003=1|5004=b1|", **d);
  ASSERT_TRUE(w.ok());
  const FieldSet& body = (*d)->message("U1")->body;
  auto outer = GroupView::find(w.msg().fields(), body, 5001);
  ASSERT_TRUE(outer.has_value());
  ASSERT_EQ(outer->size(), 2u);
  EXPECT_EQ(outer->get(0, 5002), "A");
  EXPECT_EQ(outer->group(0, 5003), std::nullopt);
  auto items = outer->group(1, 5003);
  ASSERT_TRUE(items.has_value());
  EXPECT_EQ(items->get(0, 5004), "b1");
  // The same fields, searched with a set the tag is not a group of.
  EXPECT_EQ(GroupView::find(w.msg().fields(), (*d)->header(), 5001), std::nullopt);
}

}  // namespace
}  // namespace fixgate::dict
