// Steady-state allocations of the message builder and of typed reads: once a builder has built
// a message, building it again (groups included), parsing it, reading it with typed gets and
// walking its groups allocate nothing. Its own program: it replaces the global operator new.
#include <gtest/gtest.h>

#include "../../tests/support/allocation_counter.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/codec/message.h"
#include "fixgate/codec/message_builder.h"

namespace fixgate::codec {
namespace {

using fixgate::testing::g_allocations;
using fixgate::testing::g_counting;

void build_order(MessageBuilder& b, int64_t n) {
  b.reset(msg_type::NewOrderSingle)
      .set(tag::ClOrdID, "ORD-20261122-000001")
      .set(tag::Account, "ACC-778899")
      .set(tag::Symbol, "MSFT")
      .set(tag::Side, '1')
      .set(tag::TransactTime, UtcTimestamp{1'795'357'800'123'000'000 + n, TimePrecision::kNanos})
      .set(tag::OrderQty, 1500 + n)
      .set(tag::OrdType, '2')
      .set(tag::Price, Decimal(41525 + n, 2))
      .set(tag::TradeDate, Date{2026, 11, 22})
      .set(tag::MaturityMonthYear, MonthYear{2026, 12})
      .set(tag::MDEntryTime, UtcTimeOnly{52'200'000'000'000, TimePrecision::kMillis})
      .set(tag::LocateReqd, false)
      .begin_group(tag::NoPartyIDs, 2)
      .entry()
      .set(tag::PartyID, "ACME")
      .set(tag::PartyRole, 3)
      .begin_group(tag::NoPartySubIDs, 1)
      .entry()
      .set(tag::PartySubID, "S1")
      .end_group()
      .entry()
      .set(tag::PartyID, "DESK-7")
      .set(tag::PartyRole, 24)
      .end_group();
}

// What one round does: build, encode whole, parse, read every field typed, walk the groups.
int64_t round(MessageBuilder& b, Encoder& enc, Message& msg, int64_t n) {
  build_order(b, n);
  if (!b.ok()) return -1;
  std::string_view wire = enc.begin("FIX.4.4", b.msg_type())
                              .field(tag::SenderCompID, "CLIENT01")
                              .field(tag::TargetCompID, "BROKER01")
                              .field(tag::MsgSeqNum, n + 1)
                              .raw(b.body())
                              .finish();
  if (!msg.parse(wire).ok()) return -1;
  int64_t sum = msg.get<int64_t>(tag::OrderQty).value_or(0);
  sum += msg.get<Decimal>(tag::Price)->mantissa();
  sum += msg.get<UtcTimestamp>(tag::TransactTime)->nanos % 1000;
  sum += msg.get<Date>(tag::TradeDate)->day + msg.get<MonthYear>(tag::MaturityMonthYear)->month;
  sum += msg.get<UtcTimeOnly>(tag::MDEntryTime)->nanos > 0;
  sum += msg.get<bool>(tag::LocateReqd).value_or(true) ? 0 : 1;
  sum += msg.get<std::string_view>(tag::Symbol)->size() + msg.get<char>(tag::Side).value_or(0);
  sum += msg.get<int>(tag::Text).absent();
  for (FieldRange party : msg.group(tag::NoPartyIDs, tag::PartyID)) {
    sum += party.get<int>(tag::PartyRole).value_or(0);
    for (FieldRange sub : party.group(tag::NoPartySubIDs, tag::PartySubID))
      sum += sub.get<std::string_view>(tag::PartySubID)->size();
  }
  return sum;
}

TEST(BuilderAllocationTest, BuildingAndReadingAllocateNothingOnceWarm) {
  MessageBuilder b;
  Encoder enc;
  Message msg;
  ASSERT_GT(round(b, enc, msg, 0), 0);  // warm-up: buffers grow to size here
  g_allocations = 0;
  g_counting = true;
  int64_t total = 0;
  for (int64_t n = 1; n <= 10'000; ++n) total += round(b, enc, msg, n);
  g_counting = false;
  EXPECT_GT(total, 0);
  EXPECT_EQ(g_allocations, 0u);
}

TEST(BuilderAllocationTest, TheCounterSeesAllocations) {
  // The replaced operator new counts: without this, a zero above would prove nothing.
  g_allocations = 0;
  g_counting = true;
  MessageBuilder fresh("D");  // its first buffer
  g_counting = false;
  EXPECT_GT(g_allocations, 0u);
}

}  // namespace
}  // namespace fixgate::codec
