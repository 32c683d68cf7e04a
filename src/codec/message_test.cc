// Tests for Message::parse: field views, O(1) header accessors, data fields that carry SOH,
// every ParseError with its offset, and reuse of one Message for many parses.
// In literals, '|' stands for SOH.
#include "fixgate/codec/message.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <iterator>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fixgate/codec/tags.h"
#include "scan.h"

namespace fixgate::codec {
namespace {

std::string soh(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '|', '\x01');
  return out;
}

// 8=<begin>|9=<len>|<body>10=<sum>|, with BodyLength and CheckSum computed here.
std::string make_message(std::string_view body, std::string_view begin_string = "FIX.4.4") {
  std::string b = soh(body);
  std::string msg = "8=" + std::string(begin_string) +
                    "\x01"
                    "9=" +
                    std::to_string(b.size()) + "\x01" + b;
  unsigned sum = 0;
  for (char c : msg) sum += static_cast<unsigned char>(c);
  std::string digits = std::to_string(sum % 256);
  return msg + "10=" + std::string(3 - digits.size(), '0') + digits + "\x01";
}

std::vector<std::pair<Tag, std::string>> fields_of(const Message& m) {
  std::vector<std::pair<Tag, std::string>> out;
  for (const Field& f : m) out.emplace_back(f.tag, std::string(f.value));
  return out;
}

// The error parse() reports for `wire` ('|' = SOH), and where.
ParseResult parse_error(std::string_view wire) {
  static Message m;  // reuse across calls, as production code does
  static std::string bytes;
  bytes = soh(wire);
  return m.parse(bytes);
}

// --- fields and header --------------------------------------------------------------------

TEST(MessageTest, ParsesFieldsAndValuesInWireOrder) {
  const std::string body = "35=D|49=SENDER|56=TARGET|34=12|55=IBM|54=1|38=100|";
  const std::string wire = make_message(body);
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  const std::vector<std::pair<Tag, std::string>> expected = {
      {8, "FIX.4.4"}, {9, "50"},
      {35, "D"},      {49, "SENDER"},
      {56, "TARGET"}, {34, "12"},
      {55, "IBM"},    {54, "1"},
      {38, "100"},    {10, wire.substr(wire.size() - 4, 3)}};
  EXPECT_EQ(fields_of(m), expected);
  EXPECT_EQ(m.size(), expected.size());
  EXPECT_FALSE(m.empty());
  EXPECT_EQ(m[5].tag, 34u);
  EXPECT_EQ(m.fields().size(), m.size());
  EXPECT_EQ(m.fields().data(), &m[0]);
}

TEST(MessageTest, ValuesAreViewsIntoTheParsedBytes) {
  const std::string wire = make_message("35=0|49=SENDER|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.bytes().data(), wire.data());
  EXPECT_EQ(m.bytes().size(), wire.size());
  for (const Field& f : m) {
    EXPECT_GE(f.value.data(), wire.data());
    EXPECT_LE(f.value.data() + f.value.size(), wire.data() + wire.size());
  }
  EXPECT_EQ(m.get(49)->data(), wire.data() + wire.find("SENDER"));
}

TEST(MessageTest, HeaderAccessorsReturnStandardFields) {
  const std::string wire =
      make_message("35=8|49=SENDER|56=TARGET|34=4711|52=20240102-03:04:05.678|43=Y|97=Y|55=IBM|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.begin_string(), "FIX.4.4");
  EXPECT_EQ(m.msg_type(), "8");
  EXPECT_EQ(m.sender_comp_id(), "SENDER");
  EXPECT_EQ(m.target_comp_id(), "TARGET");
  EXPECT_EQ(m.sending_time(), "20240102-03:04:05.678");
  EXPECT_EQ(m.seq_num(), 4711u);
  EXPECT_TRUE(m.poss_dup());
  EXPECT_TRUE(m.poss_resend());
  EXPECT_EQ(m.header(HeaderSlot::kCheckSum), wire.substr(wire.size() - 4, 3));
  EXPECT_FALSE(m.is_admin());
}

TEST(MessageTest, EveryHeaderSlotIsFilledFromItsTag) {
  const std::vector<std::pair<Tag, HeaderSlot>> slots = {
      {tag::SenderCompID, HeaderSlot::kSenderCompID},
      {tag::TargetCompID, HeaderSlot::kTargetCompID},
      {tag::MsgSeqNum, HeaderSlot::kMsgSeqNum},
      {tag::SendingTime, HeaderSlot::kSendingTime},
      {tag::PossDupFlag, HeaderSlot::kPossDupFlag},
      {tag::PossResend, HeaderSlot::kPossResend},
      {tag::OrigSendingTime, HeaderSlot::kOrigSendingTime},
      {tag::SenderSubID, HeaderSlot::kSenderSubID},
      {tag::SenderLocationID, HeaderSlot::kSenderLocationID},
      {tag::TargetSubID, HeaderSlot::kTargetSubID},
      {tag::TargetLocationID, HeaderSlot::kTargetLocationID},
      {tag::OnBehalfOfCompID, HeaderSlot::kOnBehalfOfCompID},
      {tag::DeliverToCompID, HeaderSlot::kDeliverToCompID},
      {tag::ApplVerID, HeaderSlot::kApplVerID},
      {tag::LastMsgSeqNumProcessed, HeaderSlot::kLastMsgSeqNumProcessed},
  };
  std::string body = "35=0|";
  for (const auto& [t, slot] : slots) body += std::to_string(t) + "=v" + std::to_string(t) + '|';
  const std::string wire = make_message(body);
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  for (const auto& [t, slot] : slots) {
    EXPECT_EQ(header_slot_of(t), slot) << t;
    EXPECT_TRUE(m.has_header(slot)) << t;
    const std::string expected = std::string("v").append(std::to_string(t));
    EXPECT_EQ(m.header(slot), expected) << t;
    EXPECT_EQ(m.get(t), expected) << t;
  }
  EXPECT_EQ(m.header(HeaderSlot::kBeginString), "FIX.4.4");
  EXPECT_EQ(m.header(HeaderSlot::kBodyLength), std::to_string(soh(body).size()));
  EXPECT_EQ(m.header(HeaderSlot::kMsgType), "0");
}

TEST(MessageTest, AbsentHeaderFieldsReadAsEmpty) {
  const std::string wire = make_message("35=0|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_FALSE(m.has_header(HeaderSlot::kSenderCompID));
  EXPECT_EQ(m.sender_comp_id(), "");
  EXPECT_EQ(m.target_comp_id(), "");
  EXPECT_EQ(m.sending_time(), "");
  EXPECT_EQ(m.seq_num(), std::nullopt);
  EXPECT_FALSE(m.poss_dup());
  EXPECT_FALSE(m.poss_resend());
  EXPECT_EQ(m.find_field(tag::SenderCompID), nullptr);
}

TEST(MessageTest, HeaderSlotOfMapsOnlyHeaderTags) {
  EXPECT_EQ(header_slot_of(tag::BeginString), HeaderSlot::kBeginString);
  EXPECT_EQ(header_slot_of(tag::CheckSum), HeaderSlot::kCheckSum);
  EXPECT_EQ(header_slot_of(tag::Symbol), HeaderSlot::kCount);
  EXPECT_EQ(header_slot_of(0), HeaderSlot::kCount);
  EXPECT_EQ(header_slot_of(1129), HeaderSlot::kCount);
  EXPECT_EQ(header_slot_of(kMaxTag), HeaderSlot::kCount);
}

TEST(MessageTest, PossDupAndPossResendAreTrueOnlyForY) {
  Message m;
  for (std::string_view v : {"N", "y", "YES", "1"}) {
    const std::string wire =
        make_message("35=0|43=" + std::string(v) + "|97=" + std::string(v) + "|");
    ASSERT_TRUE(m.parse(wire).ok());
    EXPECT_FALSE(m.poss_dup()) << v;
    EXPECT_FALSE(m.poss_resend()) << v;
  }
}

TEST(MessageTest, FindFieldReturnsFirstOccurrence) {
  const std::string wire = make_message("35=D|49=FIRST|453=2|448=P1|447=D|448=P2|447=D|49=SECOND|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  ASSERT_NE(m.find_field(448), nullptr);
  EXPECT_EQ(m.find_field(448)->value, "P1");
  EXPECT_EQ(m.find_field(448), &m[m.index_of(448)]);
  EXPECT_EQ(m.sender_comp_id(), "FIRST");
  EXPECT_EQ(m.find_field(tag::SenderCompID)->value, "FIRST");
}

TEST(MessageTest, GetAndHasTellPresentFromAbsent) {
  const std::string wire = make_message("35=D|55=IBM|58=|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_TRUE(m.has(55));
  EXPECT_EQ(m.get(55), "IBM");
  EXPECT_TRUE(m.has(58)) << "an empty value is still a present field";
  EXPECT_EQ(m.get(58), "");
  EXPECT_FALSE(m.has(44));
  EXPECT_EQ(m.get(44), std::nullopt);
  EXPECT_EQ(m.find_field(44), nullptr);
}

TEST(MessageTest, IndexOfFindsSuccessiveOccurrences) {
  const std::string wire = make_message("35=D|453=2|448=P1|447=D|448=P2|447=D|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  size_t first = m.index_of(448);
  ASSERT_EQ(first, 4u);
  size_t second = m.index_of(448, first + 1);
  ASSERT_EQ(second, 6u);
  EXPECT_EQ(m[second].value, "P2");
  EXPECT_EQ(m.index_of(448, second + 1), m.size());
  EXPECT_EQ(m.index_of(9999), m.size());
  EXPECT_EQ(m.index_of(8, m.size()), m.size());
}

TEST(MessageTest, SeqNumZeroIsNotASeqNum) {
  Message m;
  const std::string wire = make_message("35=0|34=0|");
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.seq_num(), std::nullopt);
}

TEST(MessageTest, NonNumericSeqNumIsNotASeqNum) {
  Message m;
  for (std::string_view v : {"abc", "-1", "+1", "1.0", "", " 1", "99999999999999999999"}) {
    const std::string wire = make_message("35=0|34=" + std::string(v) + "|");
    ASSERT_TRUE(m.parse(wire).ok()) << v;
    EXPECT_EQ(m.seq_num(), std::nullopt) << v;
  }
}

TEST(MessageTest, SeqNumAcceptsLeadingZerosAndLargeValues) {
  Message m;
  std::string wire = make_message("35=0|34=007|");
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.seq_num(), 7u);
  wire = make_message("35=0|34=9999999999999999999|");
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.seq_num(), 9'999'999'999'999'999'999u);
}

TEST(MessageTest, IsAdminForSessionMessageTypesOnly) {
  Message m;
  for (std::string_view t : {"0", "1", "2", "3", "4", "5", "A"}) {
    const std::string wire = make_message("35=" + std::string(t) + "|");
    ASSERT_TRUE(m.parse(wire).ok());
    EXPECT_TRUE(m.is_admin()) << t;
  }
  for (std::string_view t : {"D", "8", "6", "j", "a", "AE", "00", "A0"}) {
    const std::string wire = make_message("35=" + std::string(t) + "|");
    ASSERT_TRUE(m.parse(wire).ok());
    EXPECT_FALSE(m.is_admin()) << t;
  }
}

// --- data fields --------------------------------------------------------------------------

struct DataPair {
  const char* name;
  Tag length;
  Tag data;
};

class DataFieldTest : public ::testing::TestWithParam<DataPair> {};

TEST_P(DataFieldTest, ValueWithSohEqualsAndTrailerLookalikeIsReadByLength) {
  const DataPair p = GetParam();
  const std::string value =
      "a\x01"
      "b=c\x01"
      "10=123\x01"
      "8=FIX.4.4\x01"
      "=";
  const std::string body = "35=D|" + std::to_string(p.length) + "=" + std::to_string(value.size()) +
                           "|" + std::to_string(p.data) + "=" + value + "|58=after|";
  const std::string wire = make_message(body);
  Message m;
  ParseResult r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << to_string(r.error) << " at " << r.offset;
  EXPECT_EQ(m.get(p.data), value);
  EXPECT_EQ(m.get(p.length), std::to_string(value.size()));
  EXPECT_EQ(m.get(58), "after");
  EXPECT_EQ(m.size(), 7u);  // 8 9 35 length data 58 10
  EXPECT_EQ(DataFieldTable::standard().length_tag_for(p.data), p.length);
}

INSTANTIATE_TEST_SUITE_P(
    StandardPairs, DataFieldTest,
    ::testing::Values(DataPair{"RawData", tag::RawDataLength, tag::RawData},
                      DataPair{"XmlData", tag::XmlDataLen, tag::XmlData},
                      DataPair{"EncodedText", tag::EncodedTextLen, tag::EncodedText},
                      DataPair{"SecureData", tag::SecureDataLen, tag::SecureData}),
    [](const auto& info) { return std::string(info.param.name); });

// The parser finds field ends 64 bytes at a time: every field position relative to those
// blocks, including data fields whose SOHs straddle them, must read the same.
TEST(MessageTest, FieldsAndDataFieldsParseAtEveryOffsetAcrossBlocks) {
  const std::string data = "x\x01y=\x01" + std::string(70, 'd') + "\x01z";
  for (size_t pad = 0; pad < 140; ++pad) {
    const std::string body = "35=D|58=" + std::string(pad, 'p') +
                             "|95=" + std::to_string(data.size()) + "|96=" + data +
                             "|55=IBM|1234567=long|12345678=longer|";
    const std::string wire = make_message(body);
    Message m;
    ParseResult r = m.parse(wire);
    ASSERT_TRUE(r.ok()) << "pad " << pad << ": " << to_string(r.error) << " at " << r.offset;
    ASSERT_EQ(m.size(), 10u) << "pad " << pad;
    EXPECT_EQ(m.get(58), std::string(pad, 'p'));
    EXPECT_EQ(m.get(96), data) << "pad " << pad;
    EXPECT_EQ(m.get(55), "IBM") << "pad " << pad;
    EXPECT_EQ(m.get(1234567), "long");
    EXPECT_EQ(m.get(12345678), "longer");
    EXPECT_EQ(m.get(10), wire.substr(wire.size() - 4, 3));
  }
}

TEST(MessageParseErrorTest, ErrorsAreFoundAtEveryOffsetAcrossBlocks) {
  for (size_t pad = 0; pad < 140; ++pad) {
    const std::string head = "8=FIX.4.4|9=5|35=0|58=" + std::string(pad, 'p') + "|";
    for (auto [tail, error] : {std::pair{"58|10=000|", ParseError::kMissingValue},
                               {"5a=x|10=000|", ParseError::kBadTag},
                               {"10=000", ParseError::kMissingValue},
                               {"95=9|96=x|10=000|", ParseError::kBadDataLength}}) {
      ParseResult r = parse_error(head + tail);
      EXPECT_EQ(r.error, error) << "pad " << pad << " " << tail;
      EXPECT_EQ(r.offset, head.size() + (error == ParseError::kBadDataLength ? 5 : 0))
          << "pad " << pad << " " << tail;
    }
  }
}

TEST(MessageTest, EmptyDataFieldIsAccepted) {
  const std::string wire = make_message("35=D|95=0|96=|58=x|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.get(96), "");
  EXPECT_EQ(m.get(58), "x");
}

TEST(MessageTest, DataFieldWithoutItsLengthFieldEndsAtSoh) {
  const std::string wire = make_message("35=D|96=abc|58=x|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.get(96), "abc");
  EXPECT_EQ(m.get(58), "x");
}

TEST(MessageTest, LengthFieldMustImmediatelyPrecedeItsDataField) {
  // 95 is separated from 96 by another field, so 96 is read up to the first SOH.
  const std::string wire = make_message("35=D|95=7|58=x|96=abc|");
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.get(96), "abc");
}

TEST(MessageTest, CustomDataFieldTableReadsItsOwnPairs) {
  static constexpr DataFieldPair kPairs[] = {{5001, 5002}};
  const DataFieldTable table(kPairs);
  const std::string wire = make_message("35=U1|5001=5|5002=a|b=c|58=x|");
  Message m;
  ParseResult r = m.parse(wire, table);
  ASSERT_TRUE(r.ok()) << to_string(r.error);
  EXPECT_EQ(m.get(5002), soh("a|b=c"));
  EXPECT_EQ(m.get(58), "x");
  // The standard table does not know 5002 and stops at the first SOH, leaving "b=c" as a
  // field with a non-numeric tag.
  r = m.parse(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  // And a custom table replaces the standard pairs rather than adding to them.
  EXPECT_EQ(table.length_tag_for(tag::RawData), 0u);
}

TEST(MessageTest, DataFieldTableKnowsTheStandardPairs) {
  const DataFieldTable& t = DataFieldTable::standard();
  EXPECT_EQ(t.length_tag_for(tag::RawData), tag::RawDataLength);
  EXPECT_EQ(t.length_tag_for(tag::XmlData), tag::XmlDataLen);
  EXPECT_EQ(t.length_tag_for(tag::EncodedText), tag::EncodedTextLen);
  EXPECT_EQ(t.length_tag_for(tag::SecureData), tag::SecureDataLen);
  EXPECT_EQ(t.length_tag_for(tag::Signature), tag::SignatureLength);
  EXPECT_EQ(t.length_tag_for(42486), 43110u);  // LegPaymentStreamFormula: length tag > data tag
  EXPECT_EQ(t.length_tag_for(tag::RawDataLength), 0u);
  EXPECT_EQ(t.length_tag_for(tag::Symbol), 0u);
  EXPECT_EQ(t.length_tag_for(0), 0u);
  EXPECT_EQ(t.pairs().size(), std::size(kStandardDataFields));
}

TEST(MessageTest, DataFieldTableHandlesTagsAboveItsBitmap) {
  static constexpr DataFieldPair kPairs[] = {{70000, 70001}, {5, 100000}, {7, 8000}};
  const DataFieldTable t(kPairs);
  EXPECT_EQ(t.length_tag_for(70001), 70000u);
  EXPECT_EQ(t.length_tag_for(100000), 5u);
  EXPECT_EQ(t.length_tag_for(8000), 7u);
  EXPECT_EQ(t.length_tag_for(70000), 0u);
  EXPECT_EQ(t.length_tag_for(99999), 0u);
  EXPECT_EQ(t.length_tag_for(kMaxTag), 0u);
  ASSERT_EQ(t.pairs().size(), 3u);
  EXPECT_TRUE(std::is_sorted(t.pairs().begin(), t.pairs().end(),
                             [](const auto& a, const auto& b) { return a.data < b.data; }));

  const std::string wire = make_message("35=U1|70000=2|70001=|||58=x|");
  Message m;
  ASSERT_TRUE(m.parse(wire, t).ok());
  EXPECT_EQ(m.get(70001), soh("||"));
}

// --- errors -------------------------------------------------------------------------------

TEST(MessageParseErrorTest, TagWithLettersIsBadTag) {
  const std::string_view wire = "8=FIX.4.4|9=12|35=0|a1=x|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  EXPECT_EQ(r.offset, wire.find("a1="));
}

TEST(MessageParseErrorTest, TagWithLettersAfterDigitsIsBadTag) {
  const std::string_view wire = "8=FIX.4.4|9=12|35=0|3a=x|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  EXPECT_EQ(r.offset, wire.find("3a="));
}

TEST(MessageParseErrorTest, CharactersBesideTheDigitsInAsciiAreNotTagDigits) {
  // ':' ';' '?' share the digits' high nibble, '/' sits just below '0': a digit test that only
  // looks at part of the byte takes them for digits. Tags of 1-8 characters cover the
  // eight-byte tag scanner and the byte loop behind it.
  for (std::string_view tag : {":", "1:", "1;", "12?", "/", "1/", "123456/", "1234567:", "1 ",
                               "12\x7f", "1\xb0", "\xb9"}) {
    const std::string wire = "8=FIX.4.4|9=5|35=0|" + std::string(tag) + "=xxxxxxxx|10=000|";
    ParseResult r = parse_error(wire);
    EXPECT_EQ(r.error, ParseError::kBadTag) << tag;
    EXPECT_EQ(r.offset, 19u) << tag;
  }
}

TEST(MessageParseErrorTest, TagWithLeadingZeroIsBadTag) {
  const std::string_view wire = "8=FIX.4.4|9=13|35=0|058=x|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  EXPECT_EQ(r.offset, wire.find("058="));
}

TEST(MessageParseErrorTest, TagZeroIsBadTag) {
  const std::string_view wire = "8=FIX.4.4|9=11|35=0|0=x|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  EXPECT_EQ(r.offset, wire.find("|0=") + 1);
}

TEST(MessageParseErrorTest, EmptyTagIsBadTag) {
  const std::string_view wire = "8=FIX.4.4|9=10|35=0|=x|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  EXPECT_EQ(r.offset, wire.find("|=x") + 1);
}

TEST(MessageParseErrorTest, TagOfTenDigitsIsBadTag) {
  const std::string_view wire = "8=FIX.4.4|9=20|35=0|1234567890=x|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTag);
  EXPECT_EQ(r.offset, wire.find("1234567890"));
}

TEST(MessageParseErrorTest, LeadingZeroIsBadTagAtEveryTagLength) {
  for (std::string_view tag : {"0", "01", "012", "0123456", "01234567", "012345678"}) {
    const std::string wire = "8=FIX.4.4|9=5|35=0|" + std::string(tag) + "=xxxxxxxx|10=000|";
    ParseResult r = parse_error(wire);
    EXPECT_EQ(r.error, ParseError::kBadTag) << tag;
    EXPECT_EQ(r.offset, 19u) << tag;
  }
}

TEST(MessageTest, TagsOfEveryLengthParse) {
  // 1-7 digits go through the eight-byte tag scanner, 8-9 through the byte loop; zeros inside
  // a tag are fine. Short and long values put the next tag at every alignment.
  const std::vector<Tag> tags = {1,         12,        123,  1234, 12345, 123456, 1234567, 12345678,
                                 123456789, 9,         99,   999,  9999,  99999,  999999,  9999999,
                                 99999999,  999999999, 10,   100,  1000,  10000,  100000,  1000000,
                                 10000000,  100000000, 5001, 40000};
  std::string body = "35=D|";
  for (size_t i = 0; i < tags.size(); ++i) {
    body += std::to_string(tags[i]) + "=" +
            std::string(i % 11 + 1, static_cast<char>('a' + i % 26)) + '|';
  }
  const std::string wire = make_message(body);
  Message m;
  ParseResult r = m.parse(wire);
  ASSERT_TRUE(r.ok()) << to_string(r.error) << " at " << r.offset;
  ASSERT_EQ(m.size(), tags.size() + 4);
  for (size_t i = 0; i < tags.size(); ++i) {
    EXPECT_EQ(m[i + 3].tag, tags[i]);
    EXPECT_EQ(m[i + 3].value, std::string(i % 11 + 1, static_cast<char>('a' + i % 26)));
  }
}

// The tag fast paths agree with the rule "1-7 digits, no leading zero, then '='" on every
// string of 6 characters drawn from digits, '=', SOH and a letter (the rest of the 8 bytes '=').
TEST(MessageTest, TagFastPathsAgreeWithTheTagRule) {
  const std::string alphabet = std::string("0159=a/:") + '\x01';
  std::string s(8, '=');
  const size_t k = alphabet.size();
  size_t combos = 1;
  for (int i = 0; i < 6; ++i) combos *= k;
  for (size_t c = 0; c < combos; ++c) {
    size_t x = c;
    for (int i = 0; i < 6; ++i, x /= k) s[static_cast<size_t>(i)] = alphabet[x % k];
    size_t digits = 0;
    uint32_t want = 0;
    while (digits < 8 && s[digits] >= '0' && s[digits] <= '9')
      want = want * 10 + (s[digits++] - '0');
    const bool valid = digits >= 1 && digits <= 7 && s[digits] == '=' && s[0] != '0';
    size_t len8 = 0, len = 0;
    const uint32_t got8 = detail::parse_tag8(s.data(), len8);
    const uint32_t got = detail::parse_tag(s.data(), len);
    ASSERT_EQ(got8, valid ? want : 0) << s;
    ASSERT_EQ(got, valid ? want : 0) << s;
    if (valid) {
      ASSERT_EQ(len8, digits) << s;
      ASSERT_EQ(len, digits) << s;
    }
  }
}

TEST(MessageParseErrorTest, EmptyFieldIsMissingValue) {
  const std::string_view wire = "8=FIX.4.4|9=6|35=0||10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kMissingValue);
  EXPECT_EQ(r.offset, wire.find("||") + 1);
}

TEST(MessageParseErrorTest, TagOfNineDigitsIsAccepted) {
  Message m;
  const std::string wire = make_message("35=0|999999999=x|");
  ASSERT_TRUE(m.parse(wire).ok());
  EXPECT_EQ(m.get(kMaxTag), "x");
}

TEST(MessageParseErrorTest, FieldWithoutEqualsIsMissingValue) {
  const std::string_view wire = "8=FIX.4.4|9=8|35=0|58|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kMissingValue);
  EXPECT_EQ(r.offset, wire.find("58|"));
}

TEST(MessageParseErrorTest, TagCutOffAtEndIsMissingValue) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|10";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kMissingValue);
  EXPECT_EQ(r.offset, wire.size() - 2);
}

TEST(MessageParseErrorTest, MissingFinalSohIsMissingValue) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|10=000";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kMissingValue);
  EXPECT_EQ(r.offset, wire.find("10=000"));
}

TEST(MessageParseErrorTest, NonNumericDataLengthIsBadDataLength) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|95=ab|96=xy|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadDataLength);
  EXPECT_EQ(r.offset, wire.find("96="));
}

TEST(MessageParseErrorTest, EmptyDataLengthIsBadDataLength) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|95=|96=xy|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadDataLength);
  EXPECT_EQ(r.offset, wire.find("96="));
}

