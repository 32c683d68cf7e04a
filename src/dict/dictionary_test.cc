// Dictionary loading: the standard QuickFIX files, small hand-written dictionaries for the exact
// rules (component expansion, the required rule, nested groups), load errors, and the built-ins.
#include "fixgate/dict/dictionary.h"
#include "dict_test_util.h"
#include "fixgate/codec/encoder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "fixgate/codec/tags.h"

namespace fixgate::dict {
namespace {

using testing::standard;

const Member* member(const FieldSet& set, Tag tag) { return set.find(tag); }
const Member* member(const MessageDef* msg, Tag tag) { return msg ? msg->body.find(tag) : nullptr; }

bool required(const Member* m) { return m != nullptr && m->required; }

// A small dictionary in single quotes, as QuickFIX writes them. Tests swap the quote style.
constexpr std::string_view kSmall = R"(<fix type='FIX' major='4' minor='4' servicepack='0'>
 <header>
  <field name='BeginString' required='Y'/>
  <field name='BodyLength' required='Y'/>
  <field name='MsgType' required='Y'/>
 </header>
 <trailer>
  <field name='CheckSum' required='Y'/>
 </trailer>
 <messages>
  <message name='NewOrderSingle' msgtype='D' msgcat='app'>
   <field name='ClOrdID' required='Y'/>
   <component name='Instrument' required='Y'/>
   <component name='Extras' required='N'/>
   <field name='Side' required='Y'/>
   <group name='NoPartyIDs' required='N'>
    <field name='PartyID' required='Y'/>
    <field name='PartyRole' required='N'/>
    <group name='NoPartySubIDs' required='N'>
     <field name='PartySubID' required='Y'/>
    </group>
   </group>
  </message>
  <message name='Heartbeat' msgtype='0' msgcat='admin'>
   <field name='TestReqID' required='N'/>
  </message>
 </messages>
 <components>
  <component name='Instrument'>
   <field name='Symbol' required='Y'/>
   <field name='SecurityID' required='N'/>
   <component name='Underlying' required='Y'/>
   <component name='Maturity' required='N'/>
  </component>
  <component name='Underlying'>
   <field name='UnderlyingSymbol' required='Y'/>
  </component>
  <component name='Maturity'>
   <field name='MaturityMonthYear' required='Y'/>
  </component>
  <component name='Extras'>
   <field name='Text' required='Y'/>
   <field name='Account' required='N'/>
  </component>
 </components>
 <fields>
  <field number='1' name='Account' type='STRING'/>
  <field number='8' name='BeginString' type='STRING'/>
  <field number='9' name='BodyLength' type='LENGTH'/>
  <field number='10' name='CheckSum' type='STRING'/>
  <field number='11' name='ClOrdID' type='STRING'/>
  <field number='35' name='MsgType' type='STRING'>
   <value enum='0' description='HEARTBEAT'/>
   <value enum='D' description='ORDER_SINGLE'/>
  </field>
  <field number='48' name='SecurityID' type='STRING'/>
  <field number='54' name='Side' type='CHAR'>
   <value enum='2' description='SELL'/>
   <value enum='1' description='BUY'/>
  </field>
  <field number='55' name='Symbol' type='STRING'/>
  <field number='58' name='Text' type='STRING'/>
  <field number='112' name='TestReqID' type='STRING'/>
  <field number='200' name='MaturityMonthYear' type='MONTHYEAR'/>
  <field number='311' name='UnderlyingSymbol' type='STRING'/>
  <field number='448' name='PartyID' type='STRING'/>
  <field number='452' name='PartyRole' type='INT'/>
  <field number='453' name='NoPartyIDs' type='NUMINGROUP'/>
  <field number='523' name='PartySubID' type='STRING'/>
  <field number='802' name='NoPartySubIDs' type='NUMINGROUP'/>
  <field number='5001' name='MyFlavour' type='FLAVOUR'/>
 </fields>
</fix>)";

std::string double_quoted(std::string_view xml) {
  std::string s(xml);
  std::replace(s.begin(), s.end(), '\'', '"');
  return s;
}

Dictionary::Ptr small() {
  auto d = Dictionary::load_string(kSmall, "small.xml");
  EXPECT_TRUE(d) << d.error();
  return d ? *d : nullptr;
}

// The error a dictionary fails to load with ("" if it loads).
std::string load_error(std::string_view xml) {
  auto d = Dictionary::load_string(xml, "bad.xml");
  return d ? std::string() : d.error();
}

// --- The standard dictionaries ----------------------------------------------------------------

TEST(DictionaryTest, LoadsFix42) {
  auto d = standard("FIX42.xml");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->begin_string(), "FIX.4.2");
  EXPECT_FALSE(d->is_fixt());
  EXPECT_EQ(d->major(), 4);
  EXPECT_EQ(d->minor(), 2);
  EXPECT_EQ(d->service_pack(), 0);
  EXPECT_EQ(d->appl_ver_id(), "4");
  EXPECT_EQ(d->messages().size(), 46u);
  EXPECT_EQ(d->field_count(), 405u);
  EXPECT_TRUE(required(member(d->message("D"), tag::ClOrdID)));
  EXPECT_TRUE(required(member(d->message("D"), tag::HandlInst)));  // required in 4.2 only
  EXPECT_EQ(d->source(), std::string(FIXGATE_DICT_DIR) + "/FIX42.xml");
}

