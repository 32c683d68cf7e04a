// Compiled with -std=c++14: QuickFIX 1.15 headers use dynamic exception specifications.
#include "quickfix_codec.h"

#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>

#include <vector>

#include "bench_messages.h"

namespace fixgate_bench {

// The field values as std::strings, as an application holds them (see codec_bench.cc).
struct QuickFixCodec::Impl {
  FIX::DataDictionary dd;
  FIX::Message msg;
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> body;
  explicit Impl(const std::string& path) : dd(path) {
    for (const TagValue& f : kHeader) header.emplace_back(f.value);
    for (const BenchMessage& m : kMessages) {
      body.emplace_back();
      for (size_t i = 0; i < m.body_size; ++i) body.back().emplace_back(m.body[i].value);
    }
  }
};

QuickFixCodec::QuickFixCodec(const std::string& path) : impl_(new Impl(path)) {}
QuickFixCodec::~QuickFixCodec() = default;

void QuickFixCodec::encode(int index, std::string& out) {
  const BenchMessage& m = kMessages[index];
  const std::vector<std::string>& values = impl_->body[static_cast<size_t>(index)];
  FIX::Message msg;
  FIX::Header& h = msg.getHeader();
  h.setField(FIX::FIELD::BeginString, "FIX.4.4");
  h.setField(FIX::FIELD::MsgType, m.msg_type);
  for (size_t k = 0; k < impl_->header.size(); ++k) h.setField(kHeader[k].tag, impl_->header[k]);
  size_t i = 0;
  for (; i < m.body_size; ++i) {
    msg.setField(m.body[i].tag, values[i]);
    if (m.body[i].tag == m.group_count_tag) {
      ++i;
      break;
    }
  }
  for (size_t e = 0; e < m.group_entries; ++e) {
    FIX::Group g(m.group_count_tag, m.group_delimiter);
    for (size_t k = 0; k < m.group_entry_size; ++k, ++i) g.setField(m.body[i].tag, values[i]);
    msg.addGroup(g);
  }
  for (; i < m.body_size; ++i) msg.setField(m.body[i].tag, values[i]);
  msg.toString(out);
}

size_t QuickFixCodec::parse(const std::string& wire) {
  // QuickFIX needs the dictionary to split repeating groups; its sessions always pass it.
  impl_->msg.setString(wire, true, &impl_->dd);
  return impl_->msg.totalFields();
}

bool QuickFixCodec::parse_validate(const std::string& wire) {
  try {
    impl_->msg.setString(wire, true, &impl_->dd);
    impl_->dd.validate(impl_->msg);
    return true;
  } catch (const std::exception&) {
    return false;
  }
}

}  // namespace fixgate_bench