TEST(MessageParseErrorTest, DataLengthOverrunningTheMessageIsBadDataLength) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|95=50|96=xy|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadDataLength);
  EXPECT_EQ(r.offset, wire.find("96="));
}

TEST(MessageParseErrorTest, DataLengthEndingInsideTheValueIsBadDataLength) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|95=1|96=xy|10=000|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadDataLength);
  EXPECT_EQ(r.offset, wire.find("96="));
}

TEST(MessageParseErrorTest, BodyLengthBeforeBeginStringIsBadHeader) {
  ParseResult r = parse_error("9=5|8=FIX.4.4|35=0|10=000|");
  EXPECT_EQ(r.error, ParseError::kBadHeader);
  EXPECT_EQ(r.offset, 0u);
}

TEST(MessageParseErrorTest, MsgTypeBeforeBodyLengthIsBadHeader) {
  ParseResult r = parse_error("8=FIX.4.4|35=0|9=5|10=000|");
  EXPECT_EQ(r.error, ParseError::kBadHeader);
  EXPECT_EQ(r.offset, 0u);
}

TEST(MessageParseErrorTest, MsgTypeNotThirdIsBadHeader) {
  ParseResult r = parse_error("8=FIX.4.4|9=5|49=A|35=0|10=000|");
  EXPECT_EQ(r.error, ParseError::kBadHeader);
  EXPECT_EQ(r.offset, 0u);
}

