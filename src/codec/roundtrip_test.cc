// Property tests over the whole codec: random messages go through Encoder → next_frame/
// FrameReader → Message and must come out field for field as they went in, also when they
// arrive surrounded by garbage and split at random points. Seeds are fixed, so failures repeat.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <iterator>
#include <random>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fixgate/codec/checksum.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"

namespace fixgate::codec {
namespace {

using FieldList = std::vector<std::pair<Tag, std::string>>;

constexpr uint32_t kSeeds[] = {1, 2, 3, 42, 20240102};
constexpr int kIterations = 1000;

struct Generated {
  std::string begin_string;
  std::string msg_type;
  FieldList body;  // everything after MsgType, before CheckSum
};

class MessageGenerator {
 public:
  explicit MessageGenerator(uint32_t seed) : rng_(seed) {
    for (const DataFieldPair& p : kStandardDataFields) data_tags_.insert(p.data);
  }

  Generated next() {
    static constexpr const char* kBeginStrings[] = {"FIX.4.0", "FIX.4.1", "FIX.4.2",
                                                    "FIX.4.3", "FIX.4.4", "FIXT.1.1"};
    Generated g;
    g.begin_string = kBeginStrings[uniform(0, 5)];
    g.msg_type = alnum(static_cast<size_t>(uniform(1, 2)));
    const int n = uniform(0, 60);
    for (int i = 0; i < n; ++i) g.body.emplace_back(random_tag(), printable(uniform(1, 20)));
    if (uniform(0, 2) == 0) {  // a RawData pair somewhere in the body
      std::string raw = raw_data();
      auto at = g.body.begin() + uniform(0, static_cast<int>(g.body.size()));
      at = g.body.insert(at, FieldList::value_type(96, raw));
      g.body.insert(at, FieldList::value_type(95, std::to_string(raw.size())));
    }
    return g;
  }

  int uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  // Bytes between messages: anything but '8', so no message start hides inside.
  std::string garbage(size_t n) {
    std::string s(n, '\0');
    for (char& c : s) {
      do c = static_cast<char>(uniform(0, 255));
      while (c == '8');
    }
    return s;
  }

 private:
  Tag random_tag() {
    for (;;) {
      Tag t = static_cast<Tag>(uniform(1, 9999));
      if (t != 8 && t != 9 && t != 10 && t != 35 && !data_tags_.count(t)) return t;
    }
  }

  std::string printable(int n) {
    std::string s(static_cast<size_t>(n), ' ');
    for (char& c : s) c = static_cast<char>(uniform(0x20, 0x7e));
    return s;
  }

  std::string alnum(size_t n) {
    static constexpr std::string_view kChars =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    std::string s(n, ' ');
    for (char& c : s)
      c = kChars[static_cast<size_t>(uniform(0, static_cast<int>(kChars.size()) - 1))];
    return s;
  }

  // Data that would break a delimiter-based reader: SOH, '=', CheckSum and BeginString
  // look-alikes, and arbitrary bytes.
  std::string raw_data() {
    static constexpr std::string_view kPieces[] = {
        "\x01",     "=",        "10=", "10=123\x01", "8=FIX.4.4\x01",
        "9=12\x01", "35=D\x01", "x",   "\xff",       std::string_view("\0", 1)};
    std::string s;
    const int n = uniform(0, 12);
    for (int i = 0; i < n; ++i) s += kPieces[uniform(0, static_cast<int>(std::size(kPieces)) - 1)];
    return s;
  }

