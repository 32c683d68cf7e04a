// Framing of a FIX byte stream: finds complete messages (8=…|9=len|35=…|…|10=sum|), verifies
// BodyLength and CheckSum, and resynchronises on garbage without losing the next good message.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <string_view>

namespace fixgate::codec {

struct FramerOptions {
  size_t max_message_size = 1 << 20;  // a larger BodyLength is garbage, not a reason to wait
  bool validate_checksum = true;      // QuickFIX ValidateLengthAndChecksum (both halves)
  bool validate_length = true;        // if false, a wrong BodyLength is tolerated by scanning
};

enum class FrameStatus : uint8_t {
  kMessage,   // `bytes` is one complete, verified message
  kNeedMore,  // no complete message yet; drop `discarded` bytes and read more
  kGarbled,   // `bytes` is a bad frame (see `error`); drop it and call again
};

enum class FrameError : uint8_t {
  kNone,
  kBadBeginString,  // "8=FIX…" not terminated by SOH within a sane length
  kBadBodyLength,   // tag 9 missing, not a number, or not second
  kTooLarge,        // BodyLength above FramerOptions::max_message_size
  kMissingMsgType,  // tag 35 not third
  kBadTrailer,      // no "10=nnn|" where BodyLength says the body ends
  kBadChecksum,     // the frame is intact but its CheckSum is wrong
};

std::string_view to_string(FrameError e);

struct Frame {
  FrameStatus status = FrameStatus::kNeedMore;
  FrameError error = FrameError::kNone;
  size_t discarded = 0;   // bytes before `bytes` that belong to no message
  std::string_view bytes;  // the message (kMessage) or the rejected frame (kGarbled)
  size_t consumed() const { return discarded + bytes.size(); }
};

// Looks for the next message at the start of `input`. Pure function: no state, no allocation.
Frame next_frame(std::string_view input, const FramerOptions& options = {});

// A growable receive buffer plus the framer, for stream transports. Views returned by next()
// stay valid until the next prepare()/append().
class FrameReader {
 public:
  explicit FrameReader(FramerOptions options = {});

  // Writable space of at least `n` bytes for a socket read; then commit() what was written.
  std::span<char> prepare(size_t n);
  void commit(size_t n);
  void append(std::string_view bytes);

  // The next complete or garbled frame; kNeedMore when the buffer holds no more.
  Frame next();

  size_t buffered() const { return end_ - begin_; }
  uint64_t discarded_bytes() const { return discarded_total_; }
  const FramerOptions& options() const { return options_; }

 private:
  FramerOptions options_;
  std::unique_ptr<char[]> buf_;
  size_t capacity_ = 0;
  size_t begin_ = 0;
  size_t end_ = 0;
  uint64_t discarded_total_ = 0;
};

}  // namespace fixgate::codec
