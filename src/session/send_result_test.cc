#include "fixgate/session/send_result.h"

#include <gtest/gtest.h>

namespace fixgate::session {
namespace {

TEST(SendResultTest, SentIsOkWithNoText) {
  SendResult r = SendResult::sent();
  EXPECT_TRUE(r.is_ok());
  EXPECT_TRUE(r);
  EXPECT_EQ(r.code(), SendCode::kSent);
  EXPECT_TRUE(r.message().empty());
  Status s = r;
  EXPECT_TRUE(s.is_ok());
}

TEST(SendResultTest, AFailureKeepsItsCodeAndText) {
  SendResult r = SendResult::failed(SendCode::kVetoed, "vetoed by to_app");
  EXPECT_FALSE(r.is_ok());
  EXPECT_FALSE(r);
  EXPECT_EQ(r.code(), SendCode::kVetoed);
  EXPECT_EQ(r.message(), "vetoed by to_app");
  Status copied = r;  // from an lvalue: the result keeps its text
  EXPECT_FALSE(copied.is_ok());
  EXPECT_EQ(copied.message(), "vetoed by to_app");
  EXPECT_EQ(r.message(), "vetoed by to_app");
  Status moved = std::move(r);
  EXPECT_EQ(moved.message(), "vetoed by to_app");
}

TEST(SendResultTest, AFailureWithoutATextDescribesItsCode) {
  for (SendCode c : {SendCode::kNotLoggedOn, SendCode::kVetoed, SendCode::kBackPressured,
                     SendCode::kStoreFailed, SendCode::kRefused}) {
    SendResult r = SendResult::failed(c);
    EXPECT_FALSE(r.message().empty()) << to_string(c);
    Status s = SendResult::failed(c);
    EXPECT_EQ(s.message(), r.message());
  }
  EXPECT_NE(SendResult::failed(SendCode::kBackPressured).message().find("high-water"),
            std::string::npos);
  EXPECT_EQ(to_string(SendCode::kBackPressured), "back-pressured");
}

}  // namespace
}  // namespace fixgate::session
