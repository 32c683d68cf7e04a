// Tests for MessageBuilder: every type round-trips exactly (build, encode with a header, parse,
// typed get), the exact body bytes, repeating groups (counts, nesting, delimiters) and every
// misuse reported with its error, the tag and a readable status. '|' stands for SOH.
#include "fixgate/codec/message_builder.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>

#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"

namespace fixgate::codec {
namespace {

std::string bars(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), kSoh, '|');
  return out;
}

// A builder's message made whole as the session makes it (header, body, trailer) and parsed.
class Built {
 public:
  explicit Built(const MessageBuilder& b) {
    EXPECT_TRUE(b.ok()) << b.status().message();
    wire_ = std::string(enc_.begin("FIX.4.4", b.msg_type())
                            .field(tag::SenderCompID, "US")
                            .field(tag::TargetCompID, "THEM")
                            .field(tag::MsgSeqNum, 2)
                            .field(tag::SendingTime, "20261122-12:00:00.000")
                            .raw(b.body())
                            .finish());
    Frame f = next_frame(wire_);  // BodyLength and CheckSum must hold
    EXPECT_EQ(f.status, FrameStatus::kMessage);
    EXPECT_TRUE(msg_.parse(wire_).ok());
  }
  const Message& msg() const { return msg_; }

 private:
  Encoder enc_;
  std::string wire_;
  Message msg_;
};

TEST(MessageBuilderTest, WritesTheBodyExactlyInCallOrder) {
  MessageBuilder b(msg_type::NewOrderSingle);
  b.set(tag::ClOrdID, "ORD-1")
      .set(tag::Symbol, std::string("IBM"))
      .set(tag::Side, '1')
      .set(tag::OrderQty, 100)
      .set(tag::OrdType, '2')
      .set(tag::Price, Decimal(1250, 2))
      .set(tag::TransactTime, UtcTimestamp{1'795'348'800'123'000'000, TimePrecision::kMillis})
      .set(tag::LocateReqd, false);
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(b.msg_type(), "D");
  EXPECT_EQ(bars(b.body()),
            "11=ORD-1|55=IBM|54=1|38=100|40=2|44=12.50|60=20261122-12:00:00.123|114=N|");
}

TEST(MessageBuilderTest, ResetStartsAnewAndReusesTheBuffer) {
  MessageBuilder b("D");
  b.set(tag::ClOrdID, "A").set(0, "bad");
  EXPECT_FALSE(b.ok());
  b.reset(msg_type::ExecutionReport).set(tag::OrderID, "O-1");
  EXPECT_TRUE(b.ok());
  EXPECT_EQ(b.msg_type(), "8");
  EXPECT_EQ(bars(b.body()), "37=O-1|");
}

TEST(MessageBuilderTest, StringsCharsAndBooleansRoundTrip) {
  const std::string long_text(5000, 'x');  // grows the buffer
  MessageBuilder b("D");
  b.set(tag::ClOrdID, "ORD-1").set(tag::Text, long_text).set(tag::Side, '1');
  b.set(tag::LocateReqd, true).set(tag::PossResend, false);
  Built m(b);
  EXPECT_EQ(*m.msg().get<std::string_view>(tag::ClOrdID), "ORD-1");
  EXPECT_EQ(*m.msg().get<std::string_view>(tag::Text), long_text);
  EXPECT_EQ(*m.msg().get<char>(tag::Side), '1');
  EXPECT_EQ(*m.msg().get<bool>(tag::LocateReqd), true);
  EXPECT_EQ(*m.msg().get<bool>(tag::PossResend), false);
}

