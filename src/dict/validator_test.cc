// Validator: every SessionRejectReason it produces, with the exact RefTagID; the QuickFIX
// switches; BusinessMessageReject for unsupported types; FIXT.1.1 with application dictionaries.
#include "fixgate/dict/validator.h"
#include "dict_test_util.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/tags.h"

namespace fixgate::dict {
namespace {

using codec::BusinessRejectReason;
using R = codec::SessionRejectReason;

using testing::standard;

// An encoded and parsed message: BeginString, MsgType, `fields` ('|' stands for SOH), CheckSum.
// Owns the bytes the parsed view points into, so it neither copies nor moves.
class Wire {
 public:
  Wire(std::string_view begin_string, std::string_view msg_type, std::string_view fields,
       const Dictionary& dict) {
    std::string body(fields);
    std::replace(body.begin(), body.end(), '|', codec::kSoh);
    codec::Encoder enc;
    enc.begin(begin_string, msg_type).raw(body);
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

// "valid", or the reason number and Text, so a failing comparison shows both.
std::string describe(const std::optional<ValidationError>& e) {
  if (!e) return "valid";
  std::string s = std::to_string(static_cast<int>(e->reason)) + " " + e->text();
  if (e->business) s += " [business " + std::to_string(static_cast<int>(e->business_reason)) + "]";
  return s;
}
std::string rejected(R reason, Tag tag) { return describe(ValidationError{reason, tag}); }
const std::string kValid = "valid";

constexpr std::string_view kHeader = "49=SENDER|56=TARGET|34=2|52=20240102-10:00:00.000|";
constexpr std::string_view kOrder =
    "11=ORD1|21=1|55=IBM|54=1|60=20240102-10:00:00.000|38=100|40=2|44=10.5|59=0|";
constexpr std::string_view kSnapshot =
    "262=R1|55=IBM|268=3|269=0|270=10.5|271=100|269=1|270=10.6|271=200|269=2|270=10.55|271=50|";

std::string cat(std::initializer_list<std::string_view> parts) {
  std::string s;
  for (auto p : parts) s += p;
  return s;
}

// FIX 4.4 with its standard dictionary.
class ValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dict_ = standard("FIX44.xml");
    ASSERT_NE(dict_, nullptr);
    validator_.emplace(dict_);
  }

  // Validates a message of `msg_type` made of `fields` (header included).
  std::string check(Validator& v, std::string_view msg_type, std::string_view fields) {
    wire_.emplace("FIX.4.4", msg_type, fields, *dict_);
    if (!wire_->ok()) return "parse error";
    return describe(v.validate(wire_->msg()));
  }
  // The same, with the standard header and the default validator.
  std::string check(std::string_view msg_type, std::string_view body) {
    return check(*validator_, msg_type, cat({kHeader, body}));
  }
  std::string check_with(const ValidationOptions& options, std::string_view msg_type,
                         std::string_view body) {
    Validator v(dict_, options);
    return check(v, msg_type, cat({kHeader, body}));
  }

