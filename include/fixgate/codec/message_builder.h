// Builds an application message's body with typed fields and checked repeating groups, in a
// buffer it keeps (no allocation once warm). The session adds the header: send it with
// SessionHandle::send(builder). For a whole message (tests, tools), encode it yourself:
//   enc.begin("FIX.4.4", b.msg_type()).field(tag::SenderCompID, "A")….raw(b.body()).finish()
#pragma once

#include <array>
#include <concepts>
#include <cstddef>
#include <cstdint>
#include <string_view>
#include <type_traits>

#include "fixgate/base/result.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/codec/field.h"
#include "fixgate/codec/values.h"

namespace fixgate::codec {

// The first misuse of a builder; it stays until reset(). Misuse never throws.
enum class BuildError : uint8_t {
  kNone,
  kNoMsgType,          // no MsgType (default-constructed, or reset with ""), or one with SOH
  kBadTag,             // 0, over kMaxTag, or 8/9/10/35, which the encoder writes itself
  kBadValue,           // empty, holding SOH, or not a value of its type (a 30 February)
  kFieldOutsideEntry,  // a field after begin_group() and before its first entry()
  kBadDelimiter,       // an entry not starting with the tag the first entry started with
  kEmptyEntry,         // an entry with no field
  kCountMismatch,      // more entry() calls than declared, or fewer at end_group()
  kNoOpenGroup,        // entry() or end_group() with no group open
  kTooDeep,            // groups nested deeper than kMaxDepth
  kGroupOpen,          // (reported by error()) the message has a group not yet ended
};
std::string_view to_string(BuildError e);

class MessageBuilder {
 public:
  static constexpr size_t kMaxDepth = 8;  // nested groups; FIX's deepest are 4 or 5

  MessageBuilder() : MessageBuilder(std::string_view()) {}  // reset(msg_type) before use
  explicit MessageBuilder(std::string_view msg_type, size_t initial_capacity = 512);
  // Starts again with a new message of `msg_type`: fields and error gone, buffer kept. Inline,
  // so that a constant MsgType's check and bytes fold at compile time.
  MessageBuilder& reset(std::string_view msg_type) {
    error_ = BuildError::kNone;
    error_tag_ = 0;
    depth_ = 0;
    if (msg_type.empty() || detail::find_soh(msg_type.data(), msg_type.data() + msg_type.size()))
        [[unlikely]]
      return reset_invalid();
    enc_.begin_body(msg_type);
    msg_type_size_ = msg_type.size();
    return *this;
  }

  // Typed fields, written in call order. A string is any FIX string type (String, Currency,
  // Exchange, MultipleValueString …); a bool is written Y or N.
  MessageBuilder& set(Tag tag, std::string_view value) {
    if (accept(tag) && !enc_.text(tag, value)) [[unlikely]]
      fail(BuildError::kBadValue, tag);
    return *this;
  }
  MessageBuilder& set(Tag tag, const char* value) {
    return set(tag, value ? std::string_view(value) : std::string_view());
  }
  MessageBuilder& set(Tag tag, char value) {
    if (value == kSoh) [[unlikely]]
      fail(BuildError::kBadValue, tag);
    else if (accept(tag))
      enc_.field(tag, value);
    return *this;
  }
  template <std::same_as<bool> B>  // only a real bool: no pointer or integer turns into one
  MessageBuilder& set(Tag tag, B value) {
    return set(tag, value ? 'Y' : 'N');
  }
  template <std::integral I>
  requires(!std::same_as<I, bool> && !std::same_as<I, char>) MessageBuilder& set(Tag tag, I value) {
    if constexpr (std::is_signed_v<I>)
      return set_int(tag, static_cast<int64_t>(value));
    else
      return set_uint(tag, static_cast<uint64_t>(value));
  }
  template <std::floating_point F>  // FIX floats are exact decimals: pass a codec::Decimal
  MessageBuilder& set(Tag tag, F value) = delete;
  MessageBuilder& set(Tag tag, const Decimal& value) {
    if (accept(tag)) enc_.field(tag, value);
    return *this;
  }
  MessageBuilder& set(Tag tag, const UtcTimestamp& value) {  // at its own precision
    if (accept(tag)) enc_.field(tag, value);
    return *this;
  }
  MessageBuilder& set(Tag tag, const UtcTimeOnly& value);
  MessageBuilder& set(Tag tag, const Date& value);  // UTCDateOnly, LocalMktDate
  MessageBuilder& set(Tag tag, const MonthYear& value);
  // A data field and its length field: length_tag=N|data_tag=<N bytes, SOH allowed>|.
  MessageBuilder& set_data(Tag length_tag, Tag data_tag, std::string_view bytes);

