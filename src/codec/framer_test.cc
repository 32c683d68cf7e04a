// Tests for next_frame and FrameReader: complete, split, garbled and garbage-surrounded streams.
// Test messages are built here with their own BodyLength and CheckSum arithmetic, so the framer
// is checked against an independent reference. In literals, '|' stands for SOH.
#include "fixgate/codec/framer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace fixgate::codec {
namespace {

std::string soh(std::string_view s) {
  std::string out(s);
  std::replace(out.begin(), out.end(), '|', '\x01');
  return out;
}

std::string three_digits(unsigned v) {
  std::string s = std::to_string(v % 1000);
  return std::string(3 - s.size(), '0') + s;
}

unsigned byte_sum(std::string_view s) {
  unsigned sum = 0;
  for (char c : s) sum += static_cast<unsigned char>(c);
  return sum % 256;
}

// 8=<begin>|9=<len>|<body>10=<sum>|. `body` starts with "35=" and ends with '|'; '|' becomes
// SOH. BodyLength and CheckSum are right unless overridden.
std::string make_message(std::string_view begin_string, std::string_view body,
                         std::optional<size_t> body_length = std::nullopt,
                         std::optional<unsigned> check_sum = std::nullopt) {
  std::string b = soh(body);
  std::string head = "8=" + std::string(begin_string) + "\x01" +
                     "9=" + std::to_string(body_length.value_or(b.size())) + "\x01";
  std::string msg = head + b;
  return msg + "10=" + three_digits(check_sum.value_or(byte_sum(msg))) + "\x01";
}

const std::string kHeartbeat = make_message("FIX.4.4", "35=0|49=SENDER|56=TARGET|34=1|");
const std::string kOrder =
    make_message("FIX.4.4", "35=D|49=SENDER|56=TARGET|34=2|11=ORD1|55=IBM|54=1|38=100|");
const std::string kLogout = make_message("FIX.4.2", "35=5|49=SENDER|56=TARGET|34=3|58=bye|");

// A message whose RawData holds SOH, '=', a CheckSum look-alike and a BeginString look-alike.
std::string message_with_raw_data() {
  const std::string raw =
      "a\x01"
      "10=123\x01"
      "8=FIX.4.4\x01"
      "9=5\x01"
      "=z";
  return make_message("FIX.4.4",
                      "35=D|95=" + std::to_string(raw.size()) + "|96=" + raw + "|55=IBM|");
}

struct Drained {
  std::vector<std::string> messages;
  std::vector<FrameError> errors;
  size_t discarded = 0;  // bytes reported in Frame::discarded
  size_t garbled = 0;    // bytes of kGarbled frames
  size_t left_over = 0;  // bytes not consumed when the framer asked for more
};

// Runs next_frame over `input` until it asks for more.
Drained drain(std::string_view input, const FramerOptions& options = {}) {
  Drained d;
  for (;;) {
    Frame f = next_frame(input, options);
    d.discarded += f.discarded;
    if (f.status == FrameStatus::kNeedMore) {
      d.left_over = input.size() - f.discarded;
      return d;
    }
    if (f.status == FrameStatus::kMessage) {
      EXPECT_EQ(f.error, FrameError::kNone);
      d.messages.emplace_back(f.bytes);
    } else {
      d.errors.push_back(f.error);
      d.garbled += f.bytes.size();
    }
    EXPECT_GT(f.consumed(), 0u) << "the framer must make progress";
    if (f.consumed() == 0) return d;
    input.remove_prefix(f.consumed());
  }
}

// Pulls every frame the reader has; returns the messages and counts garbled frames.
std::vector<std::string> pull(FrameReader& reader, std::vector<FrameError>* errors = nullptr) {
  std::vector<std::string> out;
  for (;;) {
    Frame f = reader.next();
    if (f.status == FrameStatus::kNeedMore) return out;
    if (f.status == FrameStatus::kMessage) out.emplace_back(f.bytes);
    if (f.status == FrameStatus::kGarbled && errors) errors->push_back(f.error);
  }
}

// --- next_frame: good input ---------------------------------------------------------------

TEST(FramerTest, FramesCompleteMessage) {
  Frame f = next_frame(kHeartbeat);
  EXPECT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.error, FrameError::kNone);
  EXPECT_EQ(f.discarded, 0u);
  EXPECT_EQ(f.bytes, kHeartbeat);
  EXPECT_EQ(f.bytes.data(), kHeartbeat.data()) << "the frame is a view, not a copy";
  EXPECT_EQ(f.consumed(), kHeartbeat.size());
}