  Dictionary::Ptr dict_;
  std::optional<Validator> validator_;
  std::optional<Wire> wire_;
};

// --- Valid messages -----------------------------------------------------------------------------

TEST_F(ValidatorTest, AcceptsNewOrderSingle) { EXPECT_EQ(check("D", kOrder), kValid); }

TEST_F(ValidatorTest, AcceptsExecutionReport) {
  EXPECT_EQ(check("8", "37=O1|17=E1|150=0|39=0|11=ORD1|55=IBM|54=1|38=100|40=2|151=100|14=0|6=0|"),
            kValid);
}

TEST_F(ValidatorTest, AcceptsMarketDataSnapshotWithRepeatingGroup) {
  EXPECT_EQ(check("W", kSnapshot), kValid);
}

TEST_F(ValidatorTest, AcceptsNewOrderCrossWithThreeLevelsOfNestedGroups) {
  EXPECT_EQ(check("s",
                  "548=X1|549=1|550=0|552=2|"
                  "54=1|11=A|453=2|448=P1|447=D|452=1|802=1|523=S1|803=1|448=P2|447=D|452=3|38=100|"
                  "54=2|11=B|38=100|"
                  "55=IBM|60=20240102-10:00:00.000|40=1|"),
            kValid);
}

TEST_F(ValidatorTest, AcceptsAdminMessages) {
  EXPECT_EQ(check("0", ""), kValid);
  EXPECT_EQ(check("1", "112=T1|"), kValid);
  EXPECT_EQ(check("A", "98=0|108=30|141=Y|"), kValid);
  EXPECT_EQ(check("5", "58=bye|"), kValid);
}

TEST_F(ValidatorTest, AcceptsOptionalHeaderAndTrailerFields) {
  EXPECT_EQ(check(*validator_, "D",
                  cat({kHeader, "43=Y|122=20240102-09:00:00|627=2|628=HOP1|628=HOP2|", kOrder,
                       "93=3|89=sig|"})),
            kValid);
}

TEST_F(ValidatorTest, AcceptsDataFieldContainingSoh) {
  EXPECT_EQ(check("A", "98=0|108=30|95=3|96=a\x01z|"), kValid);
}

TEST_F(ValidatorTest, AcceptsEmptyGroup) { EXPECT_EQ(check("D", cat({kOrder, "453=0|"})), kValid); }

// --- 0 Invalid tag number, 3 Undefined tag
// --------------------------------------------------------

TEST_F(ValidatorTest, RejectsUndefinedTagBelow5000AsInvalidTagNumber) {
  EXPECT_EQ(check("D", cat({kOrder, "4999=x|"})), rejected(R::kInvalidTagNumber, 4999));
}

TEST_F(ValidatorTest, RejectsUnknownUserDefinedTagAsInvalidTagNumberAsQuickFixDoes) {
  EXPECT_EQ(check("D", cat({kOrder, "5001=x|"})), rejected(R::kInvalidTagNumber, 5001));
}

// --- 1 Required tag missing
// -----------------------------------------------------------------------

TEST_F(ValidatorTest, RejectsMissingRequiredBodyTag) {
  EXPECT_EQ(check("D", "21=1|55=IBM|54=1|60=20240102-10:00:00.000|38=100|40=2|"),
            rejected(R::kRequiredTagMissing, tag::ClOrdID));
}

TEST_F(ValidatorTest, RejectsMissingRequiredHeaderTag) {
  EXPECT_EQ(check(*validator_, "D", cat({"56=TARGET|34=2|52=20240102-10:00:00.000|", kOrder})),
            rejected(R::kRequiredTagMissing, tag::SenderCompID));
  EXPECT_EQ(check(*validator_, "D", cat({"49=SENDER|56=TARGET|34=2|", kOrder})),
            rejected(R::kRequiredTagMissing, tag::SendingTime));
}

TEST_F(ValidatorTest, RejectsMissingRequiredGroupCountField) {
  EXPECT_EQ(check("W", "262=R1|55=IBM|"), rejected(R::kRequiredTagMissing, tag::NoMDEntries));
}

TEST_F(ValidatorTest, RejectsLastGroupEntryMissingRequiredTag) {
  EXPECT_EQ(check("s",
                  "548=X1|549=1|550=0|552=2|54=1|11=A|38=100|54=2|38=100|"
                  "55=IBM|60=20240102-10:00:00.000|40=1|"),
            rejected(R::kRequiredTagMissing, tag::ClOrdID));
}

TEST_F(ValidatorTest, RejectsEarlierGroupEntryMissingRequiredTag) {
  EXPECT_EQ(check("s",
                  "548=X1|549=1|550=0|552=2|54=1|38=100|54=2|11=B|38=100|"
                  "55=IBM|60=20240102-10:00:00.000|40=1|"),
            rejected(R::kRequiredTagMissing, tag::ClOrdID));
}

TEST_F(ValidatorTest, RejectsMessageTooShortToHaveAMsgType) {
  // Parsing guarantees 8, 9, 35 … 10; a default-constructed (empty) message has nothing.
  codec::Message empty;
  EXPECT_EQ(describe(validator_->validate(empty)), rejected(R::kRequiredTagMissing, tag::MsgType));
}

// --- 2 Tag not defined for this message type
// -------------------------------------------------------

TEST_F(ValidatorTest, RejectsDefinedTagNotInTheMessage) {
  EXPECT_EQ(check("D", cat({kOrder, "262=R1|"})),
            rejected(R::kTagNotDefinedForMessageType, tag::MDReqID));
}

TEST_F(ValidatorTest, RejectsGroupMemberOutsideItsGroup) {
  EXPECT_EQ(check("W", cat({kSnapshot, "813=1|270=11|"})),
            rejected(R::kTagNotDefinedForMessageType, tag::MDEntryPx));
}

// --- 4 Tag specified without a value
// ---------------------------------------------------------------

TEST_F(ValidatorTest, RejectsBodyTagWithoutValue) {
  EXPECT_EQ(check("D", cat({kOrder, "58=|"})), rejected(R::kTagSpecifiedWithoutValue, tag::Text));
}

TEST_F(ValidatorTest, RejectsHeaderTagWithoutValue) {
  EXPECT_EQ(check(*validator_, "D", cat({"49=|56=TARGET|34=2|52=20240102-10:00:00.000|", kOrder})),
            rejected(R::kTagSpecifiedWithoutValue, tag::SenderCompID));
}

TEST_F(ValidatorTest, RejectsGroupTagWithoutValue) {
  EXPECT_EQ(check("W", "55=IBM|268=1|269=0|270=|"),
            rejected(R::kTagSpecifiedWithoutValue, tag::MDEntryPx));
}

// --- 5 Value is incorrect
// ---------------------------------------------------------------------------

TEST_F(ValidatorTest, RejectsValueOutsideEnum) {
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=Z|60=20240102-10:00:00.000|38=100|40=2|"),
            rejected(R::kValueIsIncorrect, tag::Side));
}

TEST_F(ValidatorTest, RejectsStringValueOutsideEnum) {
  // A STRING enum with multi-character values: SecurityType (167) "CS" is common stock.
  EXPECT_EQ(check("D", cat({kOrder, "167=CS|"})), kValid);
  EXPECT_EQ(check("D", cat({kOrder, "167=NOPE|"})), rejected(R::kValueIsIncorrect, 167));
}

TEST_F(ValidatorTest, RejectsGroupValueOutsideEnum) {
  EXPECT_EQ(check("W", "55=IBM|268=1|269=~|"), rejected(R::kValueIsIncorrect, tag::MDEntryType));
}

TEST_F(ValidatorTest, ChecksEveryTokenOfMultipleValueString) {
  EXPECT_EQ(check("D", cat({kOrder, "18=1 2 G|"})), kValid);
  EXPECT_EQ(check("D", cat({kOrder, "18=1 ZZ|"})), rejected(R::kValueIsIncorrect, tag::ExecInst));
  EXPECT_EQ(check("D", cat({kOrder, "18=ZZ 1|"})), rejected(R::kValueIsIncorrect, tag::ExecInst));
  EXPECT_EQ(check("D", cat({kOrder, "18=1  2|"})), rejected(R::kValueIsIncorrect, tag::ExecInst));
}

// --- 6 Incorrect data format
// -----------------------------------------------------------------------

TEST_F(ValidatorTest, RejectsMalformedInt) {
  EXPECT_EQ(check("A", "98=0|108=3x|"), rejected(R::kIncorrectDataFormat, tag::HeartBtInt));
  EXPECT_EQ(check("A", "98=0|108=-30|"), kValid);  // INT is signed
}

TEST_F(ValidatorTest, RejectsMalformedSeqNum) {
  EXPECT_EQ(check("2", "7=1|16=-1|"), rejected(R::kIncorrectDataFormat, tag::EndSeqNo));
  EXPECT_EQ(check("2", "7=1|16=0|"), kValid);
}

TEST_F(ValidatorTest, RejectsMalformedPrice) {
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=20240102-10:00:00.000|38=100|40=2|44=1.2.3|"),
            rejected(R::kIncorrectDataFormat, tag::Price));
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=20240102-10:00:00.000|38=100|40=2|44=1e5|"),
            rejected(R::kIncorrectDataFormat, tag::Price));
}