TEST(DictionaryTest, LoadsFix44WithNewOrderSingleRequiringClOrdID) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->begin_string(), "FIX.4.4");
  EXPECT_EQ(d->major(), 4);
  EXPECT_EQ(d->minor(), 4);
  EXPECT_EQ(d->service_pack(), 0);
  EXPECT_EQ(d->appl_ver_id(), "6");
  EXPECT_EQ(d->messages().size(), 93u);
  EXPECT_EQ(d->field_count(), 912u);

  const MessageDef* nos = d->message("D");
  ASSERT_NE(nos, nullptr);
  EXPECT_EQ(nos->name, "NewOrderSingle");
  EXPECT_EQ(nos->msg_type, "D");
  EXPECT_FALSE(nos->admin);
  EXPECT_EQ(d->message_by_name("NewOrderSingle"), nos);
  EXPECT_TRUE(required(member(nos, tag::ClOrdID)));
  EXPECT_TRUE(required(member(nos, tag::Side)));
  EXPECT_TRUE(required(member(nos, tag::OrdType)));
  EXPECT_FALSE(required(member(nos, tag::Account)));
  EXPECT_NE(member(nos, tag::Account), nullptr);
  EXPECT_FALSE(required(member(nos, tag::HandlInst)));  // optional since 4.3
  EXPECT_EQ(member(nos, tag::MDReqID), nullptr);

  EXPECT_TRUE(d->message("A")->admin);
  EXPECT_EQ(d->message("ZZ"), nullptr);
  EXPECT_EQ(d->message_by_name("NoSuchMessage"), nullptr);
  EXPECT_TRUE(required(member(d->header(), tag::SenderCompID)));
  EXPECT_FALSE(required(member(d->header(), tag::PossDupFlag)));
  EXPECT_TRUE(required(member(d->trailer(), tag::CheckSum)));
  EXPECT_GT(d->slot_count(), 1000u);
}

TEST(DictionaryTest, LoadsFix50Sp2AsApplicationVersion9) {
  auto d = standard("FIX50SP2.xml");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->begin_string(), "FIX.5.0SP2");
  EXPECT_FALSE(d->is_fixt());
  EXPECT_EQ(d->major(), 5);
  EXPECT_EQ(d->minor(), 0);
  EXPECT_EQ(d->service_pack(), 2);
  EXPECT_EQ(d->appl_ver_id(), "9");
  EXPECT_EQ(d->messages().size(), 163u);
  EXPECT_EQ(d->field_count(), 6029u);
  EXPECT_TRUE(required(member(d->message("D"), tag::ClOrdID)));
  EXPECT_NE(member(d->message("D"), tag::ManualOrderIndicator), nullptr);
  ASSERT_NE(d->field(tag::ManualOrderIndicator), nullptr);
  EXPECT_EQ(d->field(tag::ManualOrderIndicator)->type, FieldType::kBoolean);
}

TEST(DictionaryTest, LooksUpFieldsByTagAndName) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  const FieldDef* price = d->field(tag::Price);
  ASSERT_NE(price, nullptr);
  EXPECT_EQ(price->name, "Price");
  EXPECT_EQ(price->type_name, "PRICE");
  EXPECT_EQ(price->type, FieldType::kPrice);
  EXPECT_EQ(d->field("Price"), price);
  EXPECT_EQ(d->field(Tag{0}), nullptr);
  EXPECT_EQ(d->field(Tag{4999}), nullptr);
  EXPECT_EQ(d->field(Tag{70000}), nullptr);  // beyond the dense table
  EXPECT_EQ(d->field(codec::kMaxTag), nullptr);
  EXPECT_EQ(d->field("price"), nullptr);  // names are case-sensitive
}

TEST(DictionaryTest, LooksUpFieldsAboveTheDenseTagRange) {
  auto d = Dictionary::load_string(R"(<fix major="4" minor="4">
    <messages><message name="M" msgtype="U1"><field name="Big" required="Y"/></message></messages>
    <fields><field number="900000" name="Big" type="INT"/></fields></fix>)");
  ASSERT_TRUE(d) << d.error();
  ASSERT_NE((*d)->field(Tag{900000}), nullptr);
  EXPECT_EQ((*d)->field(Tag{900000})->name, "Big");
  EXPECT_EQ((*d)->field(Tag{900001}), nullptr);
  EXPECT_TRUE(required(member((*d)->message("U1"), 900000)));
}

// --- Quote styles, components, groups -----------------------------------------------------------

TEST(DictionaryTest, ReadsSingleAndDoubleQuotedAttributesAlike) {
  auto single = Dictionary::load_string(kSmall, "single.xml");
  auto dbl = Dictionary::load_string(double_quoted(kSmall), "double.xml");
  ASSERT_TRUE(single) << single.error();
  ASSERT_TRUE(dbl) << dbl.error();
  for (const auto& d : {*single, *dbl}) {
    EXPECT_EQ(d->begin_string(), "FIX.4.4");
    EXPECT_EQ(d->field_count(), 19u);
    EXPECT_EQ(d->messages().size(), 2u);
    EXPECT_EQ(d->field(tag::Side)->enum_description("1"), "BUY");
    EXPECT_TRUE(required(member(d->message("D"), tag::ClOrdID)));
    EXPECT_TRUE(d->message("0")->admin);
  }
  EXPECT_EQ((*dbl)->source(), "double.xml");
}

