#include "fixgate/codec/framer.h"

#include <algorithm>
#include <cstring>

#include "fixgate/codec/checksum.h"
#include "fixgate/codec/field.h"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace fixgate::codec {
namespace {

constexpr std::string_view kStart = "8=FIX";
constexpr size_t kMaxBeginStringLen = 16;  // "FIXT.1.1", "FIX.4.4" … with room for variants
constexpr size_t kTrailerLen = 7;          // "10=nnn\x01"

// Offset of the first possible message start in `s` at or after `from`: either a full "8=FIX"
// or a proper prefix of it at the very end (which more bytes may complete).
size_t find_start(std::string_view s, size_t from) {
  // Most buffers start with a message: no library call for that.
  if (from + kStart.size() <= s.size() && std::memcmp(s.data() + from, "8=FIX", 5) == 0)
    return from;
  while (from < s.size()) {
    const void* hit = std::memchr(s.data() + from, '8', s.size() - from);
    if (!hit) return s.size();
    size_t i = static_cast<const char*>(hit) - s.data();
    size_t avail = std::min(kStart.size(), s.size() - i);
    if (s.compare(i, avail, kStart, 0, avail) == 0) return i;
    from = i + 1;
  }
  return s.size();
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The usual start of a message, "8=FIX…|9=nnn|" within its first 32 bytes, read with two vector
// compares instead of a byte loop each: true with the BodyLength and the offset of the body. False
// for anything else (short input, long or odd BeginString, bad BodyLength), which the byte loops
// then handle, errors and all. Precondition: s starts with "8=FIX".
bool fast_header(std::string_view s, const FramerOptions& opt, size_t& body_len, size_t& body) {
#if defined(__SSE2__)
  if (s.size() < 32) return false;
  const char* const p = s.data();
  const __m128i lo = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
  const __m128i hi = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + 16));
  auto bits = [&](char c) {
    const __m128i v = _mm_set1_epi8(c);
    return static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(lo, v))) |
           static_cast<uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(hi, v))) << 16;
  };
  const uint32_t sohs = bits(kSoh);
  if (sohs == 0) return false;
  // "8=FIX" holds no SOH, so the first one ends the BeginString; as in the byte loop, it must
  // come within kMaxBeginStringLen bytes and the BeginString must hold no '='.
  const unsigned soh1 = static_cast<unsigned>(__builtin_ctz(sohs));
  if (soh1 > 2 + kMaxBeginStringLen || (bits('=') & ((1u << soh1) - 1) & ~3u) != 0) return false;
  const unsigned digits_at = soh1 + 3;  // after "|9="
  if (p[soh1 + 1] != '9' || p[soh1 + 2] != '=') return false;
  const uint32_t later = sohs & (sohs - 1);  // the SOHs after the first
  if (later == 0) return false;
  const unsigned soh2 = static_cast<unsigned>(__builtin_ctz(later));
  if (soh2 <= digits_at || soh2 - digits_at > 10) return false;
  size_t len = 0;
  for (unsigned i = digits_at; i < soh2; ++i) {
    if (!is_digit(p[i])) return false;
    len = len * 10 + static_cast<size_t>(p[i] - '0');
  }
  if (len > opt.max_message_size) return false;
  body_len = len;
  body = soh2 + 1;
  return true;
#else
  (void)s, (void)opt, (void)body_len, (void)body;
  return false;
#endif
}

Frame garbled(size_t discarded, std::string_view bad, FrameError error) {
  return Frame{FrameStatus::kGarbled, error, discarded, bad};
}

}  // namespace

std::string_view to_string(FrameError e) {
  switch (e) {
    case FrameError::kNone: return "none";
    case FrameError::kBadBeginString: return "bad BeginString (8)";
    case FrameError::kBadBodyLength: return "bad BodyLength (9)";
    case FrameError::kTooLarge: return "BodyLength above the maximum message size";
    case FrameError::kMissingMsgType: return "MsgType (35) is not the third field";
    case FrameError::kBadTrailer: return "no CheckSum (10) where BodyLength says the body ends";
    case FrameError::kBadChecksum: return "wrong CheckSum (10)";
  }
  return "unknown";
}