TEST_F(ValidatorTest, RejectsMalformedQty) {
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=20240102-10:00:00.000|38=ten|40=2|"),
            rejected(R::kIncorrectDataFormat, tag::OrderQty));
}

TEST_F(ValidatorTest, RejectsMalformedChar) {
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=12|60=20240102-10:00:00.000|38=100|40=2|"),
            rejected(R::kIncorrectDataFormat, tag::Side));
}

TEST_F(ValidatorTest, RejectsMalformedBoolean) {
  EXPECT_EQ(check("D", cat({kOrder, "114=X|"})),
            rejected(R::kIncorrectDataFormat, tag::LocateReqd));
  EXPECT_EQ(check("D", cat({kOrder, "114=y|"})),
            rejected(R::kIncorrectDataFormat, tag::LocateReqd));
  EXPECT_EQ(check("D", cat({kOrder, "114=N|"})), kValid);
}

TEST_F(ValidatorTest, RejectsMalformedUtcTimestamp) {
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=20240102-25:00:00|38=100|40=2|"),
            rejected(R::kIncorrectDataFormat, tag::TransactTime));
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=2024-01-02T10:00:00|38=100|40=2|"),
            rejected(R::kIncorrectDataFormat, tag::TransactTime));
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|"), kValid);
  EXPECT_EQ(check("D", "11=ORD1|55=IBM|54=1|60=20240102-10:00:00.123456|38=100|40=2|"), kValid);
}

TEST_F(ValidatorTest, RejectsMalformedHeaderUtcTimestamp) {
  EXPECT_EQ(check(*validator_, "D", cat({"49=S|56=T|34=2|52=20240102 10:00:00|", kOrder})),
            rejected(R::kIncorrectDataFormat, tag::SendingTime));
}

TEST_F(ValidatorTest, RejectsMalformedUtcTimeOnly) {
  EXPECT_EQ(check("W", "55=IBM|268=1|269=0|273=10:61:00|"),
            rejected(R::kIncorrectDataFormat, tag::MDEntryTime));
  EXPECT_EQ(check("W", "55=IBM|268=1|269=0|273=10:59:00.250|"), kValid);
}

TEST_F(ValidatorTest, RejectsMalformedDate) {
  EXPECT_EQ(check("D", cat({kOrder, "64=20241301|"})),
            rejected(R::kIncorrectDataFormat, tag::SettlDate));
  EXPECT_EQ(check("D", cat({kOrder, "64=2024-01-01|"})),
            rejected(R::kIncorrectDataFormat, tag::SettlDate));
  EXPECT_EQ(check("D", cat({kOrder, "64=20240229|"})), kValid);
}

TEST_F(ValidatorTest, RejectsMalformedMonthYear) {
  EXPECT_EQ(check("D", cat({kOrder, "200=202413|"})),
            rejected(R::kIncorrectDataFormat, tag::MaturityMonthYear));
  EXPECT_EQ(check("D", cat({kOrder, "200=2024|"})),
            rejected(R::kIncorrectDataFormat, tag::MaturityMonthYear));
  EXPECT_EQ(check("D", cat({kOrder, "200=202412|"})), kValid);
  EXPECT_EQ(check("D", cat({kOrder, "200=202412w2|"})), kValid);
}

TEST_F(ValidatorTest, RejectsMalformedNumInGroup) {
  EXPECT_EQ(check("W", "55=IBM|268=two|269=0|269=1|"),
            rejected(R::kIncorrectDataFormat, tag::NoMDEntries));
}

// --- 13 Tag appears more than once
// -----------------------------------------------------------------

TEST_F(ValidatorTest, RejectsRepeatedBodyTag) {
  EXPECT_EQ(check("D", cat({kOrder, "55=MSFT|"})),
            rejected(R::kTagAppearsMoreThanOnce, tag::Symbol));
}

TEST_F(ValidatorTest, RejectsRepeatedHeaderTag) {
  EXPECT_EQ(check(*validator_, "D",
                  cat({"49=SENDER|56=TARGET|49=OTHER|34=2|52=20240102-10:00:00.000|", kOrder})),
            rejected(R::kTagAppearsMoreThanOnce, tag::SenderCompID));
}

TEST_F(ValidatorTest, RejectsRepeatedTagInOneGroupEntry) {
  EXPECT_EQ(check("W", "55=IBM|268=2|269=0|270=1|269=1|270=2|270=3|"),
            rejected(R::kTagAppearsMoreThanOnce, tag::MDEntryPx));
}

// --- 14 Tag specified out of required order
// ----------------------------------------------------------

TEST_F(ValidatorTest, RejectsHeaderTagAfterBodyTag) {
  EXPECT_EQ(check("D", cat({kOrder, "115=ONBEHALF|"})),
            rejected(R::kTagSpecifiedOutOfRequiredOrder, tag::OnBehalfOfCompID));
}

TEST_F(ValidatorTest, RejectsBodyTagAfterTrailerTag) {
  EXPECT_EQ(check("D", cat({kOrder, "93=3|89=sig|58=late|"})),
            rejected(R::kTagSpecifiedOutOfRequiredOrder, tag::Text));
}

TEST_F(ValidatorTest, RejectsHeaderTagAfterTrailerTag) {
  EXPECT_EQ(check("D", cat({kOrder, "93=3|89=sig|115=ONBEHALF|"})),
            rejected(R::kTagSpecifiedOutOfRequiredOrder, tag::OnBehalfOfCompID));
}

// --- 15 Repeating group fields out of order
// ----------------------------------------------------------

TEST_F(ValidatorTest, RejectsGroupFieldsOutOfDefinedOrder) {
  EXPECT_EQ(check("W", "55=IBM|268=1|269=0|271=100|270=10.5|"),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, tag::MDEntryPx));
}

TEST_F(ValidatorTest, RejectsGroupEntryNotStartingWithDelimiter) {
  EXPECT_EQ(check("W", "55=IBM|268=1|270=10.5|269=0|"),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, tag::MDEntryPx));
}