TEST(DictionaryTest, ExpandsComponentsInlineInFileOrder) {
  auto d = small();
  ASSERT_NE(d, nullptr);
  const MessageDef* m = d->message("D");
  ASSERT_NE(m, nullptr);
  std::vector<Tag> tags;
  for (const Member& x : m->body.members()) tags.push_back(x.tag);
  // ClOrdID, Instrument{Symbol, SecurityID, Underlying{311}, Maturity{200}}, Extras{58, 1},
  // Side, NoPartyIDs.
  EXPECT_EQ(tags, (std::vector<Tag>{11, 55, 48, 311, 200, 58, 1, 54, 453}));
  for (size_t i = 0; i < tags.size(); ++i)
    EXPECT_EQ(m->body.index_of(tags[i]), static_cast<int>(i));
  EXPECT_EQ(m->body.index_of(tag::PartyID), -1);  // a group member, not a body member
  EXPECT_EQ(m->body.delimiter(), tag::ClOrdID);
}

TEST(DictionaryTest, ExpandsNestedComponentsOfTheStandardDictionary) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  const MessageDef* nos = d->message("D");
  // Instrument → Symbol; Instrument → SecAltIDGrp → NoSecurityAltID; OrderQtyData → OrderQty.
  EXPECT_NE(member(nos, tag::Symbol), nullptr);
  EXPECT_NE(member(nos, tag::OrderQty), nullptr);
  const Member* alt = member(nos, tag::NoSecurityAltID);
  ASSERT_NE(alt, nullptr);
  ASSERT_NE(alt->group, nullptr);
  EXPECT_EQ(alt->group->delimiter(), tag::SecurityAltID);
}

TEST(DictionaryTest, RequiresAMemberOnlyIfItAndEveryEnclosingComponentAreRequired) {
  auto d = small();
  ASSERT_NE(d, nullptr);
  const MessageDef* m = d->message("D");
  EXPECT_TRUE(required(member(m, tag::ClOrdID)));           // Y
  EXPECT_TRUE(required(member(m, tag::Symbol)));            // Y in Instrument (Y)
  EXPECT_FALSE(required(member(m, tag::SecurityID)));       // N in Instrument (Y)
  EXPECT_TRUE(required(member(m, tag::UnderlyingSymbol)));  // Y in Underlying (Y) in Instrument (Y)
  EXPECT_FALSE(required(member(m, tag::MaturityMonthYear)));  // Y in Maturity (N) in Instrument (Y)
  EXPECT_FALSE(required(member(m, tag::Text)));               // Y in Extras (N)
  EXPECT_FALSE(required(member(m, tag::Account)));            // N in Extras (N)
  EXPECT_NE(member(m, tag::Text), nullptr);
  // The required() list is exactly the required members, by index.
  std::vector<Tag> req;
  for (uint16_t i : m->body.required()) req.push_back(m->body.members()[i].tag);
  EXPECT_EQ(req, (std::vector<Tag>{11, 55, 311, 54}));
}

TEST(DictionaryTest, BuildsGroupsNestedInGroups) {
  auto d = small();
  ASSERT_NE(d, nullptr);
  const Member* parties = member(d->message("D"), tag::NoPartyIDs);
  ASSERT_NE(parties, nullptr);
  EXPECT_FALSE(parties->required);
  ASSERT_NE(parties->group, nullptr);
  EXPECT_EQ(parties->group->delimiter(), tag::PartyID);
  EXPECT_TRUE(required(parties->group->find(tag::PartyID)));  // required inside an optional group
  EXPECT_FALSE(required(parties->group->find(tag::PartyRole)));
  const Member* sub = parties->group->find(tag::NoPartySubIDs);
  ASSERT_NE(sub, nullptr);
  ASSERT_NE(sub->group, nullptr);
  EXPECT_EQ(sub->group->delimiter(), tag::PartySubID);
  EXPECT_EQ(sub->group->members().size(), 1u);
}

TEST(DictionaryTest, BuildsNestedGroupsOfNewOrderCross) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  const Member* sides = member(d->message("s"), tag::NoSides);
  ASSERT_NE(sides, nullptr);
  EXPECT_TRUE(sides->required);
  ASSERT_NE(sides->group, nullptr);
  EXPECT_EQ(sides->group->delimiter(), tag::Side);
  EXPECT_TRUE(required(sides->group->find(tag::ClOrdID)));
  EXPECT_FALSE(required(sides->group->find(tag::OrderQty)));  // N in OrderQtyData (Y)

  const Member* parties = sides->group->find(tag::NoPartyIDs);
  ASSERT_NE(parties, nullptr);
  ASSERT_NE(parties->group, nullptr);
  EXPECT_EQ(parties->group->delimiter(), tag::PartyID);
  const Member* sub = parties->group->find(tag::NoPartySubIDs);
  ASSERT_NE(sub, nullptr);
  ASSERT_NE(sub->group, nullptr);
  EXPECT_EQ(sub->group->delimiter(), tag::PartySubID);

  // The Parties component's group is one FieldSet wherever the component is used.
  const Member* top_parties = member(d->message("D"), tag::NoPartyIDs);
  ASSERT_NE(top_parties, nullptr);
  EXPECT_EQ(top_parties->group, parties->group);
}