  // A repeating group: writes count_tag=entries, then each entry() starts an entry whose fields
  // follow (nested groups included). Every entry must start with the same tag, the delimiter;
  // end_group() checks that exactly `entries` were added.
  //   b.begin_group(tag::NoPartyIDs, 2)
  //       .entry().set(tag::PartyID, "ACME").set(tag::PartyRole, 3)
  //       .entry().set(tag::PartyID, "DESK-7").set(tag::PartyRole, 24)
  //       .end_group();
  MessageBuilder& begin_group(Tag count_tag, size_t entries);
  MessageBuilder& entry();
  MessageBuilder& end_group();

  // True when nothing was misused and every group has ended: body() is a valid body then.
  bool ok() const { return error_ == BuildError::kNone && depth_ == 0; }
  BuildError error() const;
  Tag error_tag() const { return error_tag_; }  // the tag involved in error(), if any
  // What went wrong, with the tag and counts ("group 453: 2 entries declared, 1 added").
  Status status() const;

  std::string_view msg_type() const { return enc_.body().substr(3, msg_type_size_); }
  // The body fields ("11=ORD-1|55=IBM|…"), what SessionHandle::send() takes. Valid
  // until the builder next changes.
  std::string_view body() const { return enc_.body().substr(3 + msg_type_size_ + 1); }

 private:
  struct OpenGroup {
    Tag count_tag = 0;
    Tag delimiter = 0;  // the first entry's first tag
    size_t declared = 0;
    size_t added = 0;
    bool entry_empty = false;  // the current entry has no field yet
  };
  // Integers are refused past what parse_int and parse_uint read (18 and 19 digits), so that
  // whatever a builder writes, fixgate reads back.
  MessageBuilder& set_int(Tag tag, int64_t value) {
    constexpr int64_t kMax = 999'999'999'999'999'999;
    if (value < -kMax || value > kMax) [[unlikely]]
      fail(BuildError::kBadValue, tag);
    else if (accept(tag))
      enc_.field(tag, value);
    return *this;
  }
  MessageBuilder& set_uint(Tag tag, uint64_t value) {
    if (value > 9'999'999'999'999'999'999u) [[unlikely]]
      fail(BuildError::kBadValue, tag);
    else if (accept(tag))
      enc_.field(tag, value);
    return *this;
  }
  // Whether a field with `tag` may be written here; records the error if not.
  bool accept(Tag tag) {
    // Bit t set for the tags below 64 that a body may not hold: 0 and 8, 9, 10, 35.
    constexpr uint64_t kFramingTags = 1 | 1ull << 8 | 1ull << 9 | 1ull << 10 | 1ull << 35;
    if (tag < 64 ? (kFramingTags >> tag & 1) != 0 : tag > kMaxTag) [[unlikely]]
      return fail(BuildError::kBadTag, tag);
    return depth_ == 0 || accept_in_group(tag);
  }
  bool accept_in_group(Tag tag);
  MessageBuilder& reset_invalid();  // reset() with an empty MsgType or one holding SOH
  bool fail(BuildError e, Tag tag, size_t declared = 0, size_t added = 0);

  Encoder enc_;  // holds 35=<msg_type>| then the body: msg_type() and body() are views of it
  size_t msg_type_size_ = 0;
  std::array<OpenGroup, kMaxDepth> groups_{};
  size_t depth_ = 0;
  BuildError error_ = BuildError::kNone;
  Tag error_tag_ = 0;
  size_t error_declared_ = 0, error_added_ = 0;  // kCountMismatch
};

}  // namespace fixgate::codec