TEST_F(ValidatorTest, RejectsNestedGroupFieldsOutOfOrder) {
  EXPECT_EQ(check("s",
                  "548=X1|549=1|550=0|552=1|54=1|11=A|453=1|448=P1|452=1|447=D|38=100|"
                  "55=IBM|60=20240102-10:00:00.000|40=1|"),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, tag::PartyIDSource));
}

// --- 16 Incorrect NumInGroup count
// ---------------------------------------------------------------------

TEST_F(ValidatorTest, RejectsNumInGroupLargerThanEntries) {
  EXPECT_EQ(check("W", "55=IBM|268=3|269=0|270=10.5|269=1|270=10.6|"),
            rejected(R::kIncorrectNumInGroupCount, tag::NoMDEntries));
}

TEST_F(ValidatorTest, RejectsNumInGroupSmallerThanEntries) {
  EXPECT_EQ(check("W", "55=IBM|268=1|269=0|270=10.5|269=1|270=10.6|"),
            rejected(R::kIncorrectNumInGroupCount, tag::NoMDEntries));
}

TEST_F(ValidatorTest, RejectsNonZeroNumInGroupWithoutEntries) {
  EXPECT_EQ(check("D", cat({kOrder, "453=1|"})),
            rejected(R::kIncorrectNumInGroupCount, tag::NoPartyIDs));
}

TEST_F(ValidatorTest, RejectsWrongCountOfNestedGroup) {
  EXPECT_EQ(check("s",
                  "548=X1|549=1|550=0|552=1|54=1|11=A|453=2|448=P1|38=100|"
                  "55=IBM|60=20240102-10:00:00.000|40=1|"),
            rejected(R::kIncorrectNumInGroupCount, tag::NoPartyIDs));
}

// --- 11 Invalid MsgType, BusinessMessageReject
// -------------------------------------------------------

TEST_F(ValidatorTest, RejectsUnknownMsgType) {
  EXPECT_EQ(check("ZZ", ""), rejected(R::kInvalidMsgType, tag::MsgType));
  EXPECT_EQ(check("~", ""), rejected(R::kInvalidMsgType, tag::MsgType));  // one character
}

TEST_F(ValidatorTest, RejectsUnsupportedMessageTypeWithBusinessReject) {
  validator_->set_supported_message_types({"D", "8"});
  wire_.emplace("FIX.4.4", "F",
                cat({kHeader, "41=ORD1|11=ORD2|55=IBM|54=1|60=20240102-10:00:00|38=100|"}), *dict_);
  ASSERT_TRUE(wire_->ok());
  auto e = validator_->validate(wire_->msg());
  ASSERT_TRUE(e.has_value());
  EXPECT_TRUE(e->business);
  EXPECT_EQ(e->business_reason, BusinessRejectReason::kUnsupportedMessageType);
  EXPECT_EQ(e->tag, tag::MsgType);
  EXPECT_EQ(e->text(), "Unsupported Message Type, field=35");
}

TEST_F(ValidatorTest, KeepsAdminAndSupportedTypesWhenRestrictingMessageTypes) {
  validator_->set_supported_message_types({"8", "D"});
  EXPECT_EQ(check("D", kOrder), kValid);
  EXPECT_EQ(check("0", ""), kValid);
  EXPECT_EQ(check("A", "98=0|108=30|"), kValid);
  EXPECT_EQ(check("ZZ", ""), rejected(R::kInvalidMsgType, tag::MsgType));  // not a business reject
  validator_->set_supported_message_types({});
  EXPECT_EQ(check("F", "41=ORD1|11=ORD2|55=IBM|54=1|60=20240102-10:00:00|38=100|"), kValid);
}

// --- The switches --------------------------------------------------------------------------------

TEST_F(ValidatorTest, OutOfOrderSwitchAllowsHeaderTagAfterBody) {
  ValidationOptions o;
  o.validate_fields_out_of_order = false;
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "115=ONBEHALF|"})), kValid);
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "93=3|89=sig|58=late|"})), kValid);
}

TEST_F(ValidatorTest, OutOfOrderSwitchAllowsGroupFieldsInAnyOrder) {
  ValidationOptions o;
  o.validate_fields_out_of_order = false;
  EXPECT_EQ(check_with(o, "W", "55=IBM|268=1|269=0|271=100|270=10.5|"), kValid);
  // An entry must still start with the delimiter, and repeats are still repeats.
  EXPECT_EQ(check_with(o, "W", "55=IBM|268=1|270=10.5|269=0|"),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, tag::MDEntryPx));
  EXPECT_EQ(check_with(o, "W", "55=IBM|268=1|269=0|271=1|270=1|271=2|"),
            rejected(R::kTagAppearsMoreThanOnce, tag::MDEntrySize));
}

TEST_F(ValidatorTest, HaveValuesSwitchAllowsEmptyValues) {
  ValidationOptions o;
  o.validate_fields_have_values = false;
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "58=|"})), kValid);
  EXPECT_EQ(check_with(o, "W", "55=IBM|268=1|269=0|270=|"), kValid);
  EXPECT_EQ(check_with(o, "D", "11=|55=IBM|54=1|60=20240102-10:00:00.000|38=100|40=2|"), kValid);
}

TEST_F(ValidatorTest, UserDefinedSwitchLetsUnknownUserTagsThrough) {
  ValidationOptions o;
  o.validate_user_defined_fields = false;
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "5001=x|9999=y|"})), kValid);
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "4999=x|"})), rejected(R::kInvalidTagNumber, 4999));
}

TEST_F(ValidatorTest, AllowUnknownSwitchLetsUnknownAndForeignTagsBelow5000Through) {
  ValidationOptions o;
  o.allow_unknown_message_fields = true;
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "4999=x|"})), kValid);
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "262=R1|"})), kValid);
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "5001=x|"})), rejected(R::kInvalidTagNumber, 5001));
  // Fields that are in the message are still checked.
  EXPECT_EQ(check_with(o, "D", cat({kOrder, "114=X|"})),
            rejected(R::kIncorrectDataFormat, tag::LocateReqd));
}

