// Tests for typed reads (Message::get<T>, FieldRange::get<T>): absent, invalid and out-of-range
// told apart for every type; and GroupRange: repeating groups walked by delimiter without a
// dictionary, nested, malformed, and where the last entry ends. '|' stands for SOH.
#include "fixgate/codec/typed_fields.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/message.h"

namespace fixgate::codec {
namespace {

// A parsed FIX 4.4 message of type `msg_type` with body `fields` ('|' = SOH).
class Parsed {
 public:
  explicit Parsed(std::string_view fields, std::string_view msg_type = "D") {
    std::string body(fields);
    std::replace(body.begin(), body.end(), '|', kSoh);
    wire_ = std::string(enc_.begin("FIX.4.4", msg_type).raw(body).finish());
    EXPECT_TRUE(msg_.parse(wire_).ok());
  }
  const Message& operator*() const { return msg_; }
  const Message* operator->() const { return &msg_; }

 private:
  Encoder enc_;
  std::string wire_;
  Message msg_;
};

TEST(TypedGetTest, ReadsEachType) {
  Parsed m(
      "11=ORD-1|54=1|114=Y|38=-15|34=7|44=415.25|60=20261122-14:30:00.123456|273=14:30:00.500|"
      "75=20261122|200=202612w3|");
  EXPECT_EQ(*m->get<std::string_view>(tag::ClOrdID), "ORD-1");
  EXPECT_EQ(*m->get<char>(tag::Side), '1');
  EXPECT_EQ(*m->get<bool>(tag::LocateReqd), true);
  EXPECT_EQ(*m->get<int>(tag::OrderQty), -15);
  EXPECT_EQ(*m->get<uint64_t>(tag::MsgSeqNum), 7u);  // a header slot, found in O(1)
  EXPECT_TRUE(m->get<Decimal>(tag::Price)->same_representation(Decimal(41525, 2)));
  auto ts = m->get<UtcTimestamp>(tag::TransactTime);
  EXPECT_EQ(ts->nanos, 1'795'357'800'123'456'000);
  EXPECT_EQ(ts->precision, TimePrecision::kMicros);
  EXPECT_EQ(m->get<UtcTimeOnly>(tag::MDEntryTime)->nanos, 52'200'000'000'000 + 500'000'000);
  EXPECT_EQ(*m->get<Date>(tag::TradeDate), (Date{2026, 11, 22}));
  EXPECT_EQ(*m->get<MonthYear>(tag::MaturityMonthYear), (MonthYear{2026, 12, 0, 3}));
}

TEST(TypedGetTest, AbsentIsNotInvalid) {
  Parsed m("11=ORD-1|");
  auto price = m->get<Decimal>(tag::Price);
  EXPECT_FALSE(price.ok());
  EXPECT_TRUE(price.absent());
  EXPECT_EQ(price.error(), FieldError::kAbsent);
  EXPECT_EQ(to_string(price.error()), "field absent");
  EXPECT_TRUE(price.value_or(Decimal(1, 0)).same_representation(Decimal(1, 0)));
  EXPECT_EQ(price.optional(), std::nullopt);
}

TEST(TypedGetTest, WronglyFormattedValuesAreInvalid) {
  Parsed m(
      "5001=12x|5002=1.5.0|5003=20261122 14:30:00|5004=14:30|5005=20260230|5006=202613|"
      "5007=YES|5008=AB|5009=-3|5010=1e5|");
  EXPECT_EQ(m->get<int>(5001).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<Decimal>(5002).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<UtcTimestamp>(5003).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<UtcTimeOnly>(5004).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<Date>(5005).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<MonthYear>(5006).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<bool>(5007).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<char>(5008).error(), FieldError::kInvalid);
  EXPECT_EQ(m->get<unsigned>(5009).error(), FieldError::kInvalid);  // no sign in a uint
  EXPECT_EQ(m->get<Decimal>(5010).error(), FieldError::kInvalid);   // FIX floats have no exponent
  EXPECT_EQ(*m->get<std::string_view>(5001), "12x");                // as text, any value reads
}

TEST(TypedGetTest, IntegersTheTypeCannotHoldAreOutOfRange) {
  Parsed m("5001=128|5002=-129|5003=256|5004=4294967296|5005=127|5006=-2147483648|");
  EXPECT_EQ(m->get<int8_t>(5001).error(), FieldError::kOutOfRange);
  EXPECT_EQ(m->get<int8_t>(5002).error(), FieldError::kOutOfRange);
  EXPECT_EQ(m->get<uint8_t>(5003).error(), FieldError::kOutOfRange);
  EXPECT_EQ(m->get<uint32_t>(5004).error(), FieldError::kOutOfRange);
  EXPECT_EQ(*m->get<uint64_t>(5004), 4'294'967'296u);
  EXPECT_EQ(*m->get<int8_t>(5005), 127);
  EXPECT_EQ(*m->get<int>(5006), -2147483648);
}

TEST(TypedGetTest, FieldRangeReadsTheFirstFieldWithTheTag) {
  Parsed m("55=IBM|55=MSFT|");
  FieldRange all(m->fields());
  EXPECT_EQ(*all.get<std::string_view>(tag::Symbol), "IBM");
  EXPECT_EQ(*all.get(tag::Symbol), "IBM");
  EXPECT_TRUE(all.has(tag::BeginString));
  EXPECT_TRUE(all.get<int>(tag::Price).absent());
}

// The NewOrderSingle of the tests below: a Parties group between body fields.
constexpr std::string_view kParties =
    "11=ORD-1|453=3|448=ACME|447=D|452=3|448=DESK-7|452=24|448=BOB|452=11|55=IBM|";

TEST(GroupRangeTest, IteratesEntriesByDelimiter) {
  Parsed m(kParties);
  GroupRange parties = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_TRUE(parties.ok());
  EXPECT_EQ(parties.size(), 3u);
  EXPECT_EQ(parties.declared_count(), 3u);
  std::vector<std::string> ids;
  std::vector<size_t> sizes;
  for (FieldRange party : parties) {
    ids.emplace_back(*party.get<std::string_view>(tag::PartyID));
    sizes.push_back(party.size());
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"ACME", "DESK-7", "BOB"}));
  EXPECT_EQ(sizes[0], 3u);
  EXPECT_EQ(sizes[1], 2u);
  EXPECT_EQ(*parties[2].get<int>(tag::PartyRole), 11);
}

TEST(GroupRangeTest, TheLastEntryRunsToTheEndOfTheBodyButNotTheTrailer) {
  // Without a dictionary the last entry cannot end before the body does: a tag the entry lacks
  // is found after the group (here Symbol). CheckSum is never part of it.
  Parsed m(kParties);
  FieldRange last = m->group(tag::NoPartyIDs, tag::PartyID)[2];
  EXPECT_EQ(last.size(), 3u);  // 448, 452, 55
  EXPECT_EQ(*last.get<std::string_view>(tag::Symbol), "IBM");
  EXPECT_FALSE(last.has(tag::CheckSum));
}

TEST(GroupRangeTest, NestedGroupsAreSearchedWithinTheirEntry) {
  Parsed m("453=2|448=A|802=2|523=S1|803=4|523=S2|803=5|448=B|802=1|523=S3|55=IBM|");
  std::vector<std::string> seen;
  for (FieldRange party : m->group(tag::NoPartyIDs, tag::PartyID)) {
    GroupRange subs = party.group(tag::NoPartySubIDs, tag::PartySubID);
    EXPECT_TRUE(subs.ok());
    for (FieldRange sub : subs) seen.emplace_back(*sub.get<std::string_view>(tag::PartySubID));
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"S1", "S2", "S3"}));
}

