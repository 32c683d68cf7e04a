// libFuzzer target: framer + parser + validator (FIX 4.4 dictionary, or the built-in one), typed
// reads and group walks on every parsed message, and the message builder writing its body again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/codec/message_builder.h"
#include "fixgate/dict/groups.h"
#include "fixgate/dict/validator.h"

using namespace fixgate;

namespace {
dict::Dictionary::Ptr load() {
  auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/FIX44.xml");
  if (!d) abort();
  return *d;
}
// Every typed read of every field: whatever the text, a value or an error, never a crash; and
// an error is never "absent" for a tag that is there.
template <typename... T>
void read_all_types(const codec::FieldRange& fields) {
  for (const codec::Field& f : fields)
    if ((false || ... || fields.get<T>(f.tag).absent())) abort();
}

// A group walked by its delimiter: entries in order, each starting with the delimiter, none
// past the declared count, nested groups within their entry.
void walk_group(const codec::GroupRange& g, Tag nested_count, Tag nested_delimiter) {
  if (g.size() > g.declared_count() || (g.ok() && g.size() != g.declared_count())) abort();
  size_t n = 0;
  for (codec::FieldRange entry : g) {
    if (entry.empty() || entry[0].tag != g.delimiter()) abort();
    if (nested_count != 0) walk_group(entry.group(nested_count, nested_delimiter), 0, 0);
    ++n;
  }
  if (n != g.size()) abort();
}

// The body written again by a builder, field by field as text: refused exactly when a field
// cannot be written (empty, SOH inside, a framing tag), and otherwise the very same bytes.
void rebuild(const codec::Message& msg) {
  static codec::MessageBuilder b;
  b.reset(msg.msg_type());
  bool writable = !msg.msg_type().empty();
  const std::span<const codec::Field> fields = msg.without_trailer();
  for (size_t i = 3; i < fields.size(); ++i) {  // after 8, 9, 35
    const codec::Field& f = fields[i];
    b.set(f.tag, f.value);
    writable &= !f.value.empty() && f.value.find(codec::kSoh) == std::string_view::npos &&
                f.tag != 8 && f.tag != 9 && f.tag != 10 && f.tag != 35;
  }
  if (b.ok() != writable) abort();
  if (b.ok() && fields.size() > 3) {
    const char* first = fields[3].value.data() - (b.body().find('=') + 1);
    const char* end = msg.bytes().data() + msg.bytes().size();
    if (b.body().size() > static_cast<size_t>(end - first) ||
        std::string_view(first, b.body().size()) != b.body())
      abort();
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const dict::Dictionary::Ptr fix44 = load();
  static dict::Validator strict(fix44);
  static dict::Validator lenient(fix44, {.validate_fields_out_of_order = false,
                                         .validate_fields_have_values = false,
                                         .validate_user_defined_fields = false,
                                         .allow_unknown_message_fields = true});
  static dict::Validator session(dict::Dictionary::builtin("FIX.4.4"));
  std::string_view in(reinterpret_cast<const char*>(data), size);
  codec::Message msg;
  // Parse the raw input directly too: the parser must cope with anything, framed or not.
  (void)msg.parse(in);
  while (!in.empty()) {
    codec::Frame f = codec::next_frame(in, {.validate_checksum = (size & 1) == 0});
    if (f.status == codec::FrameStatus::kNeedMore) break;
    if (f.status == codec::FrameStatus::kMessage && msg.parse(f.bytes).ok()) {
      (void)strict.validate(msg);
      (void)lenient.validate(msg);
      (void)session.validate(msg);
      for (Tag t : {Tag{268}, Tag{453}, Tag{627}, Tag{78}}) {
        if (auto g = dict::GroupView::find(msg, *fix44, t)) {
          for (size_t i = 0; i < g->size(); ++i) (void)g->entry(i);
          for (codec::FieldRange entry : *g) read_all_types<int64_t>(entry);
        }
      }
      read_all_types<char, bool, int64_t, uint64_t, uint8_t, codec::Decimal, codec::UtcTimestamp,
                     codec::UtcTimeOnly, codec::Date, codec::MonthYear>(
          codec::FieldRange(msg.fields()));
      walk_group(msg.group(tag::NoPartyIDs, tag::PartyID), tag::NoPartySubIDs, tag::PartySubID);
      walk_group(msg.group(tag::NoMDEntries, tag::MDEntryType), 0, 0);
      walk_group(msg.group(tag::NoHops, tag::HopCompID), 0, 0);
      rebuild(msg);
      // A copy of a parse (as a session event carries it) reads exactly as the parse itself.
      static codec::Message copied;
      const std::string copy(f.bytes);
      copied.assign_copy(msg, copy);
      if (copied.size() != msg.size() || copied.msg_type() != msg.msg_type() ||
          copied.seq_num() != msg.seq_num())
        abort();
      for (size_t i = 0; i < msg.size(); ++i)
        if (copied[i].tag != msg[i].tag || copied[i].value != msg[i].value ||
            copied[i].value.data() - copy.data() != msg[i].value.data() - f.bytes.data())
          abort();
    }
    in.remove_prefix(f.consumed());
  }
  return 0;
}