TEST(DictionaryTest, BuildsMarketDataEntriesGroup) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  const Member* entries = member(d->message("W"), tag::NoMDEntries);
  ASSERT_NE(entries, nullptr);
  EXPECT_TRUE(entries->required);
  ASSERT_NE(entries->group, nullptr);
  EXPECT_EQ(entries->group->delimiter(), tag::MDEntryType);
  EXPECT_TRUE(required(entries->group->find(tag::MDEntryType)));
  EXPECT_FALSE(required(entries->group->find(tag::MDEntryPx)));
  EXPECT_LT(entries->group->index_of(tag::MDEntryPx), entries->group->index_of(tag::MDEntrySize));
  EXPECT_EQ(member(d->message("W"), tag::MDEntryType), nullptr);
}

TEST(DictionaryTest, FieldSetFindsNothingForAbsentTags) {
  auto d = small();
  ASSERT_NE(d, nullptr);
  const FieldSet& body = d->message("D")->body;
  EXPECT_EQ(body.find(tag::Price), nullptr);
  EXPECT_EQ(body.index_of(999'999'999), -1);
  FieldSet empty;
  EXPECT_EQ(empty.index_of(tag::ClOrdID), -1);
  EXPECT_EQ(empty.delimiter(), 0u);
}

// Sets whose tags span fewer than 4096 numbers are looked up in a flat array, wider ones in a
// hash table: both find every member, its index and placement, and nothing else.
TEST(DictionaryTest, LooksUpMembersOfNarrowAndWideSetsAlike) {
  for (Tag far : {Tag{4000}, Tag{5000}, Tag{900000}}) {
    const std::string xml = R"(<fix major="4" minor="4">
      <header><field name="BeginString" required="Y"/></header>
      <trailer><field name="CheckSum" required="Y"/></trailer>
      <messages><message name="M" msgtype="U1">
        <field name="A" required="Y"/><field name="Far" required="N"/>
        <group name="NoG" required="N"><field name="A" required="Y"/><field name="Far" required="N"/></group>
      </message></messages>
      <fields><field number="8" name="BeginString" type="STRING"/>
        <field number="10" name="CheckSum" type="STRING"/>
        <field number="100" name="A" type="INT"/><field number="101" name="NoG" type="NUMINGROUP"/>
        <field number=")" + std::to_string(far) +
                            R"(" name="Far" type="INT"/></fields></fix>)";
    auto d = Dictionary::load_string(xml);
    ASSERT_TRUE(d) << d.error();
    const MessageDef* m = (*d)->message("U1");
    ASSERT_NE(m, nullptr);
    EXPECT_EQ(m->body.index_of(100), 0) << far;
    EXPECT_EQ(m->body.index_of(far), 1) << far;
    EXPECT_EQ(m->body.index_of(101), 2) << far;
    for (Tag absent : {Tag{0}, Tag{1}, Tag{99}, Tag{102}, far - 1, far + 1, Tag{999'999'999}}) {
      EXPECT_EQ(m->body.index_of(absent), -1) << far << " " << absent;
      EXPECT_EQ(m->place(absent), nullptr) << far << " " << absent;
    }
    const FieldSet* group = m->body.members()[2].group;
    ASSERT_NE(group, nullptr);
    EXPECT_EQ(group->index_of(100), 0);
    EXPECT_EQ(group->index_of(far), 1);
    EXPECT_EQ(group->index_of(101), -1);
    ASSERT_NE(m->place(8), nullptr);
    EXPECT_EQ(m->place(8)->section, Placement::kHeader);
    ASSERT_NE(m->place(10), nullptr);
    EXPECT_EQ(m->place(10)->section, Placement::kTrailer);
    ASSERT_NE(m->place(far), nullptr);
    EXPECT_EQ(m->place(far)->section, Placement::kBody);
    EXPECT_EQ(m->place(far)->index, 1);
  }
}

// --- Fields: enums, types, data pairs ------------------------------------------------------------

TEST(DictionaryTest, LoadsEnumsInFileOrderWithDescriptions) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  const FieldDef* side = d->field(tag::Side);
  ASSERT_NE(side, nullptr);
  ASSERT_TRUE(side->has_enums());
  EXPECT_EQ(side->enums.front().value, "1");
  EXPECT_EQ(side->enums.front().description, "BUY");
  EXPECT_TRUE(side->is_enum_value("2"));
  EXPECT_FALSE(side->is_enum_value("Z"));
  EXPECT_FALSE(side->is_enum_value(""));
  EXPECT_FALSE(side->is_enum_value("11"));
  EXPECT_EQ(side->enum_description("2"), "SELL");
  EXPECT_EQ(side->enum_description("Z"), "");

  const FieldDef* status = d->field(tag::OrdStatus);
  ASSERT_NE(status, nullptr);
  EXPECT_EQ(status->enum_description("0"), "NEW");
  EXPECT_EQ(status->enum_description("2"), "FILLED");
  // Every value is found, however far from the file's order its sorted position is.
  for (const EnumValue& v : status->enums) {
    EXPECT_TRUE(status->is_enum_value(v.value)) << v.value;
    EXPECT_EQ(status->enum_description(v.value), v.description);
  }

  EXPECT_FALSE(d->field(tag::ClOrdID)->has_enums());
  EXPECT_FALSE(d->field(tag::ClOrdID)->is_enum_value("anything"));
}