TEST(FramerTest, FramesKnownWireMessage) {
  // Written out by hand: BodyLength 63 and CheckSum 173 are independent of make_message.
  const std::string wire =
      soh("8=FIX.4.2|9=63|35=A|34=1|49=SERVER|52=20220101-00:00:00|56=CLIENT|98=0|108=30|10=173|");
  Frame f = next_frame(wire);
  EXPECT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, wire);
}

TEST(FramerTest, FramesFixt11BeginString) {
  const std::string msg = make_message("FIXT.1.1", "35=A|49=S|56=T|34=1|98=0|108=30|1137=9|");
  Frame f = next_frame(msg);
  EXPECT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, msg);
}

TEST(FramerTest, FramesSeveralMessagesInOneBuffer) {
  Drained d = drain(kHeartbeat + kOrder + kLogout);
  EXPECT_EQ(d.messages, (std::vector<std::string>{kHeartbeat, kOrder, kLogout}));
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.discarded, 0u);
  EXPECT_EQ(d.left_over, 0u);
}

TEST(FramerTest, FrameStopsAtEndOfFirstMessage) {
  const std::string two = kOrder + kHeartbeat;
  Frame f = next_frame(two);
  ASSERT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, kOrder);
  EXPECT_EQ(f.consumed(), kOrder.size());
}

TEST(FramerTest, EmptyInputNeedsMore) {
  Frame f = next_frame("");
  EXPECT_EQ(f.status, FrameStatus::kNeedMore);
  EXPECT_EQ(f.discarded, 0u);
  EXPECT_TRUE(f.bytes.empty());
}

TEST(FramerTest, EveryProperPrefixNeedsMoreAndDiscardsNothing) {
  for (const std::string& msg :
       {kHeartbeat, message_with_raw_data(), make_message("FIXT.1.1", "35=A|98=0|108=30|")}) {
    for (size_t len = 0; len < msg.size(); ++len) {
      Frame f = next_frame(std::string_view(msg).substr(0, len));
      ASSERT_EQ(f.status, FrameStatus::kNeedMore) << "prefix of " << len << " bytes";
      ASSERT_EQ(f.discarded, 0u) << "prefix of " << len << " bytes";
    }
  }
}

// --- data fields --------------------------------------------------------------------------

TEST(FramerTest, DataFieldWithSohAndTrailerLookalikeIsFramedByBodyLength) {
  const std::string msg = message_with_raw_data();
  Drained d = drain(msg + kHeartbeat);
  EXPECT_EQ(d.messages, (std::vector<std::string>{msg, kHeartbeat}));
  EXPECT_TRUE(d.errors.empty());
}

// --- garbage and resynchronisation --------------------------------------------------------

TEST(FramerTest, SkipsGarbageBeforeMessageAndReportsIt) {
  const std::string garbage = soh("junk|9=12|10=000|\x7f\x80");
  const std::string input = garbage + kHeartbeat;
  Frame f = next_frame(input);
  ASSERT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.discarded, garbage.size());
  EXPECT_EQ(f.bytes, kHeartbeat);
  EXPECT_EQ(f.consumed(), garbage.size() + kHeartbeat.size());
}

TEST(FramerTest, GarbageOnlyIsDiscardedEntirely) {
  const std::string garbage = "no message here at all, just noise";
  Frame f = next_frame(garbage);
  EXPECT_EQ(f.status, FrameStatus::kNeedMore);
  EXPECT_EQ(f.discarded, garbage.size());
}

TEST(FramerTest, GarbageAfterLastMessageIsDiscarded) {
  const std::string garbage = "trailing noise";
  Drained d = drain(kHeartbeat + garbage);
  EXPECT_EQ(d.messages, std::vector<std::string>{kHeartbeat});
  EXPECT_EQ(d.discarded, garbage.size());
  EXPECT_EQ(d.left_over, 0u);
}

