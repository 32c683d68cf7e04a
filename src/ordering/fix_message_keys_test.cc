// FixMessageKeys: tag numbers, header names, caller-supplied names, "session", and listings.
#include "fixgate/ordering/fix_message_keys.h"

#include <gtest/gtest.h>

#include <string>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/tags.h"

namespace fixgate::ordering {
namespace {

// One NewOrderSingle with a repeating group (two PartyIDs), parsed into `msg`.
class FixMessageKeysTest : public ::testing::Test {
 protected:
  void SetUp() override {
    codec::Encoder e;
    e.begin("FIX.4.4", "D")
        .field(tag::SenderCompID, "BUY")
        .field(tag::TargetCompID, "SELL")
        .field(tag::MsgSeqNum, 7)
        .field(tag::ClOrdID, "ORD-1")
        .field(tag::Symbol, "IBM")
        .field(tag::NoPartyIDs, 2)
        .field(tag::PartyID, "P1")
        .field(tag::PartyID, "P2");
    bytes_ = std::string(e.finish());
    ASSERT_TRUE(msg_.parse(bytes_).ok());
  }
  std::string bytes_;
  codec::Message msg_;
  FieldNames names_{std::unordered_map<std::string, Tag>{{"ClOrdID", 11}, {"Symbol", 55}}};
};

TEST_F(FixMessageKeysTest, ReadsTagNumbers) {
  FixMessageKeys keys(msg_, names_);
  EXPECT_EQ(keys.metadata("11"), "ORD-1");
  EXPECT_EQ(keys.metadata("35"), "D");
  EXPECT_EQ(keys.metadata("58"), std::nullopt);
  EXPECT_EQ(keys.metadata("011"), std::nullopt);  // not a tag: leading zero
  EXPECT_EQ(keys.metadata("1x"), std::nullopt);
}

TEST_F(FixMessageKeysTest, ReadsHeaderNamesWithoutADictionary) {
  FieldNames none;
  FixMessageKeys keys(msg_, none);
  EXPECT_EQ(keys.metadata("SenderCompID"), "BUY");
  EXPECT_EQ(keys.metadata("TargetCompID"), "SELL");
  EXPECT_EQ(keys.metadata("MsgType"), "D");
  EXPECT_EQ(keys.metadata("MsgSeqNum"), "7");
  EXPECT_EQ(keys.metadata("ClOrdID"), std::nullopt);  // body names need the caller's names
}

TEST_F(FixMessageKeysTest, ReadsFieldNamesFromAMap) {
  FixMessageKeys keys(msg_, names_);
  EXPECT_EQ(keys.metadata("ClOrdID"), "ORD-1");
  EXPECT_EQ(keys.metadata("Symbol"), "IBM");
  EXPECT_EQ(keys.metadata("Account"), std::nullopt);
}

TEST_F(FixMessageKeysTest, ReadsFieldNamesFromAResolver) {
  FieldNames resolver([](std::string_view name) -> std::optional<Tag> {
    if (name == "PartyID") return tag::PartyID;
    return std::nullopt;
  });
  FixMessageKeys keys(msg_, resolver);
  EXPECT_EQ(keys.metadata("PartyID"), "P1");  // the first occurrence in a group
  EXPECT_EQ(keys.metadata("Nope"), std::nullopt);
}

TEST_F(FixMessageKeysTest, ReadsSessionIdOnlyWhenGiven) {
  EXPECT_EQ(FixMessageKeys(msg_, names_).metadata("session"), std::nullopt);
  EXPECT_EQ(FixMessageKeys(msg_, names_, "FIX.4.4:BUY->SELL").metadata("session"),
            "FIX.4.4:BUY->SELL");
}

TEST_F(FixMessageKeysTest, ListsSessionHeaderNamesAndTagNumbersOnce) {
  FixMessageKeys keys(msg_, names_, "S1");
  std::vector<std::string> expected = {"session",      "BeginString",  "BodyLength", "MsgType",
                                       "SenderCompID", "TargetCompID", "MsgSeqNum",  "11",
                                       "55",           "453",          "448",        "CheckSum"};
  EXPECT_EQ(keys.metadata_keys(), expected);
}

TEST_F(FixMessageKeysTest, AllMetadataIsBuiltFromTheListing) {
  FixMessageKeys keys(msg_, names_, "S1");
  auto all = keys.all_metadata();
  EXPECT_EQ(all.size(), 12u);
  EXPECT_EQ(all.at("session"), "S1");
  EXPECT_EQ(all.at("11"), "ORD-1");
  EXPECT_EQ(all.at("448"), "P1");
  EXPECT_EQ(all.at("MsgType"), "D");
}

TEST(FieldNamesTest, HeaderNamesComeFirstAndMapBothWays) {
  FieldNames names(std::unordered_map<std::string, Tag>{{"MsgType", 999}});
  EXPECT_EQ(names.tag_of("MsgType"), tag::MsgType);
  EXPECT_EQ(FieldNames::header_name_of(tag::SenderCompID), "SenderCompID");
  EXPECT_EQ(FieldNames::header_name_of(tag::ClOrdID), "");
}

}  // namespace
}  // namespace fixgate::ordering