TEST(DictionaryTest, KeepsEnumsUnsortedButLooksThemUpSorted) {
  auto d = small();
  ASSERT_NE(d, nullptr);
  const FieldDef* side = d->field(tag::Side);
  ASSERT_EQ(side->enums.size(), 2u);
  EXPECT_EQ(side->enums[0].value, "2");  // file order
  EXPECT_EQ(side->enums[1].value, "1");
  EXPECT_EQ(side->enum_description("1"), "BUY");
  EXPECT_EQ(side->enum_description("2"), "SELL");
  EXPECT_FALSE(side->is_enum_value("3"));
}

TEST(DictionaryTest, ParsesEveryFieldTypeName) {
  const std::pair<std::string_view, FieldType> cases[] = {
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
      {"TIME", FieldType::kUtcTimestamp},
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
  for (const auto& [name, type] : cases) EXPECT_EQ(parse_field_type(name), type) << name;
}

TEST(DictionaryTest, TreatsUnknownFieldTypesAsString) {
  EXPECT_EQ(parse_field_type("XID"), FieldType::kString);
  EXPECT_EQ(parse_field_type("FLAVOUR"), FieldType::kString);
  EXPECT_EQ(parse_field_type("price"), FieldType::kString);  // type names are upper case
  EXPECT_EQ(parse_field_type(""), FieldType::kString);

  auto d = small();
  ASSERT_NE(d, nullptr);
  const FieldDef* f = d->field(Tag{5001});
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->type_name, "FLAVOUR");  // kept as written
  EXPECT_EQ(f->type, FieldType::kString);

  auto fix50 = standard("FIX50SP2.xml");
  ASSERT_NE(fix50, nullptr);
  const FieldDef* xid = fix50->field(tag::CashSettlTermXID);  // FIX 5.0 SP2 "XID" type
  ASSERT_NE(xid, nullptr);
  EXPECT_EQ(xid->type_name, "XID");
  EXPECT_EQ(xid->type, FieldType::kString);
}

TEST(DictionaryTest, ClassifiesMultipleValueTypes) {
  FieldDef f;
  for (FieldType t : {FieldType::kMultipleValueString, FieldType::kMultipleCharValue,
                      FieldType::kMultipleStringValue}) {
    f.type = t;
    EXPECT_TRUE(f.is_multiple_value());
  }
  for (FieldType t : {FieldType::kString, FieldType::kChar, FieldType::kData}) {
    f.type = t;
    EXPECT_FALSE(f.is_multiple_value());
  }
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  EXPECT_TRUE(d->field(tag::ExecInst)->is_multiple_value());
}

TEST(DictionaryTest, PairsDataFieldsWithTheirLengthFields) {
  auto d = standard("FIX44.xml");
  ASSERT_NE(d, nullptr);
  const codec::DataFieldTable& data = d->data_fields();
  EXPECT_EQ(data.length_tag_for(tag::RawData), tag::RawDataLength);      // "Length" suffix
  EXPECT_EQ(data.length_tag_for(tag::SecureData), tag::SecureDataLen);   // "Len" suffix
  EXPECT_EQ(data.length_tag_for(tag::Signature), tag::SignatureLength);  // 89 ← 93
  EXPECT_EQ(data.length_tag_for(tag::XmlData), tag::XmlDataLen);
  EXPECT_EQ(data.length_tag_for(tag::EncodedText), tag::EncodedTextLen);
  EXPECT_EQ(data.length_tag_for(tag::Text), 0u);
  EXPECT_EQ(data.length_tag_for(tag::RawDataLength), 0u);
  EXPECT_EQ(data.pairs().size(), 16u);  // FIX44.xml has 16 DATA fields
}

// Every DATA/XMLDATA field of each standard dictionary must have a LENGTH partner, or a message
// carrying it cannot be parsed when the value holds SOH.
TEST(DictionaryTest, PairsEveryDataFieldOfTheStandardDictionaries) {
  for (const char* file : {"FIX42.xml", "FIX44.xml", "FIX50SP2.xml"}) {
    auto d = standard(file);
    ASSERT_NE(d, nullptr);
    size_t data_fields = 0;
    for (Tag t = 1; t < 100'000; ++t) {
      const FieldDef* f = d->field(t);
      if (!f || (f->type != FieldType::kData && f->type != FieldType::kXmlData)) continue;
      ++data_fields;
      Tag len = d->data_fields().length_tag_for(t);
      ASSERT_NE(len, 0u) << file << ": " << f->name << " (" << t << ") has no length field";
      ASSERT_NE(d->field(len), nullptr);
      EXPECT_EQ(d->field(len)->type, FieldType::kLength) << file << ": " << f->name;
    }
    EXPECT_EQ(d->data_fields().pairs().size(), data_fields) << file;
  }
}

TEST(DictionaryTest, PairsDataFieldWhoseLengthNameIsAbbreviated) {
  // FIX 5.0 SP2 names 41873 "...SecDescLen" but 41874 "...SecurityDesc"; QuickFIX pairs a data
  // field with the tag just before it when that is a LENGTH.
  auto d = standard("FIX50SP2.xml");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->data_fields().length_tag_for(
                tag::EncodedUnderlyingMarketDisruptionFallbackUnderlierSecurityDesc),
            tag::EncodedUnderlyingMarketDisruptionFallbackUnderlierSecDescLen);
}

