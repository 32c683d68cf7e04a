#include "decode.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <ostream>
#include <unordered_map>
#include <vector>

#include "fixgate/codec/checksum.h"
#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/validator.h"
#include "fixgate/engine/file_log.h"

namespace fixgate::cli {
namespace {

// Normalises separators to SOH and drops the "timestamp : " that message logs write before each
// message. Keeps, for every output byte, its offset in the original input so errors name the
// offset the user sees.
struct Normalised {
  std::string bytes;
  std::vector<size_t> origin;  // origin[i] = offset in the input of bytes[i]; origin.back() = end
  std::unordered_map<size_t, std::string_view> stamps;  // offset in bytes -> its line's timestamp

  std::string_view stamp_at(size_t at) const {
    auto it = stamps.find(at);
    return it == stamps.end() ? std::string_view() : it->second;
  }
};

Normalised normalise(std::string_view in) {
  Normalised n;
  n.bytes.reserve(in.size());
  n.origin.reserve(in.size() + 1);
  const bool has_soh = in.find(codec::kSoh) != std::string_view::npos;
  for (size_t i = 0; i < in.size(); ++i) {
    if (i == 0 || in[i - 1] == '\n') {
      std::string_view stamp;
      if (size_t skip = engine::log_line_prefix(in.substr(i), stamp)) {
        n.stamps[n.bytes.size()] = stamp;
        i += skip;
        if (i == in.size()) break;
      }
    }
    char c = in[i];
    n.origin.push_back(i);
    if (!has_soh && c == '^' && i + 1 < in.size() && in[i + 1] == 'A') {
      n.bytes.push_back(codec::kSoh);
      ++i;
    } else if (!has_soh && c == '|') {
      n.bytes.push_back(codec::kSoh);
    } else {
      n.bytes.push_back(c);
    }
  }
  n.origin.push_back(in.size());
  return n;
}

bool only_whitespace(std::string_view s) {
  return s.find_first_not_of(" \t\r\n") == std::string_view::npos;
}

const dict::Dictionary* dictionary_for(const DecodeOptions& opt, const codec::Message& msg) {
  if (opt.dictionary) return opt.dictionary.get();
  auto d = dict::Dictionary::builtin(msg.begin_string());
  return d.get();  // builtins are cached for the process lifetime
}

// Nesting depth of every field, following the dictionary's groups (0 = top level).
std::vector<int> depths(const codec::Message& msg, const dict::Dictionary* d) {
  std::vector<int> depth(msg.size(), 0);
  if (!d) return depth;
  const dict::MessageDef* def = d->message(msg.msg_type());
  struct Level {
    const dict::FieldSet* set;
    bool started;
  };
  std::vector<Level> stack;
  for (size_t i = 0; i < msg.size(); ++i) {
    Tag t = msg[i].tag;
    while (!stack.empty() && stack.back().set->index_of(t) < 0) stack.pop_back();
    if (!stack.empty() && stack.back().set->index_of(t) == 0) stack.back().started = true;
    depth[i] = static_cast<int>(stack.size());
    const dict::Member* m = nullptr;
    if (!stack.empty()) {
      m = stack.back().set->find(t);
    } else {
      m = d->header().find(t);
      if (!m && def) m = def->body.find(t);
    }
    if (m && m->group) stack.push_back({m->group, false});
  }
  return depth;
}

// Where a message was: its offset in the input and, read from a message log, its timestamp.
struct Where {
  size_t offset = 0;
  std::string_view stamp;
};

void print_json(const codec::Message& msg, Where where, const dict::Dictionary* d,
                const std::optional<dict::ValidationError>& problem, std::ostream& out) {
  const dict::MessageDef* def = d ? d->message(msg.msg_type()) : nullptr;
  auto depth = depths(msg, d);
  nlohmann::json j;
  j["offset"] = where.offset;
  if (!where.stamp.empty()) j["time"] = std::string(where.stamp);
  j["msg_type"] = std::string(msg.msg_type());
  if (def) j["msg_name"] = def->name;
  auto& fields = j["fields"] = nlohmann::json::array();
  for (size_t i = 0; i < msg.size(); ++i) {
    const auto& f = msg[i];
    nlohmann::json jf{{"tag", f.tag}, {"value", std::string(f.value)}};
    if (const dict::FieldDef* fd = d ? d->field(f.tag) : nullptr) {
      jf["name"] = fd->name;
      if (auto desc = fd->enum_description(f.value); !desc.empty()) jf["enum"] = std::string(desc);
    }
    if (depth[i] > 0) jf["depth"] = depth[i];
    fields.push_back(std::move(jf));
  }
  if (problem)
    j["reject"] = {{"reason", static_cast<int>(problem->reason)},
                   {"tag", problem->tag},
                   {"text", problem->text()}};
  out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
}

void print_message(const codec::Message& msg, Where where, const DecodeOptions& opt,
                   const std::optional<dict::ValidationError>& problem, std::ostream& out) {
  const dict::Dictionary* d = dictionary_for(opt, msg);
  if (opt.json) return print_json(msg, where, d, problem, out);
  const dict::MessageDef* def = d ? d->message(msg.msg_type()) : nullptr;
  auto depth = depths(msg, d);
  if (opt.compact && !where.stamp.empty()) out << where.stamp << " : ";
  if (!opt.compact) {
    out << "# offset " << where.offset;
    if (!where.stamp.empty()) out << " at " << where.stamp;
    out << ": " << msg.msg_type();
    if (def) out << " (" << def->name << ")";
    out << '\n';
  }
  for (size_t i = 0; i < msg.size(); ++i) {
    const auto& f = msg[i];
    const dict::FieldDef* fd = d ? d->field(f.tag) : nullptr;
    std::string_view desc = fd ? fd->enum_description(f.value) : std::string_view();
    if (opt.compact) {
      if (i) out << " | ";
      out << (fd ? fd->name : std::to_string(f.tag)) << '=' << f.value;
      if (!desc.empty()) out << '(' << desc << ')';
      continue;
    }
    out << std::string(static_cast<size_t>(depth[i]) * 2, ' ');
    if (fd) {
      out << fd->name << " (" << f.tag << ") = ";
    } else {
      out << f.tag << " = ";
    }
    // Data fields may hold SOH and other control bytes; show them visibly.
    for (char c : f.value) {
      if (c == codec::kSoh)
        out << "^A";
      else
        out << c;
    }
    if (!desc.empty()) out << " (" << desc << ")";
    out << '\n';
  }
  if (opt.compact) out << '\n';
  if (problem) out << "# reject: " << problem->text() << '\n';
  if (!opt.compact) out << '\n';
}

// Where the CheckSum field that ends the body after `body` starts (a SOH before "10=ddd" and a
// SOH after), or npos.
size_t find_trailer(std::string_view frame, size_t body) {
  for (size_t t = frame.find("\x01"
                             "10=",
                             body ? body - 1 : 0);
       t != std::string_view::npos; t = frame.find("\x01"
                                                   "10=",
                                                   t + 1)) {
    std::string_view digits = frame.substr(t + 4, 4);
    if (digits.size() == 4 && digits[3] == codec::kSoh &&
        std::all_of(digits.begin(), digits.end() - 1, [](char c) { return c >= '0' && c <= '9'; }))
      return t + 1;
  }
  return std::string_view::npos;
}

// "BodyLength 120 declared, 118 expected" when `frame` (8=…|9=…|…) has a CheckSum field
// elsewhere than its BodyLength says; empty when that is not the problem.
std::string body_length_detail(std::string_view frame) {
  const size_t nine = frame.find(
      "\x01"
      "9=");
  if (nine == std::string_view::npos) return {};
  const size_t body = frame.find(codec::kSoh, nine + 1) + 1;
  if (body == 0) return {};
  const std::string_view declared = frame.substr(nine + 3, body - 1 - (nine + 3));
  const size_t trailer = find_trailer(frame, body);
  if (trailer == std::string_view::npos || std::to_string(trailer - body) == declared) return {};
  return "BodyLength (9) " + std::string(declared) + " declared, " +
         std::to_string(trailer - body) + " expected";
}

// The framer's complaint, with the expected and found values where there are some.
std::string garbled_detail(const codec::Frame& f) {
  std::string what(codec::to_string(f.error));
  if (f.error == codec::FrameError::kBadChecksum) {
    char expected[3];
    codec::write_checksum_digits(codec::checksum(f.bytes.substr(0, f.bytes.size() - 7)), expected);
    what += ": " + std::string(expected, 3) + " expected, " +
            std::string(f.bytes.substr(f.bytes.size() - 4, 3)) + " found";
  } else if (f.error == codec::FrameError::kBadTrailer) {
    if (std::string length = body_length_detail(f.bytes); !length.empty()) what = length;
  }
  return what;
}

void report(size_t offset, const std::string& what, const DecodeOptions& opt, std::ostream& out,
            std::ostream& err) {
  if (opt.json) {
    out << nlohmann::json{{"offset", offset}, {"error", what}}.dump() << '\n';
  } else {
    err << "fixgate decode: offset " << offset << ": " << what << '\n';
  }
}

}  // namespace

int decode(std::string_view input, const DecodeOptions& opt, std::ostream& out, std::ostream& err) {
  Normalised n = normalise(input);
  std::string_view rest = n.bytes;
  size_t pos = 0;
  int status = 0;
  codec::Message msg;
  std::optional<dict::Validator> validator;
  if (opt.validate && opt.dictionary) validator.emplace(opt.dictionary);
  while (!rest.empty()) {
    codec::Frame f = codec::next_frame(rest);
    if (f.discarded > 0 && !only_whitespace(rest.substr(0, f.discarded))) {
      report(n.origin[pos],
             "skipped " + std::to_string(f.discarded) + " bytes that are not a FIX message", opt,
             out, err);
      status = 1;
    }
    const size_t at = pos + f.discarded;
    if (f.status == codec::FrameStatus::kNeedMore) {
      if (f.discarded < rest.size()) {
        const std::string_view tail = rest.substr(f.discarded);
        std::string length = body_length_detail(tail);
        report(n.origin[at],
               length.empty() ? "incomplete message at end of input (" +
                                    std::to_string(tail.size()) + " bytes)"
                              : "garbled message: " + length,
               opt, out, err);
        status = 1;
      }
      break;
    }
    if (f.status == codec::FrameStatus::kGarbled) {
      report(n.origin[at], "garbled message: " + garbled_detail(f), opt, out, err);
      status = 1;
    } else if (auto r = msg.parse(f.bytes, opt.dictionary ? opt.dictionary->data_fields()
                                                          : codec::DataFieldTable::standard());
               !r.ok()) {
      report(n.origin[at + r.offset],
             "malformed message: " + std::string(codec::to_string(r.error)), opt, out, err);
      status = 1;
    } else {
      std::optional<dict::ValidationError> problem;
      if (opt.validate) {
        if (!validator) validator.emplace(dict::Dictionary::builtin(msg.begin_string()));
        problem = validator->validate(msg);
      }
      print_message(msg, {n.origin[at], n.stamp_at(at)}, opt, problem, out);
    }
    pos += f.consumed();
    rest.remove_prefix(f.consumed());
  }
  return status;
}

}  // namespace fixgate::cli