TEST(FramerTest, ResyncsAfterGarbageWithoutLosingNextMessage) {
  // Noise, broken headers and look-alikes of a message start: each is followed by two good
  // messages, and both must come out, with exactly the garbage reported as dropped.
  const std::vector<std::string> garbage = {
      "hello",
      soh("||"),
      "8",
      "8=",
      "8=F",
      "8=FIX",
      "88=FIX",
      "8=FIXME ",
      "8=FIX.4.4",
      soh("8=FIX.4.4|"),
      soh("8=FIX.4.4|9="),
      soh("8=FIX.4.4|9=12"),
      soh("8=FIX.4.4|9=12|"),
      soh("8=FIX.4.4|9=12|35=D|"),
      soh("8=FIX.4.4|9=x|"),
      soh("8=FIX.4.4|9=|"),
      soh("8=FIX.4.4|35=0|"),
      soh("10=123|"),
      kHeartbeat.substr(0, kHeartbeat.size() - 1),  // a message cut one byte short
  };
  for (const std::string& g : garbage) {
    SCOPED_TRACE("garbage: " + g);
    Drained d = drain(g + kOrder + kHeartbeat);
    EXPECT_EQ(d.messages, (std::vector<std::string>{kOrder, kHeartbeat}));
    EXPECT_EQ(d.discarded + d.garbled, g.size());
    EXPECT_EQ(d.left_over, 0u);
  }
}

TEST(FramerTest, GarbageBetweenMessagesIsDroppedAndBothMessagesSurvive) {
  const std::string garbage = soh("\x01\x02garbage 8=FIX broken|9=zz|");
  Drained d = drain(kHeartbeat + garbage + kOrder);
  EXPECT_EQ(d.messages, (std::vector<std::string>{kHeartbeat, kOrder}));
  EXPECT_EQ(d.discarded + d.garbled, garbage.size());
}

TEST(FramerTest, KeepsPartialStartPrefixAtBufferEnd) {
  for (std::string_view prefix : {"8", "8=", "8=F", "8=FI"}) {
    const std::string input = "garbage" + std::string(prefix);
    Frame f = next_frame(input);
    EXPECT_EQ(f.status, FrameStatus::kNeedMore) << prefix;
    EXPECT_EQ(f.discarded, 7u) << "only the garbage is dropped, the prefix " << prefix
                               << " is kept";
  }
}

TEST(FramerTest, ReaderCompletesMessageWhosePrefixArrivedAfterGarbage) {
  FrameReader reader;
  reader.append("garbage" + kHeartbeat.substr(0, 4));  // "8=FI"
  Frame f = reader.next();
  EXPECT_EQ(f.status, FrameStatus::kNeedMore);
  EXPECT_EQ(f.discarded, 7u);
  EXPECT_EQ(reader.buffered(), 4u);
  reader.append(kHeartbeat.substr(4));
  f = reader.next();
  ASSERT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, kHeartbeat);
  EXPECT_EQ(reader.discarded_bytes(), 7u);
}

TEST(FramerTest, BeginStringWithoutSohWithinLimitIsBadBeginString) {
  const std::string bad = "8=FIX.4.4.this.is.far.too.long";
  const std::string input = bad + kHeartbeat;
  Frame f = next_frame(input);
  ASSERT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kBadBeginString);
  EXPECT_EQ(f.bytes, bad);
  EXPECT_EQ(next_frame(std::string_view(input).substr(f.consumed())).bytes, kHeartbeat);
}

TEST(FramerTest, SixteenByteBeginStringIsAccepted) {
  const std::string msg = make_message("FIX.4.4.ABCDEFGH", "35=0|");  // 16 bytes
  Frame f = next_frame(msg);
  EXPECT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, msg);
}

// --- BodyLength ---------------------------------------------------------------------------

TEST(FramerTest, HugeBodyLengthIsTooLargeWithoutWaitingForTheBody) {
  // Nothing follows the BodyLength: the framer must not wait for two megabytes.
  const std::string head = soh("8=FIX.4.4|9=2000000|");
  Frame f = next_frame(head);
  EXPECT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kTooLarge);
  EXPECT_EQ(f.discarded + f.bytes.size(), head.size());
}

TEST(FramerTest, TooLargeFrameIsDroppedAndNextMessageSurvives) {
  Drained d = drain(soh("8=FIX.4.4|9=9999999999|35=D|") + kHeartbeat);
  EXPECT_EQ(d.errors, std::vector<FrameError>{FrameError::kTooLarge});
  EXPECT_EQ(d.messages, std::vector<std::string>{kHeartbeat});
}

TEST(FramerTest, MaxMessageSizeBoundsBodyLengthInclusively) {
  const std::string msg = make_message("FIX.4.4", "35=0|");  // BodyLength 5
  FramerOptions opt;
  opt.max_message_size = 5;
  EXPECT_EQ(next_frame(msg, opt).status, FrameStatus::kMessage);
  opt.max_message_size = 4;
  Frame f = next_frame(msg, opt);
  EXPECT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kTooLarge);
}

