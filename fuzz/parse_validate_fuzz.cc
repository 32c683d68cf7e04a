// libFuzzer target: framer + parser + validator (FIX 4.4 dictionary, or the built-in one).
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "fixgate/codec/framer.h"
#include "fixgate/codec/message.h"
#include "fixgate/dict/groups.h"
#include "fixgate/dict/validator.h"

using namespace fixgate;

namespace {
dict::Dictionary::Ptr load() {
  auto d = dict::Dictionary::load_file(std::string(FIXGATE_DICT_DIR) + "/FIX44.xml");
  if (!d) abort();
  return *d;
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
        }
      }
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
