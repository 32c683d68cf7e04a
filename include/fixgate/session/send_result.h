// What a send of an application message came to: a code for the program (retry later, log on
// first, give up) and a text for people. Success costs what a Status does: no allocation.
#pragma once

#include <cassert>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "fixgate/base/result.h"

namespace fixgate::session {

// Every outcome but kSent sent nothing and used no sequence number.
enum class SendCode : uint8_t {
  kSent,           // committed to the store; the event loop writes it
  kNotLoggedOn,    // the session is not logged on (connecting, logging out, disconnected)
  kVetoed,         // the application's to_app hook refused it (QuickFIX's DoNotSend)
  kBackPressured,  // the unwritten outbound bytes are at the high-water mark: try again later
  kStoreFailed,    // the store failed to commit it: the session stops (status kError)
  kRefused,        // misuse: not started, from inside a session hook, a builder that is not ok()
};
std::string_view to_string(SendCode code);

class [[nodiscard]] SendResult {
 public:
  SendResult() = default;  // kSent
  static SendResult sent() { return SendResult(); }
  // `text` says why; empty: the code's own description (see message()).
  static SendResult failed(SendCode code, std::string text = {}) {
    assert(code != SendCode::kSent);
    return SendResult(code, std::move(text));
  }

  SendCode code() const { return code_; }
  bool is_ok() const { return code_ == SendCode::kSent; }
  explicit operator bool() const { return is_ok(); }
  // Why it failed; empty when sent. A failure made without a text of its own (a back-pressured
  // send, which a busy sender may meet over and over) gives its code's description, so that the
  // refusal allocates nothing.
  const std::string& message() const;

  // As a Status, for code written before SendResult: ok, or an error with message().
  operator Status() const& { return is_ok() ? Status::ok() : Status::error(message()); }
  operator Status() && {
    if (is_ok()) return Status::ok();
    return Status::error(text_.empty() ? message() : std::move(text_));
  }

 private:
  SendResult(SendCode code, std::string text) : text_(std::move(text)), code_(code) {}
  std::string text_;
  SendCode code_ = SendCode::kSent;
};

}  // namespace fixgate::session