TEST_F(ValidatorTest, ExposesItsOptionsAndDictionary) {
  ValidationOptions o;
  o.allow_unknown_message_fields = true;
  Validator v(dict_, o);
  EXPECT_TRUE(v.options().allow_unknown_message_fields);
  EXPECT_TRUE(v.options().validate_fields_out_of_order);
  EXPECT_EQ(&v.transport(), dict_.get());
  wire_.emplace("FIX.4.4", "D", cat({kHeader, kOrder}), *dict_);
  EXPECT_EQ(v.application_for(wire_->msg()), dict_.get());
}

// --- Text, and many messages in a row -----------------------------------------------------------

// Two shapes of one type, alternating (a limit and a market order): each is remembered, and a
// bad value in either is still found.
TEST_F(ValidatorTest, AlternatingShapesOfOneTypeAreBothChecked) {
  constexpr std::string_view kLimit =
      "11=A|21=1|55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|44=10|";
  constexpr std::string_view kMarket = "11=B|21=1|55=IBM|54=2|60=20240102-10:00:00|38=100|40=1|";
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(check("D", kLimit), kValid);
    EXPECT_EQ(check("D", kMarket), kValid);
    EXPECT_EQ(check("D", "11=A|21=1|55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|44=x|"),
              rejected(R::kIncorrectDataFormat, 44));
    EXPECT_EQ(check("D", "11=B|21=1|55=IBM|54=Z|60=20240102-10:00:00|38=100|40=1|"),
              rejected(R::kValueIsIncorrect, 54));
    EXPECT_EQ(check("D", "11=B|21=1|55=|54=2|60=20240102-10:00:00|38=100|40=1|"),
              rejected(R::kTagSpecifiedWithoutValue, 55));
  }
}

// An entry that starts with the tags of the group's first entry is checked by its values, then
// by the rules of the walk for whatever follows: every reject is still the walk's.
TEST_F(ValidatorTest, GroupEntriesLikeTheFirstMeetTheSameRules) {
  auto md = [&](std::string_view group) { return check("W", cat({"262=R1|55=IBM|", group})); };
  EXPECT_EQ(md("268=3|269=0|270=1|271=5|269=1|270=2|271=5|269=2|270=3|271=5|"), kValid);
  EXPECT_EQ(md("268=3|269=0|270=1|271=5|269=1|270=x|271=5|269=2|270=3|271=5|"),
            rejected(R::kIncorrectDataFormat, 270));
  EXPECT_EQ(md("268=3|269=0|270=1|271=5|269=1|270=2|271=5|269=2|270=3|271=|"),
            rejected(R::kTagSpecifiedWithoutValue, 271));
  EXPECT_EQ(md("268=3|269=0|270=1|269=Z|270=2|269=1|270=3|"), rejected(R::kValueIsIncorrect, 269));
  EXPECT_EQ(md("268=2|269=0|270=1|269=1|270=2|271=5|"), kValid);
  EXPECT_EQ(md("268=2|269=0|271=1|269=1|271=2|270=5|"),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, 270));
  EXPECT_EQ(md("268=2|269=0|270=1|269=1|270=2|270=5|"), rejected(R::kTagAppearsMoreThanOnce, 270));
  EXPECT_EQ(md("268=2|269=0|270=1|269=1|270=2|269=2|270=3|"),
            rejected(R::kIncorrectNumInGroupCount, 268));
  EXPECT_EQ(md("268=3|269=0|270=1|271=5|269=1|270=2|269=2|270=3|271=5|"), kValid);
}

// A validator that has seen a valid message checks the next one with the same tags and group
// counts by its values only. Every value change of such a message must get the verdict of a
// fresh validator's full walk: the same reason and tag, or valid.
TEST_F(ValidatorTest, AMessageShapedLikeAValidOneGetsTheVerdictOfAFullWalk) {
  const std::vector<std::pair<std::string_view, std::string>> bases = {
      {"D", cat({kHeader, kOrder})},
      {"D", cat({kHeader, "43=Y|122=20240102-09:00:00|627=2|628=HOP1|628=HOP2|", kOrder})},
      {"W", cat({kHeader, kSnapshot})},
      {"W", cat({kHeader, "262=R1|55=IBM|268=2|269=0|270=1|273=10:00:00|269=1|270=2|"})},
      {"s", cat({kHeader,
                 "548=X1|549=1|550=0|552=2|54=1|11=A|453=1|448=P1|447=D|452=1|38=100|54=2|11=B|"
                 "38=100|55=IBM|60=20240102-10:00:00|40=1|"})},
      {"0", std::string(kHeader)},
  };
  const std::vector<std::string> values = {"",
                                           "x",
                                           "-",
                                           "0",
                                           "1",
                                           "2",
                                           "3",
                                           "Z",
                                           "1.5.5",
                                           "-2.5",
                                           "Y",
                                           "20240102",
                                           "10:00:00.000",
                                           "20241301-10:00:00",
                                           "20240102-10:00:00.000",
                                           "20240229-23:59:60"};
  for (bool have_values : {true, false}) {
    ValidationOptions options;
    options.validate_fields_have_values = have_values;
    Validator primed(dict_, options);
    for (const auto& [type, base] : bases) {
      std::vector<std::string> fields;
      for (size_t at = 0; at < base.size();) {
        size_t bar = base.find('|', at);
        fields.push_back(base.substr(at, bar - at));
        at = bar + 1;
      }
      ASSERT_EQ(check(primed, type, base), kValid) << base;
      for (size_t k = 0; k < fields.size(); ++k) {
        for (const std::string& value : values) {
          std::string mutated;
          for (size_t j = 0; j < fields.size(); ++j) {
            mutated += j == k ? fields[j].substr(0, fields[j].find('=') + 1) + value : fields[j];
            mutated += '|';
          }
          Validator fresh(dict_, options);
          const std::string want = check(fresh, type, mutated);
          ASSERT_EQ(check(primed, type, base), kValid) << base;  // the shape to match
          EXPECT_EQ(check(primed, type, mutated), want) << mutated;
        }
      }
    }
  }
}

