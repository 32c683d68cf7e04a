// FixMessageKeys: a parsed FIX message seen as a KeyExtractor. A metadata name is a tag number
// ("11"), a header field name ("SenderCompID"), a field name the caller's resolver knows
// ("ClOrdID"), or "session" (the FIX session id the caller supplies).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "fixgate/codec/field.h"
#include "fixgate/codec/message.h"
#include "fixgate/ordering/key_extractor.h"

namespace fixgate::ordering {

// Maps field names to tags. The ordering layer knows no dictionary (DESIGN.md layering); the
// engine passes one built from dict::Dictionary, tests and small programs pass a map.
class FieldNames {
 public:
  using Resolver = std::function<std::optional<Tag>(std::string_view name)>;

  FieldNames() = default;  // header field names only
  explicit FieldNames(std::unordered_map<std::string, Tag> names);
  explicit FieldNames(Resolver resolver) : resolver_(std::move(resolver)) {}

  // The tag named `name`: the standard header/trailer names first, then the map or resolver.
  std::optional<Tag> tag_of(std::string_view name) const;
  // The standard name of header/trailer field `tag` ("MsgType" for 35), or empty.
  static std::string_view header_name_of(Tag tag);

 private:
  // Transparent, so a lookup by string_view does not build a std::string.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const noexcept {
      return std::hash<std::string_view>()(s);
    }
  };
  std::unordered_map<std::string, Tag, NameHash, std::equal_to<>> names_;
  Resolver resolver_;
};

// A view: `message`, `names` and `session_id` must outlive it. Cheap to build per message.
class FixMessageKeys final : public KeyExtractor {
 public:
  static constexpr std::string_view kSession = "session";

  FixMessageKeys(const codec::Message& message, const FieldNames& names,
                 std::string_view session_id = {})
      : message_(message), names_(names), session_id_(session_id) {}

  // With repeating groups the first occurrence of a tag wins, as in codec::Message::get.
  std::optional<std::string> metadata(std::string_view name) const override;
  // "session" (when a session id was given), then the standard name of each header field and
  // the tag number of every other field present, in message order without duplicates.
  std::vector<std::string> metadata_keys() const override;

 private:
  std::optional<Tag> tag_for(std::string_view name) const;
  const codec::Message& message_;
  const FieldNames& names_;
  std::string_view session_id_;
};

}  // namespace fixgate::ordering
