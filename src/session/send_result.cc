#include "fixgate/session/send_result.h"

namespace fixgate::session {

std::string_view to_string(SendCode code) {
  switch (code) {
    case SendCode::kSent:
      return "sent";
    case SendCode::kNotLoggedOn:
      return "not logged on";
    case SendCode::kVetoed:
      return "vetoed";
    case SendCode::kBackPressured:
      return "back-pressured";
    case SendCode::kStoreFailed:
      return "store failed";
    case SendCode::kRefused:
      return "refused";
  }
  return "unknown";
}

const std::string& SendResult::message() const {
  if (!text_.empty() || code_ == SendCode::kSent) return text_;
  // Made once: a refusal without a text of its own allocates nothing.
  static const std::string kDescriptions[] = {
      "",
      "not logged on",
      "vetoed by the application (to_app)",
      "back-pressured: the session's unwritten outbound bytes are at its high-water mark "
      "(outbound_high_water); try again once the counterparty reads",
      "the store failed to commit the message",
      "refused",
  };
  return kDescriptions[static_cast<size_t>(code_)];
}

}  // namespace fixgate::session