TEST(ValidationErrorTest, TextIsTheSpecWordingAndTheTag) {
  EXPECT_EQ((ValidationError{R::kRequiredTagMissing, 55}.text()), "Required tag missing, field=55");
  EXPECT_EQ((ValidationError{R::kInvalidMsgType, 0}.text()), "Invalid MsgType");
  EXPECT_EQ((ValidationError{R::kIncorrectNumInGroupCount, 268}.text()),
            "Incorrect NumInGroup count for repeating group, field=268");
  ValidationError business{R::kOther, 35, true, BusinessRejectReason::kUnsupportedMessageType};
  EXPECT_EQ(business.text(), "Unsupported Message Type, field=35");
}

TEST_F(ValidatorTest, StaysCorrectOverThousandsOfMessages) {
  // Scratch stamps are reused by epoch; a stale stamp from an earlier message must never count
  // as present (required check) or as seen (repeat check) in a later one.
  const Dictionary& d = *dict_;
  Wire order("FIX.4.4", "D", cat({kHeader, kOrder}), d);
  Wire no_clordid("FIX.4.4", "D", cat({kHeader, "55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|"}),
                  d);
  Wire snapshot("FIX.4.4", "W", cat({kHeader, kSnapshot}), d);
  Wire repeat("FIX.4.4", "W", cat({kHeader, "55=IBM|268=2|269=0|270=1|269=1|270=2|270=3|"}), d);
  Wire cross("FIX.4.4", "s",
             cat({kHeader,
                  "548=X1|549=1|550=0|552=2|54=1|11=A|453=1|448=P1|38=100|54=2|38=100|"
                  "55=IBM|60=20240102-10:00:00|40=1|"}),
             d);
  Wire no_sender("FIX.4.4", "0", "56=TARGET|34=2|52=20240102-10:00:00|", d);
  for (const Wire* w : {&order, &no_clordid, &snapshot, &repeat, &cross, &no_sender})
    ASSERT_TRUE(w->ok());
  Validator& v = *validator_;
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(describe(v.validate(order.msg())), kValid) << i;
    ASSERT_EQ(describe(v.validate(no_clordid.msg())), rejected(R::kRequiredTagMissing, 11)) << i;
    ASSERT_EQ(describe(v.validate(snapshot.msg())), kValid) << i;
    ASSERT_EQ(describe(v.validate(repeat.msg())), rejected(R::kTagAppearsMoreThanOnce, 270)) << i;
    ASSERT_EQ(describe(v.validate(cross.msg())), rejected(R::kRequiredTagMissing, 11)) << i;
    ASSERT_EQ(describe(v.validate(no_sender.msg())), rejected(R::kRequiredTagMissing, 49)) << i;
  }
}

// --- FIXT.1.1 with application dictionaries -----------------------------------------------------

class FixtValidatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fix50_ = standard("FIX50SP2.xml");
    fix44_ = standard("FIX44.xml");
    ASSERT_NE(fix50_, nullptr);
    ASSERT_NE(fix44_, nullptr);
    validator_.emplace(Dictionary::builtin("FIXT.1.1"));
  }
  std::string check(std::string_view msg_type, std::string_view fields) {
    wire_.emplace("FIXT.1.1", msg_type, fields, *fix50_);
    if (!wire_->ok()) return "parse error";
    return describe(validator_->validate(wire_->msg()));
  }

  static constexpr std::string_view kOrder50 =
      "11=ORD1|55=IBM|54=1|60=20240102-10:00:00.000|38=100|40=2|44=10.5|1028=Y|";
  Dictionary::Ptr fix50_, fix44_;
  std::optional<Validator> validator_;
  std::optional<Wire> wire_;
};

TEST_F(FixtValidatorTest, ValidatesApplicationMessageWithTheDefaultApplication) {
  validator_->add_application(fix50_);
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), kValid);
  EXPECT_EQ(validator_->application_for(wire_->msg()), fix50_.get());
  EXPECT_EQ(check("D", cat({kHeader, "55=IBM|54=1|60=20240102-10:00:00|38=100|40=2|"})),
            rejected(R::kRequiredTagMissing, tag::ClOrdID));
  EXPECT_EQ(check("D", cat({kHeader, kOrder50, "54=2|"})),
            rejected(R::kTagAppearsMoreThanOnce, tag::Side));
}

TEST_F(FixtValidatorTest, ValidatesApplicationMessageByApplVerIDHeaderField) {
  validator_->add_application(fix44_);  // the default: ApplVerID 6
  validator_->add_application(fix50_);  // ApplVerID 9
  // ManualOrderIndicator (1028) exists in FIX 5.0 SP2 only.
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), rejected(R::kInvalidTagNumber, 1028));
  EXPECT_EQ(validator_->application_for(wire_->msg()), fix44_.get());
  EXPECT_EQ(check("D", cat({kHeader, "1128=9|", kOrder50})), kValid);
  EXPECT_EQ(validator_->application_for(wire_->msg()), fix50_.get());
  EXPECT_EQ(check("D", cat({kHeader, "1128=6|", kOrder50})), rejected(R::kInvalidTagNumber, 1028));
}

TEST_F(FixtValidatorTest, SetDefaultApplVerIDPicksTheDefaultApplication) {
  validator_->add_application(fix44_);
  validator_->add_application(fix50_);
  EXPECT_TRUE(validator_->set_default_appl_ver_id("9"));
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), kValid);
  EXPECT_FALSE(validator_->set_default_appl_ver_id("nope"));  // unknown: the default stays
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), kValid);
  EXPECT_TRUE(validator_->set_default_appl_ver_id("6"));
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), rejected(R::kInvalidTagNumber, 1028));
  // The version's name stands for its code, as in QuickFIX's settings.
  EXPECT_TRUE(validator_->set_default_appl_ver_id("FIX.5.0SP2"));
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), kValid);
  EXPECT_FALSE(validator_->set_default_appl_ver_id("FIX.5.0"));  // no such dictionary here
}

