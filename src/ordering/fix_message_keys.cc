// FIX messages as KeyExtractors: name resolution (tag number, header name, caller's names,
// "session") and the metadata listing.
#include "fixgate/ordering/fix_message_keys.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <unordered_set>
#include <utility>

#include "fixgate/codec/tags.h"

namespace fixgate::ordering {
namespace {

struct NamedTag {
  std::string_view name;
  Tag tag;
};

// The standard header and trailer fields (codec::HeaderSlot) plus the routing fields every
// FIX version shares; known without a dictionary.
constexpr std::array<NamedTag, 23> kHeaderNames{{
    {"BeginString", tag::BeginString},
    {"BodyLength", tag::BodyLength},
    {"MsgType", tag::MsgType},
    {"SenderCompID", tag::SenderCompID},
    {"TargetCompID", tag::TargetCompID},
    {"MsgSeqNum", tag::MsgSeqNum},
    {"SendingTime", tag::SendingTime},
    {"PossDupFlag", tag::PossDupFlag},
    {"PossResend", tag::PossResend},
    {"OrigSendingTime", tag::OrigSendingTime},
    {"SenderSubID", tag::SenderSubID},
    {"SenderLocationID", tag::SenderLocationID},
    {"TargetSubID", tag::TargetSubID},
    {"TargetLocationID", tag::TargetLocationID},
    {"OnBehalfOfCompID", tag::OnBehalfOfCompID},
    {"OnBehalfOfSubID", tag::OnBehalfOfSubID},
    {"DeliverToCompID", tag::DeliverToCompID},
    {"DeliverToSubID", tag::DeliverToSubID},
    {"ApplVerID", tag::ApplVerID},
    {"CstmApplVerID", tag::CstmApplVerID},
    {"LastMsgSeqNumProcessed", tag::LastMsgSeqNumProcessed},
    {"MessageEncoding", tag::MessageEncoding},
    {"CheckSum", tag::CheckSum},
}};

// "11" -> 11; nullopt unless 1-9 digits without a leading zero (the codec's tag grammar).
std::optional<Tag> parse_tag(std::string_view s) {
  if (s.empty() || s.size() > 9 || s[0] == '0') return std::nullopt;
  Tag t = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), t);
  if (ec != std::errc() || end != s.data() + s.size()) return std::nullopt;
  return t;
}

}  // namespace

FieldNames::FieldNames(std::unordered_map<std::string, Tag> names)
    : names_(names.begin(), names.end()) {}

std::optional<Tag> FieldNames::tag_of(std::string_view name) const {
  for (const NamedTag& h : kHeaderNames)
    if (h.name == name) return h.tag;
  if (!names_.empty()) {
    auto it = names_.find(name);
    if (it != names_.end()) return it->second;
  }
  if (resolver_) return resolver_(name);
  return std::nullopt;
}

std::string_view FieldNames::header_name_of(Tag tag) {
  for (const NamedTag& h : kHeaderNames)
    if (h.tag == tag) return h.name;
  return {};
}

std::optional<Tag> FixMessageKeys::tag_for(std::string_view name) const {
  if (auto t = parse_tag(name)) return t;
  return names_.tag_of(name);
}

std::optional<std::string> FixMessageKeys::metadata(std::string_view name) const {
  if (name == kSession) {
    if (session_id_.empty()) return std::nullopt;
    return std::string(session_id_);
  }
  std::optional<Tag> tag = tag_for(name);
  if (!tag) return std::nullopt;
  std::optional<std::string_view> value = message_.get(*tag);
  if (!value) return std::nullopt;
  return std::string(*value);
}

std::vector<std::string> FixMessageKeys::metadata_keys() const {
  std::vector<std::string> out;
  out.reserve(message_.size() + 1);
  if (!session_id_.empty()) out.emplace_back(kSession);
  std::unordered_set<Tag> seen;
  for (const codec::Field& f : message_) {
    if (!seen.insert(f.tag).second) continue;
    std::string_view header = FieldNames::header_name_of(f.tag);
    out.push_back(header.empty() ? std::to_string(f.tag) : std::string(header));
  }
  return out;
}

}  // namespace fixgate::ordering