TEST(MessageParseErrorTest, EmptyInputIsBadHeader) {
  ParseResult r = parse_error("");
  EXPECT_EQ(r.error, ParseError::kBadHeader);
}

TEST(MessageParseErrorTest, CheckSumNotLastIsBadTrailer) {
  const std::string_view wire = "8=FIX.4.4|9=5|35=0|10=000|58=x|";
  ParseResult r = parse_error(wire);
  EXPECT_EQ(r.error, ParseError::kBadTrailer);
  EXPECT_EQ(r.offset, wire.size());
}

TEST(MessageParseErrorTest, MissingCheckSumIsBadTrailer) {
  for (std::string_view wire : {"8=FIX.4.4|9=5|35=0|", "8=FIX.4.4|9=5|35=0|58=x|"}) {
    ParseResult r = parse_error(wire);
    EXPECT_EQ(r.error, ParseError::kBadTrailer) << wire;
    EXPECT_EQ(r.offset, wire.size()) << wire;
  }
}

TEST(MessageParseErrorTest, ToStringNamesEveryParseError) {
  std::set<std::string_view> names;
  for (ParseError e :
       {ParseError::kNone, ParseError::kBadTag, ParseError::kMissingValue,
        ParseError::kBadDataLength, ParseError::kBadHeader, ParseError::kBadTrailer}) {
    EXPECT_FALSE(to_string(e).empty());
    names.insert(to_string(e));
  }
  EXPECT_EQ(names.size(), 6u);
}