TEST(FramerTest, NonNumericBodyLengthIsBadBodyLength) {
  for (std::string_view len : {"1a", "x", "-5", "+5", " 5", "5 "}) {
    const std::string msg = make_message("FIX.4.4", "35=0|").replace(12, 1, len);
    Frame f = next_frame(msg);
    EXPECT_EQ(f.status, FrameStatus::kGarbled) << len;
    EXPECT_EQ(f.error, FrameError::kBadBodyLength) << len;
  }
}

TEST(FramerTest, EmptyBodyLengthIsBadBodyLength) {
  Frame f = next_frame(soh("8=FIX.4.4|9=|35=0|10=000|"));
  EXPECT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kBadBodyLength);
}

TEST(FramerTest, MissingBodyLengthIsBadBodyLength) {
  Frame f = next_frame(soh("8=FIX.4.4|35=0|49=A|10=000|"));
  EXPECT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kBadBodyLength);
}

TEST(FramerTest, BodyLengthNotSecondIsBadBodyLength) {
  Frame f = next_frame(soh("8=FIX.4.4|35=0|9=5|10=000|"));
  EXPECT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kBadBodyLength);
}

TEST(FramerTest, BadBodyLengthFrameIsDroppedAndNextMessageSurvives) {
  const std::string bad = soh("8=FIX.4.4|9=abc|35=0|10=000|");
  Drained d = drain(bad + kHeartbeat);
  EXPECT_EQ(d.errors, std::vector<FrameError>{FrameError::kBadBodyLength});
  EXPECT_EQ(d.garbled, bad.size());
  EXPECT_EQ(d.messages, std::vector<std::string>{kHeartbeat});
}

TEST(FramerTest, MsgTypeNotThirdIsMissingMsgType) {
  const std::string bad = make_message("FIX.4.4", "49=SENDER|35=0|");
  const std::string input = bad + kHeartbeat;
  Frame f = next_frame(input);
  ASSERT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kMissingMsgType);
  EXPECT_EQ(f.bytes, bad);
}

TEST(FramerTest, TooShortBodyLengthIsBadTrailerAndNextMessageSurvives) {
  const std::string body = "35=0|49=SENDER|56=TARGET|";
  const std::string bad = make_message("FIX.4.4", body, soh(body).size() - 3);
  Drained d = drain(bad + kOrder);
  EXPECT_EQ(d.errors, std::vector<FrameError>{FrameError::kBadTrailer});
  EXPECT_EQ(d.garbled, bad.size());
  EXPECT_EQ(d.messages, std::vector<std::string>{kOrder});
}

TEST(FramerTest, TooLongBodyLengthIsBadTrailerAndNextMessageSurvives) {
  const std::string body = "35=0|49=SENDER|56=TARGET|";
  const std::string bad = make_message("FIX.4.4", body, soh(body).size() + 3);
  Drained d = drain(bad + kOrder + kHeartbeat);
  EXPECT_EQ(d.errors, std::vector<FrameError>{FrameError::kBadTrailer});
  EXPECT_EQ(d.garbled, bad.size());
  EXPECT_EQ(d.messages, (std::vector<std::string>{kOrder, kHeartbeat}));
}

TEST(FramerTest, TrailerMustHaveThreeDigits) {
  std::string bad = kHeartbeat;
  bad.replace(bad.size() - 4, 3, "1x");  // 10=1x|
  const std::string input = bad + kOrder;
  Frame f = next_frame(input);
  EXPECT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kBadTrailer);
}

// --- CheckSum -----------------------------------------------------------------------------

TEST(FramerTest, WrongChecksumIsBadChecksumAndConsumesWholeFrame) {
  const std::string body = "35=0|49=SENDER|56=TARGET|";
  const std::string good = make_message("FIX.4.4", body);
  const unsigned right = byte_sum(std::string_view(good).substr(0, good.size() - 7));
  const std::string bad = make_message("FIX.4.4", body, std::nullopt, (right + 1) % 256);
  const std::string input = bad + kOrder;
  Frame f = next_frame(input);
  ASSERT_EQ(f.status, FrameStatus::kGarbled);
  EXPECT_EQ(f.error, FrameError::kBadChecksum);
  EXPECT_EQ(f.bytes, bad);
  EXPECT_EQ(f.consumed(), bad.size());
  Frame next = next_frame(std::string_view(input).substr(f.consumed()));
  EXPECT_EQ(next.status, FrameStatus::kMessage);
  EXPECT_EQ(next.bytes, kOrder);
}

