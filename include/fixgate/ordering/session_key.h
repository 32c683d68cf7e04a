// SessionKey: the validated name of one ordered flow (an order, an account, a FIX session).
// Non-empty, at most 128 characters, printable ASCII without spaces; the dispatcher keys by it.
#pragma once

#include <cstddef>
#include <functional>
#include <string>
#include <string_view>

#include "fixgate/base/result.h"

namespace fixgate::ordering {

// An immutable, valid key. Built by make() (strict: rejects with a reason) or encode() (total:
// escapes and shortens any value deterministically, for keys derived from message fields).
class SessionKey {
 public:
  static constexpr size_t kMaxLength = 128;

  // The key `text`, or an error naming the rule it breaks and where.
  static Result<SessionKey> make(std::string_view text);
  // Always a valid key, and equal inputs give equal keys. Bytes outside '!'..'~' and '%' become
  // %XX; a result longer than kMaxLength keeps its first 111 characters plus '~' and a 16-digit
  // hash of the whole. Distinct inputs may only collide through that hash: a collision merges
  // two flows into one ordered flow, which costs concurrency but never correctness.
  static SessionKey encode(std::string_view text);
  // Why `text` is not a valid key, or an ok Status.
  static Status validate(std::string_view text);

  const std::string& str() const { return text_; }
  std::string_view view() const { return text_; }
  // Moves the text out; the key is left empty (invalid) and must not be used again.
  std::string release() && { return std::move(text_); }

  friend bool operator==(const SessionKey&, const SessionKey&) = default;
  friend auto operator<=>(const SessionKey&, const SessionKey&) = default;

 private:
  explicit SessionKey(std::string text) : text_(std::move(text)) {}
  std::string text_;
};

}  // namespace fixgate::ordering

template <>
struct std::hash<fixgate::ordering::SessionKey> {
  size_t operator()(const fixgate::ordering::SessionKey& k) const noexcept {
    return std::hash<std::string_view>()(k.view());
  }
};