TEST(GroupRangeTest, AnAbsentGroupIteratesNothing) {
  Parsed m("11=ORD-1|");
  GroupRange g = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_EQ(g.error(), GroupError::kAbsent);
  EXPECT_TRUE(g.empty());
  EXPECT_EQ(g.begin(), g.end());
}

TEST(GroupRangeTest, AZeroCountIsAnEmptyGroup) {
  Parsed m("453=0|55=IBM|");
  GroupRange g = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_TRUE(g.ok());
  EXPECT_EQ(g.size(), 0u);
}

TEST(GroupRangeTest, ABadCountIsReported) {
  Parsed m("453=two|448=A|");
  GroupRange g = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_EQ(g.error(), GroupError::kBadCount);
  EXPECT_EQ(g.size(), 0u);
}

TEST(GroupRangeTest, FewerEntriesThanDeclaredYieldWhatIsThere) {
  Parsed m("453=3|448=A|452=3|448=B|55=IBM|");
  GroupRange g = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_EQ(g.error(), GroupError::kCountMismatch);
  EXPECT_EQ(to_string(g.error()), "fewer group entries than the count declares");
  EXPECT_EQ(g.size(), 2u);
  size_t n = 0;
  for (FieldRange e : g) n += e.has(tag::PartyID);
  EXPECT_EQ(n, 2u);
}

TEST(GroupRangeTest, AnEntryNotStartingWithTheDelimiterEndsTheGroup) {
  Parsed m("453=2|452=3|448=A|");
  GroupRange g = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_EQ(g.error(), GroupError::kCountMismatch);
  EXPECT_EQ(g.size(), 0u);
}

TEST(GroupRangeTest, AtMostTheDeclaredCountIsWalked) {
  // A later field with the delimiter's tag (another group's, or an undeclared entry) ends the
  // last declared entry and is not walked.
  Parsed m("453=1|448=A|452=3|448=B|452=4|");
  GroupRange g = m->group(tag::NoPartyIDs, tag::PartyID);
  EXPECT_TRUE(g.ok());
  ASSERT_EQ(g.size(), 1u);
  EXPECT_EQ(g[0].size(), 2u);
}

TEST(GroupRangeTest, HeaderGroupsAreFoundToo) {
  Parsed m("627=1|628=HOP1|629=20261122-12:00:00|11=ORD-1|");
  GroupRange hops = m->group(tag::NoHops, tag::HopCompID);
  ASSERT_EQ(hops.size(), 1u);
  EXPECT_EQ(hops[0].get<UtcTimestamp>(tag::HopSendingTime)->nanos, 1'795'348'800'000'000'000);
}

}  // namespace
}  // namespace fixgate::codec