TEST(FramerTest, ChecksumValidationCanBeDisabled) {
  const std::string bad = make_message("FIX.4.4", "35=0|49=A|", std::nullopt, 0);
  ASSERT_EQ(next_frame(bad).error, FrameError::kBadChecksum);
  FramerOptions opt;
  opt.validate_checksum = false;
  Frame f = next_frame(bad, opt);
  EXPECT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, bad);
}

// --- validate_length = false --------------------------------------------------------------

TEST(FramerTest, ToleratesTooShortBodyLengthWhenLengthValidationIsOff) {
  const std::string body = "35=0|49=SENDER|56=TARGET|";
  const std::string msg = make_message("FIX.4.4", body, soh(body).size() - 5);
  FramerOptions opt;
  opt.validate_length = false;
  Drained d = drain(msg + kOrder, opt);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.messages, (std::vector<std::string>{msg, kOrder}));
}

TEST(FramerTest, ToleratesTooLongBodyLengthWhenLengthValidationIsOff) {
  const std::string body = "35=0|49=SENDER|56=TARGET|";
  const std::string msg = make_message("FIX.4.4", body, soh(body).size() + 5);
  FramerOptions opt;
  opt.validate_length = false;
  Drained d = drain(msg + kOrder, opt);
  EXPECT_TRUE(d.errors.empty());
  EXPECT_EQ(d.messages, (std::vector<std::string>{msg, kOrder}));
}

TEST(FramerTest, RightBodyLengthStillFramesDataFieldsWhenLengthValidationIsOff) {
  const std::string msg = message_with_raw_data();
  FramerOptions opt;
  opt.validate_length = false;
  Frame f = next_frame(msg, opt);
  EXPECT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, msg);
}

TEST(FramerTest, ToStringNamesEveryFrameError) {
  std::set<std::string_view> names;
  for (FrameError e : {FrameError::kNone, FrameError::kBadBeginString, FrameError::kBadBodyLength,
                       FrameError::kTooLarge, FrameError::kMissingMsgType, FrameError::kBadTrailer,
                       FrameError::kBadChecksum}) {
    EXPECT_FALSE(to_string(e).empty());
    names.insert(to_string(e));
  }
  EXPECT_EQ(names.size(), 7u);
}

// --- FrameReader --------------------------------------------------------------------------

TEST(FrameReaderTest, SplitAtEveryPositionYieldsTheSameMessage) {
  for (const std::string& msg : {kOrder, message_with_raw_data()}) {
    for (size_t split = 0; split <= msg.size(); ++split) {
      SCOPED_TRACE("split at " + std::to_string(split));
      FrameReader reader;
      reader.append(std::string_view(msg).substr(0, split));
      if (split < msg.size()) {
        Frame f = reader.next();
        ASSERT_EQ(f.status, FrameStatus::kNeedMore);
        ASSERT_EQ(f.discarded, 0u);
      }
      reader.append(std::string_view(msg).substr(split));
      Frame f = reader.next();
      ASSERT_EQ(f.status, FrameStatus::kMessage);
      ASSERT_EQ(f.bytes, msg);
      ASSERT_EQ(reader.next().status, FrameStatus::kNeedMore);
      ASSERT_EQ(reader.buffered(), 0u);
      ASSERT_EQ(reader.discarded_bytes(), 0u);
    }
  }
}

