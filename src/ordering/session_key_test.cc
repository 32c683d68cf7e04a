// SessionKey: every validation rule with its message, and the total, deterministic encode().
#include "fixgate/ordering/session_key.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <unordered_set>

namespace fixgate::ordering {
namespace {

TEST(SessionKeyTest, AcceptsPrintableAsciiUpToMaximumLength) {
  auto k = SessionKey::make("ORD-42/acc:7");
  ASSERT_TRUE(k.is_ok()) << k.error();
  EXPECT_EQ(k->str(), "ORD-42/acc:7");
  std::string all;
  for (char c = '!'; c <= '~'; ++c) all.push_back(c);
  EXPECT_TRUE(SessionKey::make(all).is_ok());
  EXPECT_TRUE(SessionKey::make(std::string(SessionKey::kMaxLength, 'x')).is_ok());
}

TEST(SessionKeyTest, RejectsEmpty) {
  auto k = SessionKey::make("");
  ASSERT_FALSE(k.is_ok());
  EXPECT_NE(k.error().find("empty"), std::string::npos) << k.error();
}

TEST(SessionKeyTest, RejectsTooLongAndSaysHowLong) {
  auto k = SessionKey::make(std::string(129, 'x'));
  ASSERT_FALSE(k.is_ok());
  EXPECT_NE(k.error().find("129"), std::string::npos) << k.error();
  EXPECT_NE(k.error().find("128"), std::string::npos) << k.error();
}

TEST(SessionKeyTest, RejectsSpaceAndSaysWhere) {
  auto k = SessionKey::make("ab c");
  ASSERT_FALSE(k.is_ok());
  EXPECT_NE(k.error().find("space"), std::string::npos) << k.error();
  EXPECT_NE(k.error().find("position 2"), std::string::npos) << k.error();
}

TEST(SessionKeyTest, RejectsControlCharacters) {
  for (char c : {'\x01', '\t', '\n', '\x1f', '\x7f'}) {
    auto k = SessionKey::make(std::string("a") + c);
    ASSERT_FALSE(k.is_ok()) << int(c);
    EXPECT_NE(k.error().find("control character"), std::string::npos) << k.error();
  }
  EXPECT_FALSE(SessionKey::make(std::string("a\0b", 3)).is_ok());
}

TEST(SessionKeyTest, RejectsNonAscii) {
  auto k = SessionKey::make("caf\xc3\xa9");
  ASSERT_FALSE(k.is_ok());
  EXPECT_NE(k.error().find("non-ASCII"), std::string::npos) << k.error();
  EXPECT_NE(k.error().find("0xC3"), std::string::npos) << k.error();
}

TEST(SessionKeyTest, EncodeKeepsValidTextAsItIs) {
  EXPECT_EQ(SessionKey::encode("ORD-1").str(), "ORD-1");
}

TEST(SessionKeyTest, EncodeEscapesInvalidBytesAndPercent) {
  EXPECT_EQ(SessionKey::encode("a b").str(), "a%20b");
  EXPECT_EQ(SessionKey::encode("50%").str(), "50%25");
  EXPECT_EQ(SessionKey::encode(std::string("x\x01y", 3)).str(), "x%01y");
  EXPECT_EQ(SessionKey::encode("").str(), "%");
}

TEST(SessionKeyTest, EncodeShortensLongTextWithAHashOfTheWhole) {
  std::string a(300, 'a');
  std::string b = a;
  b.back() = 'b';  // differs only beyond the kept prefix
  SessionKey ka = SessionKey::encode(a);
  SessionKey kb = SessionKey::encode(b);
  EXPECT_EQ(ka.str().size(), SessionKey::kMaxLength);
  EXPECT_EQ(ka.str().substr(0, 111), a.substr(0, 111));
  EXPECT_EQ(ka.str()[111], '~');
  EXPECT_NE(ka, kb);
  EXPECT_EQ(ka, SessionKey::encode(a));
}

// Property: for any bytes, encode() gives a valid key, the same one every time, and distinct
// short inputs give distinct keys (escaping is injective below the length limit).
TEST(SessionKeyTest, EncodeIsValidDeterministicAndInjectiveForRandomBytes) {
  std::mt19937 rng(20240605);
  std::unordered_set<std::string> inputs;
  std::unordered_set<std::string> keys;
  for (int i = 0; i < 5000; ++i) {
    std::string s(rng() % 40, '\0');
    for (char& c : s) c = static_cast<char>(rng() % 256);
    SessionKey k = SessionKey::encode(s);
    ASSERT_TRUE(SessionKey::validate(k.str()).is_ok()) << k.str();
    ASSERT_EQ(k, SessionKey::encode(s));
    if (inputs.insert(s).second) {
      ASSERT_TRUE(keys.insert(k.str()).second) << k.str();
    }
  }
}

TEST(SessionKeyTest, HashesAndComparesByText) {
  auto a = SessionKey::make("A").value();
  auto b = SessionKey::make("B").value();
  EXPECT_LT(a, b);
  EXPECT_EQ(std::hash<SessionKey>()(a), std::hash<SessionKey>()(SessionKey::make("A").value()));
}

}  // namespace
}  // namespace fixgate::ordering
