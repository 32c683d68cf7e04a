#include "decode.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <fstream>
#include <sstream>

#include "fixgate/codec/encoder.h"

namespace fixgate::cli {
namespace {

std::string order(std::string_view side = "1") {
  codec::Encoder e;
  e.begin("FIX.4.4", "D")
      .field(49, "CLIENT")
      .field(56, "BROKER")
      .field(34, 7)
      .field(52, "20261122-12:00:00.000")
      .field(11, "ORD-1")
      .field(55, "IBM")
      .field(54, side)
      .field(60, "20261122-12:00:00.000")
      .field(38, 100)
      .field(40, '2')
      .field(44, "12.50");
  return std::string(e.finish());
}

std::string piped(std::string s) {
  for (char& c : s)
    if (c == '\x01') c = '|';
  return s;
}

dict::Dictionary::Ptr fix44() {
  auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/FIX44.xml");
  EXPECT_TRUE(d) << d.error();
  return *d;
}

TEST(DecodeTest, PrintsFieldAndEnumNamesFromDictionary) {
  std::ostringstream out, err;
  DecodeOptions opt{.dictionary = fix44()};
  EXPECT_EQ(decode(order(), opt, out, err), 0) << err.str();
  EXPECT_NE(out.str().find("# offset 0: D (NewOrderSingle)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Side (54) = 1 (BUY)"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("ClOrdID (11) = ORD-1"), std::string::npos);
  EXPECT_EQ(err.str(), "");
}

TEST(DecodeTest, AcceptsPipeAndCaretASeparatedLines) {
  std::string m = order();
  std::string caret;
  for (char c : m) caret += c == '\x01' ? std::string("^A") : std::string(1, c);
  std::string input = piped(m) + "\n" + caret + "\r\n";
  std::ostringstream out, err;
  EXPECT_EQ(decode(input, {.dictionary = fix44(), .compact = true}, out, err), 0) << err.str();
  std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2) << s;
  EXPECT_NE(s.find("MsgType=D(ORDER_SINGLE) | SenderCompID=CLIENT"), std::string::npos) << s;
  EXPECT_NE(s.find("Side=1(BUY)"), std::string::npos) << s;
}

TEST(DecodeTest, WithoutDictionaryNamesHeaderFieldsFromBuiltinTable) {
  std::ostringstream out, err;
  EXPECT_EQ(decode(order(), {}, out, err), 0);
  EXPECT_NE(out.str().find("SenderCompID (49) = CLIENT"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("55 = IBM"), std::string::npos) << out.str();
}

TEST(DecodeTest, JsonLinesCarryTagNameValueAndEnum) {
  std::ostringstream out, err;
  EXPECT_EQ(decode(order() + order("2"), {.dictionary = fix44(), .json = true}, out, err), 0);
  std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2);
  EXPECT_NE(s.find(R"({"enum":"BUY","name":"Side","tag":54,"value":"1"})"), std::string::npos) << s;
  EXPECT_NE(s.find(R"("enum":"SELL")"), std::string::npos);
  EXPECT_NE(s.find(R"("msg_name":"NewOrderSingle")"), std::string::npos);
}

TEST(DecodeTest, GarbageAndBadChecksumAreReportedWithTheirOffset) {
  std::string good = order();
  std::string bad = order();
  bad[bad.size() - 2] = bad[bad.size() - 2] == '0' ? '1' : '0';  // corrupt the checksum
  std::string input = "junk!" + good + bad + good;
  std::ostringstream out, err;
  EXPECT_EQ(decode(input, {.dictionary = fix44()}, out, err), 1);
  EXPECT_NE(err.str().find("offset 0: skipped 5 bytes"), std::string::npos) << err.str();
  std::string expect = "offset " + std::to_string(5 + good.size()) + ": garbled message: wrong CheckSum";
  EXPECT_NE(err.str().find(expect), std::string::npos) << err.str();
  // Both good messages are still printed.
  std::string s = out.str();
  size_t count = 0;
  for (size_t p = 0; (p = s.find("(NewOrderSingle)", p)) != std::string::npos; ++p) ++count;
  EXPECT_EQ(count, 2u);
}

TEST(DecodeTest, OffsetsReferToTheOriginalCaretAText) {
  std::string m = order();
  std::string caret;
  for (char c : m) caret += c == '\x01' ? std::string("^A") : std::string(1, c);
  std::ostringstream out, err;
  EXPECT_EQ(decode(caret + "8=FIX.4.4^A9=5", {}, out, err), 1);
  EXPECT_NE(err.str().find("offset " + std::to_string(caret.size()) + ": incomplete message"),
            std::string::npos)
      << err.str();
}

TEST(DecodeTest, ValidateReportsRejectReason) {
  std::string m = order("Z");  // 'Z' is not a Side
  std::ostringstream out, err;
  EXPECT_EQ(decode(m, {.dictionary = fix44(), .validate = true}, out, err), 0);
  EXPECT_NE(out.str().find("# reject: Value is incorrect (out of range) for this tag, field=54"),
            std::string::npos)
      << out.str();
}

TEST(DecodeTest, CommandLineToolDecodesAFile) {
  std::string path = testing::TempDir() + "/decode_cli_input.txt";
  std::ofstream(path) << piped(order()) << "\n";
  std::string cmd = std::string(FIXGATE_CLI_PATH) + " decode --compact --dict " +
                    FIXGATE_DICT_DIR + "/FIX44.xml " + path;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(output.find("MsgType=D(ORDER_SINGLE) | SenderCompID=CLIENT"), std::string::npos) << output;
}

TEST(DecodeTest, CommandLineToolFailsClearlyOnMissingDictionary) {
  std::string cmd = std::string(FIXGATE_CLI_PATH) + " decode --dict /nonexistent.xml - </dev/null 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[1024];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  EXPECT_NE(pclose(p), 0);
  EXPECT_NE(output.find("/nonexistent.xml: cannot open dictionary file"), std::string::npos) << output;
}

}  // namespace
}  // namespace fixgate::cli