// --- reuse and scale ----------------------------------------------------------------------

TEST(MessageTest, ReusingOneMessageLeavesNothingFromThePreviousParse) {
  const std::string a =
      make_message("35=D|49=A|56=B|34=5|43=Y|97=Y|95=3|96=x|y|55=IBM|", "FIX.4.2");
  const std::string b = make_message("35=0|49=C|", "FIXT.1.1");
  Message m;
  ASSERT_TRUE(m.parse(a).ok());
  ASSERT_TRUE(m.poss_dup());
  ASSERT_TRUE(m.parse(b).ok());
  EXPECT_EQ(m.begin_string(), "FIXT.1.1");
  EXPECT_EQ(m.msg_type(), "0");
  EXPECT_EQ(m.sender_comp_id(), "C");
  EXPECT_EQ(m.target_comp_id(), "");
  EXPECT_EQ(m.seq_num(), std::nullopt);
  EXPECT_FALSE(m.poss_dup());
  EXPECT_FALSE(m.poss_resend());
  EXPECT_FALSE(m.has(96));
  EXPECT_FALSE(m.has(55));
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(m.bytes(), b);
}

TEST(MessageTest, AMessageNeverParsedReadsAsEmpty) {
  const Message m;
  EXPECT_TRUE(m.empty());
  EXPECT_EQ(m.msg_type(), "");
  EXPECT_EQ(m.begin_string(), "");
  EXPECT_EQ(m.seq_num(), std::nullopt);
  EXPECT_FALSE(m.has_header(HeaderSlot::kMsgType));
  EXPECT_FALSE(m.poss_dup());
  EXPECT_EQ(m.find_field(tag::MsgType), nullptr);
  EXPECT_EQ(m.get(tag::SenderCompID), std::nullopt);
}

