// SessionKey validation and the deterministic encoding of arbitrary field values into keys.
#include "fixgate/ordering/session_key.h"

#include <cstdint>

namespace fixgate::ordering {
namespace {

bool is_key_char(unsigned char c) { return c > 0x20 && c < 0x7f; }

// FNV-1a, 64 bit: stable across runs and platforms, unlike std::hash, so a shortened key is
// the same in every process (keys appear in logs and the admin API).
uint64_t fnv1a(std::string_view s) {
  uint64_t h = 0xcbf29ce484222325ull;
  for (unsigned char c : s) {
    h ^= c;
    h *= 0x100000001b3ull;
  }
  return h;
}

constexpr char kHex[] = "0123456789ABCDEF";

}  // namespace

Status SessionKey::validate(std::string_view text) {
  if (text.empty()) return Status::error("session key: empty");
  if (text.size() > kMaxLength) {
    std::string message = "session key: ";
    message.append(std::to_string(text.size()))
        .append(" characters, more than the maximum ")
        .append(std::to_string(kMaxLength));
    return Status::error(std::move(message));
  }
  for (size_t i = 0; i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (is_key_char(c)) continue;
    const char* what = c == ' '                ? "a space"
                       : c < 0x20 || c == 0x7f ? "a control character"
                                               : "a non-ASCII byte";
    // Appends, not operator+ chains: g++ 12 -O3 reports a false -Wrestrict on those.
    std::string message = "session key: ";
    message.append(what).append(" (0x").push_back(kHex[c >> 4]);
    message.push_back(kHex[c & 15]);
    message.append(") at position ").append(std::to_string(i));
    return Status::error(std::move(message));
  }
  return Status::ok();
}

Result<SessionKey> SessionKey::make(std::string_view text) {
  Status s = validate(text);
  if (!s.is_ok()) return s;
  return SessionKey(std::string(text));
}

SessionKey SessionKey::encode(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (unsigned char c : text) {
    if (is_key_char(c) && c != '%') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 15]);
    }
  }
  // The empty value is a value too: a lone "%" cannot come from escaping.
  if (out.empty()) out.push_back('%');
  if (out.size() > kMaxLength) {
    uint64_t h = fnv1a(out);
    out.resize(kMaxLength - 17);
    out.push_back('~');
    for (int shift = 60; shift >= 0; shift -= 4) out.push_back(kHex[(h >> shift) & 15]);
  }
  // Invariant: every byte is printable, non-space ASCII and the length is within bounds.
  assert(validate(out).is_ok());
  return SessionKey(std::move(out));
}

}  // namespace fixgate::ordering