TEST(MessageBuilderTest, IntegersOfEveryWidthRoundTrip) {
  MessageBuilder b("D");
  b.set(5001, uint64_t{9'999'999'999'999'999'999u});  // the most digits parse_uint reads
  b.set(5002, int64_t{-999'999'999'999'999'999});
  b.set(5003, int64_t{999'999'999'999'999'999});
  b.set(5005, int8_t{-128}).set(5006, uint8_t{255}).set(5007, -1).set(5008, 4'000'000'000u);
  b.set(5009, 0).set(5010, short{-7}).set(5011, 123ull);
  Built m(b);
  EXPECT_EQ(*m.msg().get<uint64_t>(5001), 9'999'999'999'999'999'999u);
  EXPECT_EQ(m.msg().get<int64_t>(5001).error(), FieldError::kInvalid);  // 19 digits: no FIX int
  EXPECT_EQ(*m.msg().get<int64_t>(5002), -999'999'999'999'999'999);
  EXPECT_EQ(*m.msg().get<int64_t>(5003), 999'999'999'999'999'999);
  EXPECT_EQ(*m.msg().get<int8_t>(5005), -128);
  EXPECT_EQ(*m.msg().get<uint8_t>(5006), 255);
  EXPECT_EQ(*m.msg().get<int>(5007), -1);
  EXPECT_EQ(*m.msg().get<uint32_t>(5008), 4'000'000'000u);
  EXPECT_EQ(*m.msg().get<int>(5009), 0);
  EXPECT_EQ(*m.msg().get<short>(5010), -7);
  EXPECT_EQ(*m.msg().get<unsigned long long>(5011), 123ull);
}

TEST(MessageBuilderTest, DecimalsRoundTripWithTheirScale) {
  const Decimal values[] = {Decimal(1250, 2),
                            Decimal(-50, 2),
                            Decimal(0, 0),
                            Decimal(0, 3),
                            Decimal(1, 18),
                            Decimal(-1, 18),
                            Decimal(999'999'999'999'999'999, 0),
                            Decimal(-999'999'999'999'999'999, 9),
                            Decimal(108501, 5),
                            Decimal(7, 1)};
  MessageBuilder b("D");
  Tag t = 6000;
  for (const Decimal& d : values) b.set(t++, d);
  Built m(b);
  t = 6000;
  for (const Decimal& d : values) {
    FieldResult<Decimal> got = m.msg().get<Decimal>(t++);
    ASSERT_TRUE(got.ok()) << d.to_string();
    EXPECT_TRUE(got->same_representation(d)) << d.to_string() << " read " << got->to_string();
  }
}

TEST(MessageBuilderTest, TimestampsRoundTripAtEveryPrecision) {
  // 2026-11-22 12:34:56.123456789 UTC, and a time before the epoch.
  constexpr int64_t kNanos = 1'795'350'896'123'456'789;
  constexpr int64_t kBefore = -1'234'567'890'987'654'321;
  struct Case {
    TimePrecision precision;
    int64_t unit;
  };
  const Case cases[] = {{TimePrecision::kSeconds, 1'000'000'000},
                        {TimePrecision::kMillis, 1'000'000},
                        {TimePrecision::kMicros, 1'000},
                        {TimePrecision::kNanos, 1}};
  for (const Case& c : cases) {
    for (int64_t nanos : {kNanos, kBefore}) {
      // What the precision can say: the time truncated towards the past to its unit.
      const int64_t exact = nanos - ((nanos % c.unit) + c.unit) % c.unit;
      const int64_t time_of_day =
          ((exact % 86'400'000'000'000) + 86'400'000'000'000) % 86'400'000'000'000;
      MessageBuilder b("D");
      b.set(tag::TransactTime, UtcTimestamp{exact, c.precision});
      b.set(tag::MDEntryTime, UtcTimeOnly{time_of_day, c.precision});
      Built m(b);
      auto ts = m.msg().get<UtcTimestamp>(tag::TransactTime);
      ASSERT_TRUE(ts.ok()) << static_cast<int>(c.precision);
      EXPECT_EQ(ts->nanos, exact);
      EXPECT_EQ(ts->precision, c.precision);
      auto t = m.msg().get<UtcTimeOnly>(tag::MDEntryTime);
      ASSERT_TRUE(t.ok());
      EXPECT_EQ(t->nanos, time_of_day);
      EXPECT_EQ(t->precision, c.precision);
    }
  }
}

TEST(MessageBuilderTest, DatesAndMonthYearsRoundTrip) {
  MessageBuilder b("D");
  b.set(tag::TradeDate, Date{2026, 11, 22});   // LocalMktDate
  b.set(tag::MDEntryDate, Date{2024, 2, 29});  // UTCDateOnly, a leap day
  b.set(tag::MaturityMonthYear, MonthYear{2026, 12});
  b.set(tag::LegMaturityMonthYear, MonthYear{2027, 3, 15});
  b.set(tag::UnderlyingMaturityMonthYear, MonthYear{2027, 6, 0, 2});
  Built m(b);
  EXPECT_EQ(*m.msg().get<Date>(tag::TradeDate), (Date{2026, 11, 22}));
  EXPECT_EQ(*m.msg().get<Date>(tag::MDEntryDate), (Date{2024, 2, 29}));
  EXPECT_EQ(*m.msg().get(tag::MaturityMonthYear), "202612");
  EXPECT_EQ(*m.msg().get<MonthYear>(tag::MaturityMonthYear), (MonthYear{2026, 12}));
  EXPECT_EQ(*m.msg().get<MonthYear>(tag::LegMaturityMonthYear), (MonthYear{2027, 3, 15}));
  EXPECT_EQ(*m.msg().get(tag::UnderlyingMaturityMonthYear), "202706w2");
  EXPECT_EQ(*m.msg().get<MonthYear>(tag::UnderlyingMaturityMonthYear), (MonthYear{2027, 6, 0, 2}));
}

TEST(MessageBuilderTest, DataFieldsMayHoldSoh) {
  const std::string xml = std::string("<a>") + kSoh + "</a>";
  MessageBuilder b("D");
  b.set(tag::ClOrdID, "A").set_data(tag::XmlDataLen, tag::XmlData, xml).set(tag::Symbol, "IBM");
  Built m(b);
  EXPECT_EQ(*m.msg().get<uint64_t>(tag::XmlDataLen), xml.size());
  EXPECT_EQ(*m.msg().get<std::string_view>(tag::XmlData), xml);
  EXPECT_EQ(*m.msg().get<std::string_view>(tag::Symbol), "IBM");
}

TEST(MessageBuilderTest, GroupsWriteTheirCountAndReadBack) {
  MessageBuilder b("D");
  b.set(tag::ClOrdID, "ORD-1")
      .begin_group(tag::NoPartyIDs, 2)
      .entry()
      .set(tag::PartyID, "ACME")
      .set(tag::PartyIDSource, 'D')
      .set(tag::PartyRole, 3)
      .entry()
      .set(tag::PartyID, "DESK-7")
      .set(tag::PartyRole, 24)
      .end_group()
      .set(tag::Symbol, "IBM");
  ASSERT_TRUE(b.ok()) << b.status().message();
  EXPECT_EQ(bars(b.body()), "11=ORD-1|453=2|448=ACME|447=D|452=3|448=DESK-7|452=24|55=IBM|");
  Built m(b);
  GroupRange parties = m.msg().group(tag::NoPartyIDs, tag::PartyID);
  ASSERT_TRUE(parties.ok());
  ASSERT_EQ(parties.size(), 2u);
  EXPECT_EQ(*parties[0].get<std::string_view>(tag::PartyID), "ACME");
  EXPECT_EQ(*parties[0].get<char>(tag::PartyIDSource), 'D');
  EXPECT_EQ(*parties[1].get<int>(tag::PartyRole), 24);
  EXPECT_TRUE(parties[1].get<char>(tag::PartyIDSource).absent());
}

TEST(MessageBuilderTest, NestedGroupsReadBackEntryByEntry) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 2);
  b.entry().set(tag::PartyID, "ACME").set(tag::PartyRole, 3);
  b.begin_group(tag::NoPartySubIDs, 2);
  b.entry().set(tag::PartySubID, "S1").set(tag::PartySubIDType, 4);
  b.entry().set(tag::PartySubID, "S2").set(tag::PartySubIDType, 5);
  b.end_group();
  b.entry().set(tag::PartyID, "DESK-7").set(tag::PartyRole, 24);
  b.begin_group(tag::NoPartySubIDs, 1).entry().set(tag::PartySubID, "S3").end_group();
  b.end_group();
  ASSERT_TRUE(b.ok()) << b.status().message();
  Built m(b);
  std::vector<std::string> seen;
  for (FieldRange party : m.msg().group(tag::NoPartyIDs, tag::PartyID)) {
    std::string line(*party.get<std::string_view>(tag::PartyID));
    for (FieldRange sub : party.group(tag::NoPartySubIDs, tag::PartySubID))
      line += " " + std::string(*sub.get<std::string_view>(tag::PartySubID)) + "/" +
              std::to_string(sub.get<int>(tag::PartySubIDType).value_or(0));
    seen.push_back(line);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"ACME S1/4 S2/5", "DESK-7 S3/0"}));
}

TEST(MessageBuilderTest, AnEmptyGroupIsAllowed) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 0).end_group().set(tag::Symbol, "IBM");
  ASSERT_TRUE(b.ok());
  EXPECT_EQ(bars(b.body()), "453=0|55=IBM|");
}

TEST(MessageBuilderTest, FewerEntriesThanDeclaredIsAnError) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 2).entry().set(tag::PartyID, "A").end_group();
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.error(), BuildError::kCountMismatch);
  EXPECT_EQ(b.error_tag(), tag::NoPartyIDs);
  EXPECT_EQ(b.status().message(),
            "message builder: group entries differ from the declared count (group 453: 2 entries "
            "declared, 1 added)");
}

TEST(MessageBuilderTest, MoreEntriesThanDeclaredIsAnErrorAtOnce) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 1).entry().set(tag::PartyID, "A").entry();
  EXPECT_EQ(b.error(), BuildError::kCountMismatch);
  EXPECT_NE(b.status().message().find("1 entries declared, 2 added"), std::string::npos);
}

TEST(MessageBuilderTest, NestedCountMismatchNamesTheInnerGroup) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 1).entry().set(tag::PartyID, "A");
  b.begin_group(tag::NoPartySubIDs, 3).entry().set(tag::PartySubID, "S").end_group();
  b.end_group();
  EXPECT_EQ(b.error(), BuildError::kCountMismatch);
  EXPECT_EQ(b.error_tag(), tag::NoPartySubIDs);
}