TEST(MessageTest, AssignCopyViewsTheCopyWithoutParsing) {
  const std::string wire =
      make_message("35=D|49=A|56=B|34=7|43=Y|95=3|96=x|y|55=IBM|58=a|58=b|", "FIX.4.2");
  Message parsed;
  ASSERT_TRUE(parsed.parse(wire).ok());
  const std::string copy = wire;
  Message m;
  m.assign_copy(parsed, copy);
  EXPECT_EQ(m.bytes().data(), copy.data());
  ASSERT_EQ(m.size(), parsed.size());
  for (size_t i = 0; i < m.size(); ++i) {
    EXPECT_EQ(m[i].tag, parsed[i].tag);
    EXPECT_EQ(m[i].value, parsed[i].value);
    // Every value lies in the copy, at the same offset as in the original.
    EXPECT_EQ(m[i].value.data() - copy.data(), parsed[i].value.data() - wire.data());
  }
  EXPECT_EQ(m.msg_type(), "D");
  EXPECT_EQ(m.sender_comp_id(), "A");
  EXPECT_EQ(m.seq_num(), 7u);
  EXPECT_TRUE(m.poss_dup());
  EXPECT_EQ(m.get(96), "x\x01y");
  EXPECT_EQ(m.index_of(58, m.index_of(58) + 1), m.index_of(58) + 1);
}