  std::mt19937 rng_;
  std::set<Tag> data_tags_;
};

std::string_view encode(Encoder& enc, const Generated& g) {
  enc.begin(g.begin_string, g.msg_type);
  for (size_t i = 0; i < g.body.size(); ++i) {
    const auto& [tag, value] = g.body[i];
    if (tag == 95 && i + 1 < g.body.size() && g.body[i + 1].first == 96) {
      enc.data(95, 96, g.body[i + 1].second);
      ++i;
    } else {
      enc.field(tag, value);
    }
  }
  return enc.finish();
}

FieldList fields_of(const Message& m) {
  FieldList out;
  for (const Field& f : m) out.emplace_back(f.tag, std::string(f.value));
  return out;
}

// Checks that `wire` parses to exactly `g`, with a right BodyLength and CheckSum.
::testing::AssertionResult parses_back(std::string_view wire, const Generated& g) {
  Message m;
  ParseResult r = m.parse(wire);
  if (!r.ok()) {
    return ::testing::AssertionFailure()
           << "parse error " << to_string(r.error) << " at " << r.offset;
  }
  FieldList got = fields_of(m);
  if (got.size() != g.body.size() + 4) {
    return ::testing::AssertionFailure() << got.size() << " fields, expected " << g.body.size() + 4;
  }
  if (got[0] != std::pair<Tag, std::string>{8, g.begin_string}) {
    return ::testing::AssertionFailure() << "BeginString " << got[0].second;
  }
  if (got[2] != std::pair<Tag, std::string>{35, g.msg_type}) {
    return ::testing::AssertionFailure() << "MsgType " << got[2].second;
  }
  const size_t body_start = wire.find(
                                "\x01"
                                "35=") +
                            1;
  const size_t trailer = wire.size() - 7;
  if (got[1] != std::pair<Tag, std::string>{9, std::to_string(trailer - body_start)}) {
    return ::testing::AssertionFailure() << "BodyLength " << got[1].second;
  }
  unsigned sum = 0;
  for (char c : wire.substr(0, trailer)) sum += static_cast<unsigned char>(c);
  char digits[3];
  write_checksum_digits(static_cast<uint8_t>(sum % 256), digits);
  if (got.back() != std::pair<Tag, std::string>{10, std::string(digits, 3)}) {
    return ::testing::AssertionFailure() << "CheckSum " << got.back().second;
  }
  FieldList body(got.begin() + 3, got.end() - 1);
  if (body != g.body) {
    for (size_t i = 0; i < body.size(); ++i) {
      if (body[i] != g.body[i]) {
        return ::testing::AssertionFailure()
               << "field " << i << ": got " << body[i].first << "=" << body[i].second
               << ", expected " << g.body[i].first << "=" << g.body[i].second;
      }
    }
  }
  return ::testing::AssertionSuccess();
}

TEST(RoundTripTest, RandomMessagesEncodeFrameAndParseBackExactly) {
  for (uint32_t seed : kSeeds) {
    MessageGenerator gen(seed);
    Encoder enc;
    for (int i = 0; i < kIterations; ++i) {
      const Generated g = gen.next();
      const std::string_view wire = encode(enc, g);
      Frame f = next_frame(wire);
      ASSERT_EQ(f.status, FrameStatus::kMessage)
          << "seed " << seed << " message " << i << ": " << to_string(f.error);
      ASSERT_EQ(f.discarded, 0u);
      ASSERT_EQ(f.bytes, wire) << "seed " << seed << " message " << i;
      ASSERT_TRUE(parses_back(f.bytes, g)) << "seed " << seed << " message " << i;
    }
  }
}

TEST(RoundTripTest, ConcatenatedMessagesFrameBackInOrder) {
  for (uint32_t seed : kSeeds) {
    MessageGenerator gen(seed);
    Encoder enc;
    std::vector<Generated> sent;
    std::string stream;
    for (int i = 0; i < 200; ++i) {
      sent.push_back(gen.next());
      stream += encode(enc, sent.back());
    }
    std::string_view rest = stream;
    for (size_t i = 0; i < sent.size(); ++i) {
      Frame f = next_frame(rest);
      ASSERT_EQ(f.status, FrameStatus::kMessage) << "seed " << seed << " message " << i;
      ASSERT_EQ(f.discarded, 0u);
      ASSERT_TRUE(parses_back(f.bytes, sent[i])) << "seed " << seed << " message " << i;
      rest.remove_prefix(f.consumed());
    }
    EXPECT_TRUE(rest.empty());
  }
}

TEST(RoundTripTest, StreamWithGarbageAndRandomSplitsYieldsEveryMessageInOrder) {
  for (uint32_t seed : kSeeds) {
    MessageGenerator gen(seed);
    Encoder enc;
    std::vector<Generated> sent;
    std::vector<std::string> wires;
    std::string stream;
    size_t garbage_bytes = 0;
    for (int i = 0; i < kIterations; ++i) {
      if (gen.uniform(0, 1)) {
        std::string g = gen.garbage(static_cast<size_t>(gen.uniform(1, 40)));
        garbage_bytes += g.size();
        stream += g;
      }
      sent.push_back(gen.next());
      wires.emplace_back(encode(enc, sent.back()));
      stream += wires.back();
    }
    std::string tail = gen.garbage(17);
    garbage_bytes += tail.size();
    stream += tail;

    FrameReader reader;
    size_t received = 0;
    for (size_t pos = 0; pos < stream.size();) {
      size_t n = std::min(static_cast<size_t>(gen.uniform(1, 400)), stream.size() - pos);
      if (gen.uniform(0, 1)) {
        reader.append(std::string_view(stream).substr(pos, n));
      } else {
        std::span<char> room = reader.prepare(n);
        std::copy_n(stream.data() + pos, n, room.data());
        reader.commit(n);
      }
      pos += n;
      for (;;) {
        Frame f = reader.next();
        if (f.status == FrameStatus::kNeedMore) break;
        ASSERT_EQ(f.status, FrameStatus::kMessage)
            << "seed " << seed << " after message " << received << ": " << to_string(f.error);
        ASSERT_LT(received, sent.size());
        ASSERT_EQ(f.bytes, wires[received]) << "seed " << seed << " message " << received;
        ASSERT_TRUE(parses_back(f.bytes, sent[received]))
            << "seed " << seed << " message " << received;
        ++received;
      }
    }
    EXPECT_EQ(received, sent.size()) << "seed " << seed;
    EXPECT_EQ(reader.discarded_bytes(), garbage_bytes) << "seed " << seed;
    EXPECT_EQ(reader.buffered(), 0u) << "seed " << seed;
  }
}

}  // namespace
}  // namespace fixgate::codec