// ApplVerID on the wire is the code; a counterparty that writes the version's name is understood.
TEST_F(FixtValidatorTest, ReadsApplVerIDAsCodeOrName) {
  validator_->add_application(fix44_);
  validator_->add_application(fix50_);
  EXPECT_EQ(check("D", cat({kHeader, "1128=FIX.5.0SP2|", kOrder50})), kValid);
  EXPECT_EQ(validator_->application_for(wire_->msg()), fix50_.get());
  EXPECT_EQ(check("D", cat({kHeader, "1128=FIX.4.4|", kOrder50})),
            rejected(R::kInvalidTagNumber, 1028));
  EXPECT_EQ(validator_->application_for(wire_->msg()), fix44_.get());
}

TEST(ApplVerIdTest, CodeForEitherForm) {
  EXPECT_EQ(appl_ver_id_code("9"), "9");
  EXPECT_EQ(appl_ver_id_code("FIX.5.0SP2"), "9");
  EXPECT_EQ(appl_ver_id_code("FIX.4.0"), "2");
  EXPECT_EQ(appl_ver_id_code("FIX.5.0"), "7");
  EXPECT_EQ(appl_ver_id_code("FIX.5.0SP1"), "8");
  EXPECT_EQ(appl_ver_id_code("FIX.5.0SP3"), "");
  EXPECT_EQ(appl_ver_id_code(""), "");
}

TEST_F(FixtValidatorTest, RejectsUnknownApplVerID) {
  validator_->add_application(fix50_);
  EXPECT_EQ(check("D", cat({kHeader, "1128=7|", kOrder50})),
            rejected(R::kValueIsIncorrect, tag::ApplVerID));
  EXPECT_EQ(validator_->application_for(wire_->msg()), nullptr);
}

TEST_F(FixtValidatorTest, ValidatesAdminMessagesWithTheTransportDictionary) {
  validator_->add_application(fix50_);
  EXPECT_EQ(check("0", kHeader), kValid);
  EXPECT_EQ(check("A", cat({kHeader, "98=0|108=30|1137=9|"})), kValid);
  EXPECT_EQ(check("1", kHeader), rejected(R::kRequiredTagMissing, tag::TestReqID));
  EXPECT_EQ(check("0", cat({kHeader, "1028=Y|"})), rejected(R::kInvalidTagNumber, 1028));
  EXPECT_EQ(check("5", cat({"56=TARGET|34=2|52=20240102-10:00:00|", "58=bye|"})),
            rejected(R::kRequiredTagMissing, tag::SenderCompID));
}

TEST_F(FixtValidatorTest, ChecksTheHeaderOfApplicationMessagesWithTheTransportDictionary) {
  validator_->add_application(fix50_);
  EXPECT_EQ(check("D", cat({"56=TARGET|34=2|52=20240102-10:00:00|", kOrder50})),
            rejected(R::kRequiredTagMissing, tag::SenderCompID));
  EXPECT_EQ(check("D", cat({kHeader, "627=1|628=HOP|", kOrder50})), kValid);
  EXPECT_EQ(check("D", cat({kHeader, kOrder50, "52=20240102-10:00:00|"})),
            rejected(R::kTagSpecifiedOutOfRequiredOrder, tag::SendingTime));
  EXPECT_EQ(check("D", cat({kHeader, kOrder50, "93=3|89=sig|"})), kValid);
}

TEST_F(FixtValidatorTest, ChecksMultipleCharValueTokens) {
  validator_->add_application(fix50_);
  ASSERT_EQ(fix50_->field(tag::ExecInst)->type, FieldType::kMultipleCharValue);
  EXPECT_EQ(check("D", cat({kHeader, kOrder50, "18=1 2 A|"})), kValid);
  EXPECT_EQ(check("D", cat({kHeader, kOrder50, "18=1 #|"})),
            rejected(R::kValueIsIncorrect, tag::ExecInst));
}

TEST_F(FixtValidatorTest, RejectsApplicationMessageWithoutApplications) {
  EXPECT_EQ(check("D", cat({kHeader, kOrder50})), rejected(R::kInvalidMsgType, tag::MsgType));
}

TEST_F(FixtValidatorTest, StaysCorrectAcrossTransportAndApplicationMessages) {
  validator_->add_application(fix50_);
  for (int i = 0; i < 2000; ++i) {
    ASSERT_EQ(check("D", cat({kHeader, kOrder50})), kValid) << i;
    ASSERT_EQ(check("0", kHeader), kValid) << i;
    ASSERT_EQ(check("D", cat({"56=TARGET|34=2|52=20240102-10:00:00|", kOrder50})),
              rejected(R::kRequiredTagMissing, tag::SenderCompID))
        << i;
  }
}

// Groups of up to 64 members track an entry's members in a bitmask, larger ones with stamps in
// memory: both give the same verdict on every group rule.
class GroupSizeTest : public ::testing::TestWithParam<int> {
 protected:
  // Message U1 with group NoG (1000) of `members` fields 1001…; members 1 and 2 required.
  void SetUp() override {
    const int members = GetParam();
    std::string fields = R"(<field number="8" name="BeginString" type="STRING"/>)"
                         R"(<field number="9" name="BodyLength" type="LENGTH"/>)"
                         R"(<field number="35" name="MsgType" type="STRING"/>)"
                         R"(<field number="10" name="CheckSum" type="STRING"/>)"
                         R"(<field number="1000" name="NoG" type="NUMINGROUP"/>)";
    std::string group;
    for (int k = 1; k <= members; ++k) {
      const std::string tag = std::to_string(1000 + k);
      std::string name = "F";
      name += std::to_string(k);
      fields.append(R"(<field number=")").append(tag).append(R"(" name=")").append(name);
      fields.append(R"(" type="INT"/>)");
      group.append(R"(<field name=")").append(name).append(R"(" required=")");
      group.append(k <= 2 ? "Y" : "N").append(R"("/>)");
    }
    std::string xml =
        R"(<fix major="4" minor="4"><header><field name="BeginString" required="Y"/>)"
        R"(<field name="BodyLength" required="Y"/><field name="MsgType" required="Y"/></header>)"
        R"(<trailer><field name="CheckSum" required="Y"/></trailer>)"
        R"(<messages><message name="M" msgtype="U1" msgcat="app"><group name="NoG" required="Y">)";
    xml.append(group).append("</group></message></messages><fields>").append(fields);
    xml.append("</fields></fix>");
    auto d = Dictionary::load_string(xml);
    ASSERT_TRUE(d) << d.error();
    dict_ = *d;
    ASSERT_EQ(dict_->message("U1")->body.members()[0].group->members().size(),
              static_cast<size_t>(members));
  }
  std::string check(std::string_view body) {
    Validator v(dict_);
    wire_.emplace("FIX.4.4", "U1", body, *dict_);
    if (!wire_->ok()) return "parse error";
    return describe(v.validate(wire_->msg()));
  }
  Dictionary::Ptr dict_;
  std::optional<Wire> wire_;
};