Frame next_frame(std::string_view in, const FramerOptions& opt) {
  // find_start's own first test, inline: most buffers start with a message.
  const size_t start =
      in.size() >= kStart.size() && std::memcmp(in.data(), "8=FIX", 5) == 0 ? 0 : find_start(in, 0);
  // Views built directly, here and below: substr() is an out-of-line call with a range check.
  std::string_view s(in.data() + start, in.size() - start);  // start <= in.size()
  Frame need_more{FrameStatus::kNeedMore, FrameError::kNone, start, {}};
  if (s.size() < kStart.size()) return need_more;

  // Resynchronise: everything up to the next candidate start after this one is the bad frame.
  auto resync = [&](FrameError error) {
    size_t next = find_start(in, start + 1);
    return garbled(start, in.substr(start, next - start), error);
  };

  size_t body_len = 0;
  size_t body = 0;
  if (start != 0 || !fast_header(s, opt, body_len, body)) {
    // 8=BeginString|
    constexpr size_t kSoh1Limit = 2 + kMaxBeginStringLen + 1;  // "8=" + value + SOH
    // A byte loop, not memchr calls: a BeginString is a few bytes.
    const size_t soh1_limit = std::min(s.size(), kSoh1Limit);
    size_t soh1 = 2;
    bool has_eq = false;
    for (; soh1 < soh1_limit && s[soh1] != kSoh; ++soh1) has_eq |= s[soh1] == '=';
    if (soh1 == soh1_limit) {
      // Not yet terminated is only bad once more than a BeginString's worth of bytes is here.
      return s.size() < kSoh1Limit ? need_more : resync(FrameError::kBadBeginString);
    }
    size_t pos = soh1 + 1;
    // No BeginString holds '=': one that does is a stray "8=FIX" glued to the real start
    // ("8=FIX8=FIX.4.4|"), and taking it as a message would swallow the message behind it.
    if (has_eq) return resync(FrameError::kBadBeginString);

    // 9=BodyLength|
    if (s.size() < pos + 2) return need_more;
    if (s[pos] != '9' || s[pos + 1] != '=') return resync(FrameError::kBadBodyLength);
    pos += 2;
    body_len = 0;
    size_t digits = 0;
    for (;; ++pos, ++digits) {
      if (pos >= s.size()) return need_more;
      char c = s[pos];
      if (c == kSoh) break;
      if (!is_digit(c) || digits >= 10) return resync(FrameError::kBadBodyLength);
      body_len = body_len * 10 + static_cast<size_t>(c - '0');
    }
    if (digits == 0) return resync(FrameError::kBadBodyLength);
    if (body_len > opt.max_message_size) return resync(FrameError::kTooLarge);
    body = pos + 1;
  }

  // 35= must open the body.
  if (s.size() < body + 3) return need_more;
  if (s[body] != '3' || s[body + 1] != '5' || s[body + 2] != '=')  // no memcmp call
    return resync(FrameError::kMissingMsgType);

  size_t trailer = body + body_len;
  if (s.size() < trailer + kTrailerLen) return need_more;
  auto is_trailer_at = [&](size_t t) {
    return s[t] == '1' && s[t + 1] == '0' && s[t + 2] == '=' && is_digit(s[t + 3]) &&
           is_digit(s[t + 4]) && is_digit(s[t + 5]) && s[t + 6] == kSoh && s[t - 1] == kSoh;
  };
  if (!is_trailer_at(trailer)) {
    if (opt.validate_length) return resync(FrameError::kBadTrailer);
    // Tolerant mode: the first SOH-10=nnn-SOH after the MsgType ends the message.
    size_t t = body + 3;
    for (;; ++t) {
      if (t + kTrailerLen > s.size()) return need_more;
      if (t + kTrailerLen > body + 3 + opt.max_message_size) return resync(FrameError::kTooLarge);
      if (s[t] == '1' && is_trailer_at(t)) break;
    }
    trailer = t;
  }
  std::string_view frame(s.data(), trailer + kTrailerLen);  // within s: checked above
  if (opt.validate_checksum) {
    unsigned declared = (s[trailer + 3] - '0') * 100u + (s[trailer + 4] - '0') * 10u +
                        static_cast<unsigned>(s[trailer + 5] - '0');
    if (declared != checksum(std::string_view(s.data(), trailer))) {
      return garbled(start, frame, FrameError::kBadChecksum);
    }
  }
  return Frame{FrameStatus::kMessage, FrameError::kNone, start, frame};
}

FrameReader::FrameReader(FramerOptions options) : options_(options) {}

std::span<char> FrameReader::prepare(size_t n) {
  if (begin_ > 0 && (end_ - begin_ < begin_ || capacity_ - end_ < n)) {
    std::memmove(buf_.get(), buf_.get() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (capacity_ - end_ < n) {
    size_t cap = std::max({capacity_ * 2, end_ + n, size_t{4096}});
    auto bigger = std::make_unique_for_overwrite<char[]>(cap);
    if (end_) std::memcpy(bigger.get(), buf_.get(), end_);
    buf_ = std::move(bigger);
    capacity_ = cap;
  }
  return {buf_.get() + end_, capacity_ - end_};
}

void FrameReader::commit(size_t n) { end_ += std::min(n, capacity_ - end_); }

void FrameReader::append(std::string_view bytes) {
  if (bytes.empty()) return;  // a fresh reader has no buffer: memcpy to null is undefined
  auto room = prepare(bytes.size());
  std::memcpy(room.data(), bytes.data(), bytes.size());
  commit(bytes.size());
}

Frame FrameReader::next() {
  Frame f = next_frame(std::string_view(buf_.get() + begin_, end_ - begin_), options_);
  size_t used = f.status == FrameStatus::kNeedMore ? f.discarded : f.consumed();
  discarded_total_ += f.discarded + (f.status == FrameStatus::kGarbled ? f.bytes.size() : 0);
  begin_ += used;
  if (begin_ == end_) begin_ = end_ = 0;
  return f;
}

}  // namespace fixgate::codec