TEST(DictionaryTest, PairsByPrecedingTagOnlyWhenNoLengthFieldIsNamedForTheData) {
  auto d = Dictionary::load_string(R"(<fix major="4" minor="4"><fields>
    <field number="95" name="RawDataLength" type="LENGTH"/>
    <field number="96" name="RawData" type="DATA"/>
    <field number="97" name="Blob" type="DATA"/>
    <field number="200" name="Count" type="INT"/>
    <field number="201" name="Payload" type="DATA"/>
    <field number="300" name="HeadLength" type="LENGTH"/>
    <field number="301" name="Tail" type="XMLDATA"/>
    </fields></fix>)");
  ASSERT_TRUE(d) << d.error();
  const codec::DataFieldTable& data = (*d)->data_fields();
  EXPECT_EQ(data.length_tag_for(96), 95u);    // by name
  EXPECT_EQ(data.length_tag_for(301), 300u);  // by tag − 1, a LENGTH
  EXPECT_EQ(data.length_tag_for(97), 0u);     // 96 is DATA, not LENGTH
  EXPECT_EQ(data.length_tag_for(201), 0u);    // 200 is INT, not LENGTH
  EXPECT_EQ(data.pairs().size(), 2u);
}

TEST(DictionaryTest, DoesNotPairByPrecedingTagWithALengthFieldNamedForAnotherDataField) {
  // 70 QuxLen announces 72 Qux; 71 Quux must not take it just because it is numbered 70 + 1.
  auto d = Dictionary::load_string(R"(<fix major="4" minor="4"><fields>
    <field number="70" name="QuxLen" type="LENGTH"/>
    <field number="71" name="Quux" type="DATA"/>
    <field number="72" name="Qux" type="DATA"/>
    </fields></fix>)");
  ASSERT_TRUE(d) << d.error();
  EXPECT_EQ((*d)->data_fields().length_tag_for(72), 70u);
  EXPECT_EQ((*d)->data_fields().length_tag_for(71), 0u);
  EXPECT_EQ((*d)->data_fields().pairs().size(), 1u);
}

// --- Load errors name the source and the line ---------------------------------------------------

TEST(DictionaryLoadErrorTest, MalformedXmlNamesSourceAndLine) {
  std::string e = load_error("<fix major='4' minor='4'>\n <fields>\n  <field number='1'\n</fix>");
  EXPECT_EQ(e.rfind("bad.xml:", 0), 0u) << e;
  EXPECT_NE(e.find(": XML error: "), std::string::npos) << e;
  EXPECT_FALSE(load_error("<fix major='4' minor='4'><fields></fix>").empty());
  EXPECT_EQ(load_error("<fix>\n<header>\n</heder>\n</fix>").rfind("bad.xml:3: XML error: ", 0), 0u)
      << load_error("<fix>\n<header>\n</heder>\n</fix>");
}

TEST(DictionaryLoadErrorTest, UndefinedFieldInMessageNamesSourceAndLine) {
  EXPECT_EQ(load_error(R"(<fix major='4' minor='4'>
 <messages>
  <message name='Order' msgtype='D'>
   <field name='ClOrdID' required='Y'/>
   <field name='Nope' required='Y'/>
  </message>
 </messages>
 <fields>
  <field number='11' name='ClOrdID' type='STRING'/>
 </fields>
</fix>)"),
            "bad.xml:5: undefined field 'Nope'");
}

TEST(DictionaryLoadErrorTest, UndefinedFieldInHeaderIsAnError) {
  EXPECT_EQ(load_error("<fix major='4' minor='4'>\n<header>\n<field name='Nope' required='Y'/>"
                       "\n</header>\n</fix>"),
            "bad.xml:3: undefined field 'Nope'");
}

TEST(DictionaryLoadErrorTest, UndefinedGroupFieldIsAnError) {
  EXPECT_EQ(load_error("<fix major='4' minor='4'>\n<messages><message name='M' msgtype='U1'>\n"
                       "<group name='NoThings' required='N'><field name='A'/></group>"
                       "</message></messages>\n<fields><field number='1' name='A' type='INT'/>"
                       "</fields></fix>"),
            "bad.xml:3: undefined field 'NoThings'");
}

TEST(DictionaryLoadErrorTest, UndefinedComponentNamesSourceAndLine) {
  EXPECT_EQ(load_error(R"(<fix major='4' minor='4'>
 <messages>
  <message name='Order' msgtype='D'>
   <component name='Ghost' required='Y'/>
  </message>
 </messages>
</fix>)"),
            "bad.xml:4: undefined component 'Ghost'");
}

TEST(DictionaryLoadErrorTest, DuplicateFieldNumberNamesSourceAndLine) {
  EXPECT_EQ(load_error(R"(<fix major='4' minor='4'>
 <fields>
  <field number='11' name='ClOrdID' type='STRING'/>
  <field number='11' name='OtherID' type='STRING'/>
 </fields>
</fix>)"),
            "bad.xml:4: duplicate field number 11 ('OtherID')");
}