TEST(MessageBuilderTest, EntriesMustStartWithTheDelimiter) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 2);
  b.entry().set(tag::PartyID, "A").set(tag::PartyRole, 3);
  b.entry().set(tag::PartyRole, 3).set(tag::PartyID, "B");
  b.end_group();
  EXPECT_EQ(b.error(), BuildError::kBadDelimiter);
  EXPECT_EQ(b.error_tag(), tag::PartyRole);
}

TEST(MessageBuilderTest, FieldsBeforeTheFirstEntryAreAnError) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 1).set(tag::PartyID, "A");
  EXPECT_EQ(b.error(), BuildError::kFieldOutsideEntry);
  EXPECT_EQ(b.error_tag(), tag::PartyID);
}

TEST(MessageBuilderTest, EmptyEntriesAreAnError) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 2).entry().entry().set(tag::PartyID, "A").end_group();
  EXPECT_EQ(b.error(), BuildError::kEmptyEntry);
  MessageBuilder last("D");
  last.begin_group(tag::NoPartyIDs, 1).entry().end_group();
  EXPECT_EQ(last.error(), BuildError::kEmptyEntry);
}

TEST(MessageBuilderTest, EntryOrEndWithoutAGroupIsAnError) {
  MessageBuilder b("D");
  b.entry();
  EXPECT_EQ(b.error(), BuildError::kNoOpenGroup);
  MessageBuilder e("D");
  e.set(tag::Symbol, "IBM").end_group();
  EXPECT_EQ(e.error(), BuildError::kNoOpenGroup);
}