TEST_P(GroupSizeTest, AppliesEveryGroupRule) {
  const std::string last = std::to_string(1000 + GetParam());
  EXPECT_EQ(check(cat({"1000=2|1001=1|1002=2|", last, "=9|1001=1|1002=2|"})), kValid);
  EXPECT_EQ(check("1000=2|1001=1|1002=2|1002=3|1001=1|1002=2|"),
            rejected(R::kTagAppearsMoreThanOnce, 1002));
  EXPECT_EQ(check("1000=2|1001=1|1001=1|1002=2|"), rejected(R::kRequiredTagMissing, 1002));
  EXPECT_EQ(check("1000=2|1001=1|1002=2|1001=1|"), rejected(R::kRequiredTagMissing, 1002));
  EXPECT_EQ(check(cat({"1000=1|1001=1|", last, "=9|1002=2|"})),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, 1002));
  EXPECT_EQ(check("1000=1|1002=2|1001=1|"), rejected(R::kRepeatingGroupFieldsOutOfOrder, 1002));
  EXPECT_EQ(check("1000=3|1001=1|1002=2|1001=1|1002=2|"),
            rejected(R::kIncorrectNumInGroupCount, 1000));
  EXPECT_EQ(check("1000=1|1001=1|1002=|"), rejected(R::kTagSpecifiedWithoutValue, 1002));
  EXPECT_EQ(check("1000=1|1001=1|1002=x|"), rejected(R::kIncorrectDataFormat, 1002));
  // Later entries like the first (checked by their values), then differing from it.
  EXPECT_EQ(check("1000=3|1001=1|1002=2|1001=1|1002=2|1001=1|1002=2|"), kValid);
  EXPECT_EQ(check("1000=3|1001=1|1002=2|1001=1|1002=2|1001=1|"),
            rejected(R::kRequiredTagMissing, 1002));
  EXPECT_EQ(check("1000=3|1001=1|1002=2|1001=1|1002=2|1001=1|1002=x|"),
            rejected(R::kIncorrectDataFormat, 1002));
  EXPECT_EQ(check("1000=2|1001=1|1002=2|1001=1|1002=2|1002=3|"),
            rejected(R::kTagAppearsMoreThanOnce, 1002));
  EXPECT_EQ(check(cat({"1000=2|1001=1|1002=2|1001=1|1002=2|", last, "=9|"})), kValid);
  EXPECT_EQ(check(cat({"1000=2|1001=1|1002=2|1001=1|", last, "=9|1002=2|"})),
            rejected(R::kRepeatingGroupFieldsOutOfOrder, 1002));
}

INSTANTIATE_TEST_SUITE_P(SmallAndLarge, GroupSizeTest, ::testing::Values(3, 64, 65, 70));

}  // namespace
}  // namespace fixgate::dict

namespace fixgate::dict {
namespace {

// A dictionary of version 4.`minor` whose header types BeginString and SenderCompID as CHAR (as
// FIX 4.0 and 4.1's own dictionaries do) and whose message has a CHAR enum, Side.
Dictionary::Ptr char_dictionary(int minor) {
  std::string xml = R"(<fix major="4" minor=")" + std::to_string(minor) + R"(">)";
  xml +=
      R"(<header><field name="BeginString" required="Y"/><field name="BodyLength" required="Y"/>)"
      R"(<field name="MsgType" required="Y"/><field name="SenderCompID" required="N"/>)"
      R"(</header><trailer><field name="CheckSum" required="Y"/></trailer>)"
      R"(<messages><message name="M" msgtype="U1" msgcat="app">)"
      R"(<field name="Side" required="N"/></message></messages><fields>)"
      R"(<field number="8" name="BeginString" type="CHAR"/>)"
      R"(<field number="9" name="BodyLength" type="INT"/>)"
      R"(<field number="35" name="MsgType" type="CHAR"/>)"
      R"(<field number="49" name="SenderCompID" type="CHAR"/>)"
      R"(<field number="10" name="CheckSum" type="CHAR"/>)"
      R"(<field number="54" name="Side" type="CHAR"><value enum="1" description="BUY"/>)"
      R"(<value enum="2" description="SELL"/></field></fields></fix>)";
  auto d = Dictionary::load_string(xml);
  EXPECT_TRUE(d) << d.error();
  return d ? *d : nullptr;
}

std::string check_char(int minor, std::string_view body) {
  auto d = char_dictionary(minor);
  if (!d) return "no dictionary";
  Validator v(d);
  Wire w("FIX.4." + std::to_string(minor), "U1", body, *d);
  if (!w.ok()) return "parse error";
  return describe(v.validate(w.msg()));
}

// FIX 4.0 and 4.1: a CHAR field is a string (their BeginString "FIX.4.0" is a CHAR); its enums
// still hold. FIX 4.2 on: one character.
TEST(CharTypeTest, IsAStringBeforeFix42) {
  for (int minor : {0, 1}) {
    SCOPED_TRACE(minor);
    EXPECT_EQ(check_char(minor, "49=CLIENT|54=1|"), kValid);
    EXPECT_EQ(check_char(minor, "54=3|"), rejected(R::kValueIsIncorrect, 54));
  }
  EXPECT_EQ(check_char(2, "54=1|"), rejected(R::kIncorrectDataFormat, 8));
  EXPECT_EQ(check_char(2, "49=CLIENT|54=1|"), rejected(R::kIncorrectDataFormat, 8));
}

}  // namespace
}  // namespace fixgate::dict