TEST(MessageTest, AssignCopyReplacesALargerMessage) {
  std::string body = "35=D|";
  for (int j = 0; j < 100; ++j) body += "58=t" + std::to_string(j) + "|";
  const std::string big = make_message(body), small = make_message("35=0|49=C|");
  Message a, b, m;
  ASSERT_TRUE(a.parse(big).ok());
  ASSERT_TRUE(b.parse(small).ok());
  const std::string big_copy = big, small_copy = small;
  m.assign_copy(a, big_copy);  // grows past the initial storage
  EXPECT_EQ(m.size(), 104u);
  m.assign_copy(b, small_copy);
  EXPECT_EQ(m.size(), 5u);
  EXPECT_EQ(m.msg_type(), "0");
  EXPECT_EQ(m.sender_comp_id(), "C");
  EXPECT_FALSE(m.has(58));
}

TEST(MessageTest, MovingTakesTheFieldsAndLeavesAnEmptyMessage) {
  const std::string wire = make_message("35=D|49=A|34=3|");
  Message a;
  ASSERT_TRUE(a.parse(wire).ok());
  Message b(std::move(a));
  EXPECT_EQ(b.msg_type(), "D");
  EXPECT_EQ(b.bytes().data(), wire.data());
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): the moved-from state is specified
  EXPECT_EQ(a.bytes(), "");
  EXPECT_EQ(a.msg_type(), "");
  // The moved-from message is usable again.
  ASSERT_TRUE(a.parse(wire).ok());
  EXPECT_EQ(a.seq_num(), 3u);
  a = std::move(b);
  EXPECT_EQ(a.sender_comp_id(), "A");
  Message& self = a;
  a = std::move(self);  // as std::swap(a, a) does: a is left as it was
  EXPECT_EQ(a.sender_comp_id(), "A");
  EXPECT_EQ(a.seq_num(), 3u);
  EXPECT_TRUE(b.empty());  // NOLINT(bugprone-use-after-move)
  b.clear();
  EXPECT_EQ(b.msg_type(), "");
}