TEST(MessageBuilderTest, AGroupLeftOpenIsNotOk) {
  MessageBuilder b("D");
  b.begin_group(tag::NoPartyIDs, 1).entry().set(tag::PartyID, "A");
  EXPECT_FALSE(b.ok());
  EXPECT_EQ(b.error(), BuildError::kGroupOpen);
  EXPECT_EQ(b.status().message(), "message builder: group not ended (group 453)");
  b.end_group();
  EXPECT_TRUE(b.ok());
}

TEST(MessageBuilderTest, GroupsNestOnlySoDeep) {
  MessageBuilder b("D");
  for (size_t i = 0; i <= MessageBuilder::kMaxDepth; ++i)
    b.begin_group(static_cast<Tag>(7000 + i), 1).entry().set(static_cast<Tag>(8000 + i), 1);
  EXPECT_EQ(b.error(), BuildError::kTooDeep);
}

TEST(MessageBuilderTest, TagsTheEncoderOwnsOrThatCannotBeAreRefused) {
  for (Tag t : {Tag{0}, Tag{8}, Tag{9}, Tag{10}, Tag{35}, kMaxTag + 1}) {
    MessageBuilder b("D");
    b.set(t, "X");
    EXPECT_EQ(b.error(), BuildError::kBadTag) << t;
    EXPECT_EQ(b.error_tag(), t);
    EXPECT_EQ(b.body(), "") << t;  // nothing written
  }
  MessageBuilder ok("D");
  ok.set(kMaxTag, "X").set(1, "A").set(36, 1).set(34, 5);  // 34 is legal in a standalone message
  EXPECT_TRUE(ok.ok());
}

