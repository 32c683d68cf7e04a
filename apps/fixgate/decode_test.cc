#include "decode.h"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "fixgate/codec/encoder.h"
#include "fixgate/engine/file_log.h"

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
  std::string expect =
      "offset " + std::to_string(5 + good.size()) + ": garbled message: wrong CheckSum";
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
  std::string cmd = std::string(FIXGATE_CLI_PATH) + " decode --compact --dict " + FIXGATE_DICT_DIR +
                    "/FIX44.xml " + path;
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  int rc = pclose(p);
  EXPECT_EQ(rc, 0);
  EXPECT_NE(output.find("MsgType=D(ORDER_SINGLE) | SenderCompID=CLIENT"), std::string::npos)
      << output;
}

TEST(DecodeTest, CommandLineToolFailsClearlyOnMissingDictionary) {
  std::string cmd =
      std::string(FIXGATE_CLI_PATH) + " decode --dict /nonexistent.xml - </dev/null 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[1024];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  EXPECT_NE(pclose(p), 0);
  EXPECT_NE(output.find("/nonexistent.xml: cannot open dictionary file"), std::string::npos)
      << output;
}

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// A message log as fixgated writes it, through the engine's own FileLog.
std::string fixgated_log(const std::vector<std::string>& messages) {
  const std::string dir = testing::TempDir() + "/decode_fixgated_log";
  std::filesystem::remove_all(dir);
  auto log = engine::FileLog::open(
      dir, {.begin_string = "FIX.4.4", .sender_comp_id = "CLIENT", .target_comp_id = "BROKER"});
  EXPECT_TRUE(log) << log.error();
  if (!log) return {};
  // 2026-11-22 12:00:00 UTC, one millisecond apart.
  const std::chrono::nanoseconds t0(std::chrono::seconds(1795348800));
  for (size_t i = 0; i < messages.size(); ++i)
    (*log)->message(messages[i], t0 + std::chrono::milliseconds(i));
  (*log)->flush();
  return read_file((*log)->messages_path());
}

TEST(DecodeTest, ReadsFixgatedMessageLog) {
  std::string log = fixgated_log({order(), order("2")});
  ASSERT_EQ(log.substr(0, 27), "20261122-12:00:00.000000 : ") << log;
  std::ostringstream out, err;
  EXPECT_EQ(decode(log, {.dictionary = fix44()}, out, err), 0) << err.str();
  EXPECT_EQ(err.str(), "");
  EXPECT_NE(out.str().find("# offset 27 at 20261122-12:00:00.000000: D (NewOrderSingle)"),
            std::string::npos)
      << out.str();
  EXPECT_NE(out.str().find(" at 20261122-12:00:00.001000: D"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("Side (54) = 2 (SELL)"), std::string::npos) << out.str();
}

TEST(DecodeTest, ReadsQuickFixMessageLogWithAndWithoutMilliseconds) {
  // QuickFIX's FileLog: "YYYYMMDD-HH:MM:SS.sss : " (MillisecondsInTimeStamp=Y) or no fraction.
  std::string log =
      "20261207-14:08:20.123 : " + order() + "\n" + "20261207-14:08:21 : " + order("2") + "\n";
  std::ostringstream out, err;
  EXPECT_EQ(decode(log, {.dictionary = fix44(), .json = true}, out, err), 0) << err.str();
  std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '\n'), 2) << s;
  EXPECT_NE(s.find(R"("time":"20261207-14:08:20.123")"), std::string::npos) << s;
  EXPECT_NE(s.find(R"("time":"20261207-14:08:21")"), std::string::npos) << s;
  std::ostringstream compact, err2;
  EXPECT_EQ(decode(log, {.dictionary = fix44(), .compact = true}, compact, err2), 0);
  EXPECT_EQ(compact.str().rfind("20261207-14:08:20.123 : BeginString=FIX.4.4", 0), 0u)
      << compact.str();
}

TEST(DecodeTest, BadCheckSumShowsExpectedAndFound) {
  std::string good = order();
  std::string bad = good;
  const std::string right = good.substr(good.size() - 4, 3);
  const std::string wrong = right == "000" ? "001" : "000";
  bad.replace(bad.size() - 4, 3, wrong);
  std::ostringstream out, err;
  EXPECT_EQ(decode(fixgated_log({good, bad, good}), {.dictionary = fix44()}, out, err), 1);
  EXPECT_NE(err.str().find("garbled message: wrong CheckSum (10): " + right + " expected, " +
                           wrong + " found"),
            std::string::npos)
      << err.str();
  std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '#'), 2) << "both good messages still decoded: " << s;
}

// The message with its BodyLength (9) changed by `delta`, and the BodyLength it had.
std::pair<std::string, int> with_body_length(const std::string& m, int delta) {
  const size_t at = m.find(
                        "\x01"
                        "9=") +
                    3;
  const size_t end = m.find('\x01', at);
  const int length = std::stoi(m.substr(at, end - at));
  return {m.substr(0, at) + std::to_string(length + delta) + m.substr(end), length};
}

TEST(DecodeTest, BadBodyLengthShowsDeclaredAndExpected) {
  std::string good = order();
  auto [shorter, length] = with_body_length(good, -2);
  std::string longer = with_body_length(good, 5).first;
  std::ostringstream out, err;
  // Too short in the middle of the log, too long at its end (nothing left to wait for).
  std::string log = fixgated_log({good, shorter, good, longer});
  EXPECT_EQ(decode(log, {.dictionary = fix44()}, out, err), 1);
  for (int declared : {length - 2, length + 5})
    EXPECT_NE(err.str().find("BodyLength (9) " + std::to_string(declared) + " declared, " +
                             std::to_string(length) + " expected"),
              std::string::npos)
        << err.str();
  std::string s = out.str();
  EXPECT_EQ(std::count(s.begin(), s.end(), '#'), 2) << "both good messages still decoded: " << s;
}

TEST(DecodeTest, CommandLineToolExitsZeroOnAFixgatedLog) {
  const std::string path = testing::TempDir() + "/decode_cli_log.txt";
  std::ofstream(path, std::ios::binary) << fixgated_log({order(), order("2")});
  std::string cmd = std::string(FIXGATE_CLI_PATH) + " decode --compact " + path + " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  ASSERT_NE(p, nullptr);
  std::string output;
  char buf[4096];
  while (size_t n = fread(buf, 1, sizeof buf, p)) output.append(buf, n);
  EXPECT_EQ(pclose(p), 0) << output;
  EXPECT_EQ(std::count(output.begin(), output.end(), '\n'), 2) << output;
  EXPECT_NE(output.find("20261122-12:00:00.001000 : BeginString=FIX.4.4"), std::string::npos)
      << output;
}

}  // namespace
}  // namespace fixgate::cli