TEST(MessageTest, ParsesAgainAfterAFailedParse) {
  Message m;
  const std::string bad = soh("8=FIX.4.4|9=5|35=0|x=1|10=000|");
  EXPECT_FALSE(m.parse(bad).ok());
  const std::string good = make_message("35=A|49=S|");
  ASSERT_TRUE(m.parse(good).ok());
  EXPECT_EQ(m.msg_type(), "A");
  EXPECT_EQ(m.sender_comp_id(), "S");
  EXPECT_EQ(m.size(), 5u);
}

TEST(MessageTest, ManyParsesReuseTheFieldStorage) {
  std::vector<std::string> wires;
  for (int i = 0; i < 10; ++i) {
    std::string body = "35=D|34=" + std::to_string(i + 1) + "|";
    for (int j = 0; j < i * 10; ++j) body += "58=t" + std::to_string(j) + "|";
    wires.push_back(make_message(body));
  }
  Message m;
  // The largest has 95 fields, more than the initial reserve, so storage grows once here.
  ASSERT_TRUE(m.parse(wires.back()).ok());
  const Field* storage = m.fields().data();
  for (int round = 0; round < 1000; ++round) {
    const std::string& w = wires[static_cast<size_t>(round) % wires.size()];
    ASSERT_TRUE(m.parse(w).ok());
    ASSERT_EQ(m.seq_num(), static_cast<uint64_t>(round % 10 + 1));
    ASSERT_EQ(m.size(), 4 + static_cast<size_t>(round % 10) * 10 + 1);
    ASSERT_EQ(m.fields().data(), storage) << "steady-state parsing must not reallocate";
  }
}

TEST(MessageTest, HeaderLookupStaysCorrectBeyond65535Fields) {
  std::string body = "35=D|";
  for (int i = 0; i < 70'000; ++i) body += "58=x|";
  body += "43=Y|49=LATE|";
  const std::string wire = make_message(body);
  Message m;
  ASSERT_TRUE(m.parse(wire).ok());
  ASSERT_EQ(m.size(), 70'000u + 6);
  const Field* f = m.find_field(tag::PossDupFlag);
  ASSERT_NE(f, nullptr);
  EXPECT_EQ(f->tag, tag::PossDupFlag);
  EXPECT_TRUE(m.poss_dup());
  EXPECT_EQ(m.sender_comp_id(), "LATE");
  EXPECT_EQ(m.header(HeaderSlot::kCheckSum), wire.substr(wire.size() - 4, 3));
}

}  // namespace
}  // namespace fixgate::codec