TEST(MessageBuilderTest, ValuesThatCannotBeWrittenAreRefused) {
  auto error_of = [](auto&& build) {
    MessageBuilder b("D");
    build(b);
    return b.error();
  };
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::Text, ""); }), BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::Text, static_cast<const char*>(nullptr)); }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) {
              b.set(tag::Text, std::string("a\x01"
                                           "58=b"));
            }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::Side, kSoh); }), BuildError::kBadValue);
  // Integers past what the parser reads back (18 digits signed, 19 unsigned).
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::OrderQty, std::numeric_limits<int64_t>::max()); }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::OrderQty, int64_t{-1'000'000'000'000'000'000}); }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::OrderQty, std::numeric_limits<uint64_t>::max()); }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) {
              b.set(tag::TradeDate, Date{2026, 2, 30});
            }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) {
              b.set(tag::TradeDate, Date{10000, 1, 1});
            }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::MDEntryTime, UtcTimeOnly{-1}); }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set(tag::MDEntryTime, UtcTimeOnly{86'400'000'000'000}); }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) {
              b.set(tag::MaturityMonthYear, MonthYear{2026, 13});
            }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) {
              b.set(tag::MaturityMonthYear, MonthYear{2026, 1, 5, 1});
            }),
            BuildError::kBadValue);
  EXPECT_EQ(error_of([](auto& b) { b.set_data(tag::RawDataLength, tag::RawData, ""); }),
            BuildError::kBadValue);
}

TEST(MessageBuilderTest, AMessageNeedsAType) {
  MessageBuilder none;
  EXPECT_EQ(none.error(), BuildError::kNoMsgType);
  MessageBuilder soh(std::string("D\x01"));
  EXPECT_EQ(soh.error(), BuildError::kNoMsgType);
  EXPECT_EQ(soh.msg_type(), "");
  none.reset("AE").set(tag::TradeReportID, "T-1");
  EXPECT_TRUE(none.ok());
  EXPECT_EQ(none.msg_type(), "AE");
}

TEST(MessageBuilderTest, TheFirstErrorIsKept) {
  MessageBuilder b("D");
  b.set(tag::Text, "").set(0, "x").entry();
  EXPECT_EQ(b.error(), BuildError::kBadValue);
  EXPECT_EQ(b.error_tag(), tag::Text);
  EXPECT_EQ(b.status().message(),
            "message builder: value empty, holding SOH, or not of its type (tag 58)");
}

}  // namespace
}  // namespace fixgate::codec