TEST(FrameReaderTest, ByteByByteFeedYieldsEveryMessageIntact) {
  const std::string fixt = make_message("FIXT.1.1", "35=A|98=0|108=30|1137=9|");
  const std::vector<std::string> expected = {kHeartbeat, message_with_raw_data(), fixt, kLogout};
  const std::string garbage = "xx|";
  std::string stream;
  for (const auto& m : expected) stream += m + garbage;
  FrameReader reader;
  std::vector<std::string> got;
  for (char c : stream) {
    reader.append(std::string_view(&c, 1));
    auto more = pull(reader);
    got.insert(got.end(), more.begin(), more.end());
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(reader.discarded_bytes(), garbage.size() * expected.size());
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, PrepareCommitPathFramesMessages) {
  const std::string stream = kHeartbeat + kOrder + kLogout;
  FrameReader reader;
  std::vector<std::string> got;
  for (size_t pos = 0; pos < stream.size();) {
    std::span<char> room = reader.prepare(11);
    ASSERT_GE(room.size(), 11u);
    size_t n = std::min<size_t>(11, stream.size() - pos);
    std::memcpy(room.data(), stream.data() + pos, n);
    reader.commit(n);
    pos += n;
    auto more = pull(reader);
    got.insert(got.end(), more.begin(), more.end());
  }
  EXPECT_EQ(got, (std::vector<std::string>{kHeartbeat, kOrder, kLogout}));
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, PrepareReturnsAtLeastTheRequestedSpace) {
  FrameReader reader;
  EXPECT_GE(reader.prepare(1).size(), 1u);
  EXPECT_GE(reader.prepare(100'000).size(), 100'000u);
  std::span<char> room = reader.prepare(10);
  std::memcpy(room.data(), "0123456789", 10);
  reader.commit(10);  // ten bytes buffered; more room must come behind them
  EXPECT_EQ(reader.buffered(), 10u);
  EXPECT_GE(reader.prepare(200'000).size(), 200'000u);
  EXPECT_EQ(reader.buffered(), 10u);
}

TEST(FrameReaderTest, CommittingLessThanPreparedBuffersOnlyCommittedBytes) {
  FrameReader reader;
  std::span<char> room = reader.prepare(kHeartbeat.size() + 100);
  std::memcpy(room.data(), kHeartbeat.data(), kHeartbeat.size());
  reader.commit(kHeartbeat.size());
  EXPECT_EQ(reader.buffered(), kHeartbeat.size());
  Frame f = reader.next();
  ASSERT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, kHeartbeat);
}

TEST(FrameReaderTest, CountsDiscardedGarbageAndGarbledFrames) {
  const std::string bad_sum = make_message("FIX.4.4", "35=0|49=A|", std::nullopt, 0);
  const std::string bad_len = soh("8=FIX.4.4|9=x|");
  FrameReader reader;
  reader.append("noise" + kHeartbeat + bad_sum + "more" + bad_len + kOrder + "tail");
  std::vector<FrameError> errors;
  auto got = pull(reader, &errors);
  EXPECT_EQ(got, (std::vector<std::string>{kHeartbeat, kOrder}));
  EXPECT_EQ(errors,
            (std::vector<FrameError>{FrameError::kBadChecksum, FrameError::kBadBodyLength}));
  EXPECT_EQ(reader.discarded_bytes(), 5 + bad_sum.size() + 4 + bad_len.size() + 4);
  EXPECT_EQ(reader.buffered(), 0u);
}

TEST(FrameReaderTest, ViewsStayValidUntilNextAppend) {
  FrameReader reader;
  reader.append(kHeartbeat + kOrder);
  Frame a = reader.next();
  Frame b = reader.next();
  ASSERT_EQ(a.status, FrameStatus::kMessage);
  ASSERT_EQ(b.status, FrameStatus::kMessage);
  EXPECT_EQ(reader.next().status, FrameStatus::kNeedMore);
  EXPECT_EQ(a.bytes, kHeartbeat);
  EXPECT_EQ(b.bytes, kOrder);
}

TEST(FrameReaderTest, GrowsForMessagesLargerThanItsBuffer) {
  const std::string big = make_message("FIX.4.4", "35=B|58=" + std::string(100'000, 'x') + "|");
  FrameReader reader;
  for (size_t pos = 0; pos < big.size(); pos += 4096) {
    reader.append(std::string_view(big).substr(pos, 4096));
    if (pos + 4096 < big.size()) {
      ASSERT_EQ(reader.next().status, FrameStatus::kNeedMore);
    }
  }
  Frame f = reader.next();
  ASSERT_EQ(f.status, FrameStatus::kMessage);
  EXPECT_EQ(f.bytes, big);
}

TEST(FrameReaderTest, AppendingNothingIsHarmless) {
  FrameReader reader;
  reader.append("");
  EXPECT_EQ(reader.buffered(), 0u);
  EXPECT_EQ(reader.next().status, FrameStatus::kNeedMore);
  reader.append(kHeartbeat);
  reader.append("");
  EXPECT_EQ(reader.next().bytes, kHeartbeat);
}

TEST(FrameReaderTest, KeepsItsOptions) {
  FramerOptions opt;
  opt.validate_checksum = false;
  opt.max_message_size = 77;
  FrameReader reader(opt);
  EXPECT_FALSE(reader.options().validate_checksum);
  EXPECT_EQ(reader.options().max_message_size, 77u);
  reader.append(make_message("FIX.4.4", "35=0|", std::nullopt, 0));
  EXPECT_EQ(reader.next().status, FrameStatus::kMessage);
}

}  // namespace
}  // namespace fixgate::codec
