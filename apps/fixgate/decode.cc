#include "decode.h"

#include <nlohmann/json.hpp>

#include <ostream>
#include <vector>

#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/validator.h"

namespace fixgate::cli {
namespace {

// Normalises separators to SOH. Keeps, for every output byte, its offset in the original
// input so errors name the offset the user sees.
struct Normalised {
  std::string bytes;
  std::vector<size_t> origin;  // origin[i] = offset in the input of bytes[i]; origin.back() = end
};

Normalised normalise(std::string_view in) {
  Normalised n;
  n.bytes.reserve(in.size());
  n.origin.reserve(in.size() + 1);
  const bool has_soh = in.find(codec::kSoh) != std::string_view::npos;
  for (size_t i = 0; i < in.size(); ++i) {
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

void print_message(const codec::Message& msg, size_t offset, const DecodeOptions& opt,
                   const std::optional<dict::ValidationError>& problem, std::ostream& out) {
  const dict::Dictionary* d = dictionary_for(opt, msg);
  const dict::MessageDef* def = d ? d->message(msg.msg_type()) : nullptr;
  auto depth = depths(msg, d);
  if (opt.json) {
    nlohmann::json j;
    j["offset"] = offset;
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
    if (problem) j["reject"] = {{"reason", static_cast<int>(problem->reason)}, {"tag", problem->tag},
                               {"text", problem->text()}};
    out << j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) << '\n';
    return;
  }
  if (!opt.compact) {
    out << "# offset " << offset << ": " << msg.msg_type();
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
      if (c == codec::kSoh) out << "^A";
      else out << c;
    }
    if (!desc.empty()) out << " (" << desc << ")";
    out << '\n';
  }
  if (opt.compact) out << '\n';
  if (problem) out << "# reject: " << problem->text() << '\n';
  if (!opt.compact) out << '\n';
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
      report(n.origin[pos], "skipped " + std::to_string(f.discarded) + " bytes that are not a FIX message",
             opt, out, err);
      status = 1;
    }
    const size_t at = pos + f.discarded;
    if (f.status == codec::FrameStatus::kNeedMore) {
      if (f.discarded < rest.size()) {
        report(n.origin[at],
               "incomplete message at end of input (" + std::to_string(rest.size() - f.discarded) +
                   " bytes)",
               opt, out, err);
        status = 1;
      }
      break;
    }
    if (f.status == codec::FrameStatus::kGarbled) {
      report(n.origin[at], "garbled message: " + std::string(codec::to_string(f.error)), opt, out, err);
      status = 1;
    } else if (auto r = msg.parse(f.bytes, opt.dictionary ? opt.dictionary->data_fields()
                                                          : codec::DataFieldTable::standard());
               !r.ok()) {
      report(n.origin[at + r.offset], "malformed message: " + std::string(codec::to_string(r.error)),
             opt, out, err);
      status = 1;
    } else {
      std::optional<dict::ValidationError> problem;
      if (opt.validate) {
        if (!validator) validator.emplace(dict::Dictionary::builtin(msg.begin_string()));
        problem = validator->validate(msg);
      }
      print_message(msg, n.origin[at], opt, problem, out);
    }
    pos += f.consumed();
    rest.remove_prefix(f.consumed());
  }
  return status;
}

}  // namespace fixgate::cli
