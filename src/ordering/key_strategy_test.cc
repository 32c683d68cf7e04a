// Key strategies over FIX messages and over user types (an e-commerce order event, an IoT
// reading): each strategy's keys, its configuration errors, and determinism across threads.
#include "fixgate/ordering/key_strategy.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/tags.h"
#include "fixgate/ordering/fix_message_keys.h"

namespace fixgate::ordering {
namespace {

// A user type: an e-commerce order event exposing its fields as metadata.
struct OrderEvent final : KeyExtractor {
  OrderEvent(std::string o = "", std::string c = "", std::string t = "")
      : order_id(std::move(o)), customer(std::move(c)), type(std::move(t)) {}
  std::string order_id, customer, type;
  std::optional<std::string> metadata(std::string_view name) const override {
    if (name == "order_id" && !order_id.empty()) return order_id;
    if (name == "customer" && !customer.empty()) return customer;
    if (name == "type" && !type.empty()) return type;
    return std::nullopt;
  }
  std::vector<std::string> metadata_keys() const override {
    std::vector<std::string> out;
    for (const char* n : {"order_id", "customer", "type"})
      if (metadata(n)) out.emplace_back(n);
    return out;
  }
};

// Another user type: an IoT sensor reading, with a sparse map of tags.
struct Reading final : KeyExtractor {
  std::map<std::string, std::string> tags;
  std::optional<std::string> metadata(std::string_view name) const override {
    auto it = tags.find(std::string(name));
    return it == tags.end() ? std::nullopt : std::optional<std::string>(it->second);
  }
  std::vector<std::string> metadata_keys() const override {
    std::vector<std::string> out;
    for (const auto& [k, v] : tags) out.push_back(k);
    return out;
  }
};

std::string key_of(const KeyStrategy& s, const KeyExtractor& m) {
  auto k = s.key_for(m);
  return k ? k->str() : "<none>";
}

TEST(KeyExtractorTest, DefaultAllMetadataUsesKeysAndValues) {
  Reading r;
  r.tags = {{"device", "d1"}, {"site", "s9"}};
  EXPECT_EQ(r.all_metadata(), r.tags);
}

TEST(SingleFieldTest, KeysByValueWithOrWithoutPrefix) {
  OrderEvent e{"o-17", "c 4", "paid"};
  EXPECT_EQ(key_of(*SingleField::make("order_id").value(), e), "o-17");
  EXPECT_EQ(key_of(*SingleField::make("order_id", "order").value(), e), "order-o-17");
  EXPECT_EQ(key_of(*SingleField::make("customer").value(), e), "c%204");  // encoded, still valid
}

TEST(SingleFieldTest, NoKeyWhenFieldMissingOrEmpty) {
  OrderEvent e{"", "c", ""};
  EXPECT_EQ(key_of(*SingleField::make("order_id").value(), e), "<none>");
  Reading r;
  r.tags = {{"device", ""}};
  EXPECT_EQ(key_of(*SingleField::make("device").value(), r), "<none>");
}

TEST(SingleFieldTest, RejectsBadConfiguration) {
  auto empty = SingleField::make("");
  ASSERT_FALSE(empty.is_ok());
  EXPECT_NE(empty.error().find("empty field name"), std::string::npos);
  auto prefix = SingleField::make("order_id", "bad prefix");
  ASSERT_FALSE(prefix.is_ok());
  EXPECT_NE(prefix.error().find("prefix"), std::string::npos) << prefix.error();
  EXPECT_NE(prefix.error().find("space"), std::string::npos) << prefix.error();
}

TEST(CompositeTest, JoinsAllValues) {
  Reading r;
  r.tags = {{"site", "s9"}, {"device", "d1"}};
  EXPECT_EQ(key_of(*Composite::make({"site", "device"}).value(), r), "s9|d1");
  EXPECT_EQ(key_of(*Composite::make({"device", "site"}, "/").value(), r), "d1/s9");
}

TEST(CompositeTest, NoKeyWhenAnyFieldMissing) {
  Reading r;
  r.tags = {{"site", "s9"}};
  EXPECT_EQ(key_of(*Composite::make({"site", "device"}).value(), r), "<none>");
}

TEST(CompositeTest, RejectsBadConfiguration) {
  EXPECT_NE(Composite::make({}).error().find("no fields"), std::string::npos);
  EXPECT_NE(Composite::make({"a", ""}).error().find("field 1"), std::string::npos);
  EXPECT_NE(Composite::make({"a"}, "").error().find("separator"), std::string::npos);
  EXPECT_NE(Composite::make({"a"}, " ").error().find("separator"), std::string::npos);
}

TEST(NoOrderingTest, NeverGivesAKey) {
  OrderEvent e{"o", "c", "t"};
  EXPECT_EQ(key_of(*NoOrdering::make(), e), "<none>");
}

TEST(FallbackTest, FirstStrategyWithAKeyWins) {
  auto s = Fallback::make({SingleField::make("order_id", "o").value(),
                           SingleField::make("customer", "c").value()})
               .value();
  EXPECT_EQ(key_of(*s, OrderEvent{"1", "2", ""}), "o-1");
  EXPECT_EQ(key_of(*s, OrderEvent{"", "2", ""}), "c-2");
  EXPECT_EQ(key_of(*s, OrderEvent{}), "<none>");
}

TEST(FallbackTest, RejectsEmptyListAndNull) {
  EXPECT_NE(Fallback::make({}).error().find("no strategies"), std::string::npos);
  EXPECT_NE(Fallback::make({NoOrdering::make(), nullptr}).error().find("strategy 1"),
            std::string::npos);
}

TEST(TimePartitionedTest, RotatesTheKeyEveryPeriod) {
  auto clock = std::make_shared<ManualClock>(std::chrono::seconds(125));
  auto s =
      TimePartitioned::make(SingleField::make("customer").value(), std::chrono::minutes(1), clock)
          .value();
  OrderEvent e{"", "hot", ""};
  EXPECT_EQ(key_of(*s, e), "hot-p2");
  clock->advance(std::chrono::seconds(54));  // 179 s: still period 2
  EXPECT_EQ(key_of(*s, e), "hot-p2");
  clock->advance(std::chrono::seconds(1));
  EXPECT_EQ(key_of(*s, e), "hot-p3");
  EXPECT_EQ(key_of(*s, OrderEvent{}), "<none>");
}

TEST(TimePartitionedTest, RejectsBadConfiguration) {
  auto base = NoOrdering::make();
  EXPECT_NE(TimePartitioned::make(nullptr, std::chrono::seconds(1)).error().find("base"),
            std::string::npos);
  EXPECT_NE(TimePartitioned::make(base, Duration::zero()).error().find("period"),
            std::string::npos);
  EXPECT_NE(TimePartitioned::make(base, std::chrono::seconds(1), nullptr).error().find("clock"),
            std::string::npos);
}

// A user strategy through the same interface: route IoT readings by site, but alarms by device.
class AlarmAwareStrategy final : public KeyStrategy {
 public:
  std::optional<SessionKey> key_for(const KeyExtractor& m) const override {
    auto kind = m.metadata("kind");
    auto field = kind == "alarm" ? m.metadata("device") : m.metadata("site");
    if (!field) return std::nullopt;
    return SessionKey::encode(*field);
  }
};

TEST(UserStrategyTest, PlugsInLikeTheBuiltIns) {
  auto user = std::make_shared<AlarmAwareStrategy>();
  auto s = Fallback::make({user, SingleField::make("site").value()}).value();
  Reading alarm;
  alarm.tags = {{"kind", "alarm"}, {"device", "d7"}, {"site", "s1"}};
  Reading sample;
  sample.tags = {{"kind", "sample"}, {"device", "d7"}, {"site", "s1"}};
  EXPECT_EQ(key_of(*s, alarm), "d7");
  EXPECT_EQ(key_of(*s, sample), "s1");
}

TEST(FixStrategyTest, ClOrdIdAndSessionKeysOfAFixOrder) {
  codec::Encoder e;
  std::string bytes(e.begin("FIX.4.4", "D")
                        .field(tag::SenderCompID, "BUY")
                        .field(tag::ClOrdID, "ORD-9")
                        .field(tag::Account, "ACC1")
                        .finish());
  codec::Message msg;
  ASSERT_TRUE(msg.parse(bytes).ok());
  FieldNames names(std::unordered_map<std::string, Tag>{{"ClOrdID", 11}, {"Account", 1}});
  FixMessageKeys keys(msg, names, "FIX.4.4:BUY->SELL");
  EXPECT_EQ(key_of(*SingleField::make("ClOrdID").value(), keys), "ORD-9");
  EXPECT_EQ(key_of(*SingleField::make("11", "ord").value(), keys), "ord-ORD-9");
  EXPECT_EQ(key_of(*Composite::make({"SenderCompID", "Account"}, ":").value(), keys), "BUY:ACC1");
  EXPECT_EQ(key_of(*SingleField::make("session").value(), keys), "FIX.4.4:BUY->SELL");
}

// Property: every strategy gives the same key for the same message, also when many threads
// share the strategy at once.
TEST(StrategyPropertyTest, KeysAreDeterministicAcrossCallsAndThreads) {
  auto clock = std::make_shared<ManualClock>(std::chrono::hours(1));
  std::vector<StrategyPtr> strategies = {
      SingleField::make("a").value(),
      SingleField::make("b", "pre").value(),
      Composite::make({"a", "b", "c"}, "+").value(),
      NoOrdering::make(),
      Fallback::make({SingleField::make("c").value(), SingleField::make("a").value()}).value(),
      TimePartitioned::make(SingleField::make("a").value(), std::chrono::seconds(10), clock)
          .value(),
  };
  std::mt19937 rng(7);
  std::vector<Reading> readings(500);
  for (Reading& r : readings) {
    for (const char* name : {"a", "b", "c"}) {
      if (rng() % 4 == 0) continue;  // sometimes missing
      std::string v(rng() % 12, '\0');
      for (char& c : v) c = static_cast<char>(rng() % 256);  // any bytes, spaces, SOH …
      r.tags[name] = v;
    }
  }
  std::vector<std::string> expected;
  for (const auto& s : strategies)
    for (const Reading& r : readings) expected.push_back(key_of(*s, r));

  std::vector<std::vector<std::string>> seen(4);
  std::vector<std::thread> threads;
  for (auto& out : seen) {
    threads.emplace_back([&] {
      for (const auto& s : strategies)
        for (const Reading& r : readings) out.push_back(key_of(*s, r));
    });
  }
  for (auto& t : threads) t.join();
  for (const auto& out : seen) EXPECT_EQ(out, expected);
  for (const std::string& k : expected) {
    if (k != "<none>") {
      ASSERT_TRUE(SessionKey::validate(k).is_ok()) << k;
    }
  }
}

}  // namespace
}  // namespace fixgate::ordering