TEST(DictionaryLoadErrorTest, DuplicateFieldNameNamesSourceAndLine) {
  EXPECT_EQ(load_error(R"(<fix major='4' minor='4'>
 <fields>
  <field number='11' name='ClOrdID' type='STRING'/>

  <field number='12' name='ClOrdID' type='STRING'/>
 </fields>
</fix>)"),
            "bad.xml:5: duplicate field 'ClOrdID'");
}

TEST(DictionaryLoadErrorTest, FieldWithoutAValidNumberIsAnError) {
  EXPECT_EQ(load_error("<fix major='4' minor='4'>\n<fields>\n<field name='A' type='INT'/>"
                       "</fields></fix>"),
            "bad.xml:3: field 'A' has no valid number");
  EXPECT_EQ(load_error("<fix major='4' minor='4'><fields><field number='0' name='A'/>"
                       "</fields></fix>"),
            "bad.xml:1: field 'A' has no valid number");
  EXPECT_EQ(load_error("<fix major='4' minor='4'><fields><field number='1000000000' name='A'/>"
                       "</fields></fix>"),
            "bad.xml:1: field 'A' has no valid number");
}

TEST(DictionaryLoadErrorTest, MissingFixRootIsAnError) {
  EXPECT_EQ(load_error("<fox major='4' minor='4'/>"), "bad.xml: no <fix> root element");
  EXPECT_EQ(load_error("<?xml version='1.0'?>\n<!-- no elements -->"),
            "bad.xml:2: XML error: No document element found");
}

TEST(DictionaryLoadErrorTest, UnknownDictionaryTypeIsAnError) {
  EXPECT_EQ(load_error("<fix type='FAX' major='4' minor='4'/>"),
            "bad.xml:1: type must be FIX or FIXT, not 'FAX'");
}

TEST(DictionaryLoadErrorTest, DuplicateMsgTypeIsAnError) {
  EXPECT_EQ(load_error("<fix major='4' minor='4'><messages>\n<message name='A' msgtype='D'/>\n"
                       "<message name='B' msgtype='D'/>\n</messages></fix>"),
            "bad.xml:3: duplicate msgtype 'D'");
}

TEST(DictionaryLoadErrorTest, MessageWithoutMsgTypeIsAnError) {
  EXPECT_EQ(load_error("<fix major='4' minor='4'><messages>\n<message name='A'/></messages></fix>"),
            "bad.xml:2: message without name or msgtype");
}

TEST(DictionaryLoadErrorTest, EmptyGroupIsAnError) {
  EXPECT_EQ(load_error("<fix major='4' minor='4'><messages><message name='A' msgtype='U1'>\n"
                       "<group name='NoA' required='N'/></message></messages>"
                       "<fields><field number='1' name='NoA' type='NUMINGROUP'/></fields></fix>"),
            "bad.xml:2: group 'NoA' has no members");
}

TEST(DictionaryLoadErrorTest, ComponentCycleIsNestedTooDeeply) {
  std::string e = load_error(R"(<fix major='4' minor='4'>
 <messages>
  <message name='Order' msgtype='D'>
   <component name='A' required='Y'/>
  </message>
 </messages>
 <components>
  <component name='A'><component name='B' required='Y'/></component>
  <component name='B'><component name='A' required='Y'/></component>
 </components>
</fix>)");
  EXPECT_EQ(e.rfind("bad.xml:", 0), 0u) << e;
  EXPECT_NE(e.find(": components nested too deeply (a cycle?)"), std::string::npos) << e;
}

TEST(DictionaryLoadErrorTest, SelfContainingGroupIsNestedTooDeeply) {
  std::string e = load_error(R"(<fix major='4' minor='4'>
 <messages><message name='Order' msgtype='D'><component name='P' required='N'/></message></messages>
 <components>
  <component name='P'>
   <group name='NoA' required='N'><field name='A'/><component name='P' required='N'/></group>
  </component>
 </components>
 <fields>
  <field number='1' name='NoA' type='NUMINGROUP'/>
  <field number='2' name='A' type='STRING'/>
 </fields>
</fix>)");
  EXPECT_NE(e.find("components nested too deeply"), std::string::npos) << e;
}

TEST(DictionaryLoadErrorTest, MissingFileNamesThePath) {
  auto d = Dictionary::load_file("/nonexistent/dir/FIX99.xml");
  ASSERT_FALSE(d);
  EXPECT_EQ(d.error(), "/nonexistent/dir/FIX99.xml: cannot open dictionary file");
}

// --- Built-in session dictionaries and ApplVerID
// --------------------------------------------------

TEST(BuiltinDictionaryTest, LoadsSessionDictionariesWithAdminMessages) {
  for (std::string_view bs : {"FIX.4.2", "FIX.4.4", "FIXT.1.1"}) {
    SCOPED_TRACE(bs);
    Dictionary::Ptr d = Dictionary::builtin(bs);
    ASSERT_NE(d, nullptr);
    EXPECT_EQ(d->begin_string(), bs);
    EXPECT_EQ(d->is_fixt(), bs == "FIXT.1.1");
    EXPECT_EQ(d->source(), "<builtin " + std::string(bs) + ">");
    for (Tag t : {tag::BeginString, tag::BodyLength, tag::MsgType, tag::SenderCompID,
                  tag::TargetCompID, tag::MsgSeqNum, tag::SendingTime})
      EXPECT_TRUE(required(member(d->header(), t))) << t;
    EXPECT_FALSE(required(member(d->header(), tag::PossDupFlag)));
    EXPECT_NE(member(d->header(), tag::NoHops), nullptr);
    EXPECT_TRUE(required(member(d->trailer(), tag::CheckSum)));
    EXPECT_NE(member(d->trailer(), tag::Signature), nullptr);
    for (std::string_view type : {"0", "1", "2", "3", "4", "5", "A"}) {
      const MessageDef* m = d->message(type);
      ASSERT_NE(m, nullptr) << type;
      EXPECT_TRUE(m->admin) << type;
    }
    EXPECT_EQ(d->messages().size(), 7u);
    EXPECT_EQ(d->message("D"), nullptr);
    EXPECT_TRUE(required(member(d->message("1"), tag::TestReqID)));
    EXPECT_TRUE(required(member(d->message("A"), tag::HeartBtInt)));
    EXPECT_EQ(d->data_fields().length_tag_for(tag::RawData), tag::RawDataLength);
  }
}

TEST(BuiltinDictionaryTest, ReturnsTheSameDictionaryEveryTime) {
  EXPECT_EQ(Dictionary::builtin("FIX.4.4"), Dictionary::builtin("FIX.4.4"));
  EXPECT_NE(Dictionary::builtin("FIX.4.4"), Dictionary::builtin("FIX.4.2"));
}

TEST(BuiltinDictionaryTest, ParsesTheServicePackOfFix50) {
  Dictionary::Ptr d = Dictionary::builtin("FIX.5.0SP2");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->begin_string(), "FIX.5.0SP2");
  EXPECT_EQ(d->service_pack(), 2);
  EXPECT_EQ(d->appl_ver_id(), "9");
  EXPECT_EQ(Dictionary::builtin("FIX.5.0")->appl_ver_id(), "7");
}

TEST(BuiltinDictionaryTest, FixtHasNoApplVerID) {
  Dictionary::Ptr d = Dictionary::builtin("FIXT.1.1");
  ASSERT_NE(d, nullptr);
  EXPECT_EQ(d->major(), 1);
  EXPECT_EQ(d->minor(), 1);
  EXPECT_EQ(d->appl_ver_id(), "");
  EXPECT_NE(member(d->header(), tag::ApplVerID), nullptr);
  EXPECT_NE(member(d->message("A"), tag::DefaultApplVerID), nullptr);
}

TEST(ApplVerIDTest, MapsBeginStringsToApplVerIDs) {
  EXPECT_EQ(appl_ver_id_for("FIX.4.0"), "2");
  EXPECT_EQ(appl_ver_id_for("FIX.4.2"), "4");
  EXPECT_EQ(appl_ver_id_for("FIX.4.4"), "6");
  EXPECT_EQ(appl_ver_id_for("FIX.5.0"), "7");
  EXPECT_EQ(appl_ver_id_for("FIX.5.0SP1"), "8");
  EXPECT_EQ(appl_ver_id_for("FIX.5.0SP2"), "9");
  EXPECT_EQ(appl_ver_id_for("FIXT.1.1"), "");
  EXPECT_EQ(appl_ver_id_for(""), "");
}

TEST(ApplVerIDTest, MapsApplVerIDsToBeginStrings) {
  EXPECT_EQ(begin_string_for_appl_ver_id("2"), "FIX.4.0");
  EXPECT_EQ(begin_string_for_appl_ver_id("6"), "FIX.4.4");
  EXPECT_EQ(begin_string_for_appl_ver_id("9"), "FIX.5.0SP2");
  EXPECT_EQ(begin_string_for_appl_ver_id("10"), "");
  EXPECT_EQ(begin_string_for_appl_ver_id(""), "");
  for (std::string_view id : {"0", "1", "2", "3", "4", "5", "6", "7", "8", "9"})
    EXPECT_EQ(appl_ver_id_for(begin_string_for_appl_ver_id(id)), id);
}

}  // namespace
}  // namespace fixgate::dict

namespace fixgate::dict {
namespace {

TEST(BodyFieldsTest, KeepsBodyFieldsInOrderAndDropsHeaderAndTrailer) {
  codec::Encoder e;
  e.begin("FIX.4.4", "D")
      .field(tag::SenderCompID, "A")
      .field(tag::TargetCompID, "B")
      .field(tag::MsgSeqNum, 7)
      .field(tag::SendingTime, "20261122-12:00:00.000")
      .field(tag::PossResend, 'Y')
      .field(tag::ClOrdID, "O1")
      .field(tag::Symbol, "IBM")
      .data(tag::RawDataLength, tag::RawData,
            "a\x01"
            "b");
  codec::Message m;
  ASSERT_TRUE(m.parse(e.finish()).ok());
  EXPECT_EQ(body_fields(m),
            "11=O1\x01"
            "55=IBM\x01"
            "95=3\x01"
            "96=a\x01"
            "b\x01");
  // With a dictionary, its header and trailer decide.
  EXPECT_EQ(body_fields(m, testing::standard("FIX44.xml").get()),
            "11=O1\x01"
            "55=IBM\x01"
            "95=3\x01"
            "96=a\x01"
            "b\x01");
}

}  // namespace
}  // namespace fixgate::dict
