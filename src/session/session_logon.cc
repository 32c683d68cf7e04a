// The Logon exchange: checking the counterparty's Logon, answering it, and the sequence resets
// a Logon carries (ResetSeqNumFlag, at logon or during the session), with NextExpectedMsgSeqNum.
// Rules cite the FIX 4.4 Volume 2 session test cases by number ("1B(c)", "1S").
#include "fixgate/codec/values.h"
#include "fixgate/session/session.h"
#include "session_internal.h"

namespace fixgate::session {

using namespace internal;

// Why a Logon is invalid (1B(d), 1S, 17), or nullopt.
std::optional<std::string> Session::check_logon(const codec::Message& msg,
                                                std::string_view invalid_tag) {
  if (!invalid_tag.empty()) return "Invalid tag number, field=" + std::string(invalid_tag);
  if (!codec::parse_uint(msg.get(tag::HeartBtInt).value_or("")))
    return "HeartBtInt (108) missing or invalid";
  // 17: the session does no in-band encryption (TLS is the transport's); a Logon asking for it
  // cannot be honoured.
  if (auto em = msg.get(tag::EncryptMethod); em && *em != "0")
    return "Unsupported EncryptMethod (98) " + std::string(*em) + ", only 0 (None)";
  // FIXT.1.1: DefaultApplVerID is required in the Logon.
  if (config_.id.begin_string == "FIXT.1.1" && msg.get(tag::DefaultApplVerID).value_or("").empty())
    return "Required tag missing, field=1137 (DefaultApplVerID)";
  if (validator_) {
    if (auto err = validator_->validate(msg)) return err->text();
  }
  return std::nullopt;
}

void Session::on_logon(const codec::Message& msg, SeqNum seq, std::string_view invalid_tag,
                       Now now) {
  const bool reset = has_reset_flag(msg);
  if (logon_received_) {
    if (reset) {
      on_reset_logon(msg, seq, now);
      return;
    }
    emit(SessionEvent::Type::kLog, "Logon received on a logged-on session ignored", seq);
    consume(seq);
    return;
  }
  if (config_.role == Role::kInitiator && !logon_sent_) {
    disconnect("unexpected Logon", now);
    return;
  }
  if (auto why = check_logon(msg, invalid_tag)) {
    send_logout(*why, now);
    disconnect("invalid Logon: " + *why, now);
    return;
  }
  if (config_.role == Role::kAcceptor && hooks_.on_logon) {
    if (auto refusal = hooks_.on_logon(msg)) {  // 1B(c): unauthenticated
      send_logout(*refusal, now);
      disconnect("Logon refused: " + *refusal, now, DisconnectCause::kLogonRefused);
      return;
    }
  }
  // ResetSeqNumFlag=Y: the counterparty starts both directions again at 1. Unless this answers
  // our own 141=Y, we reset too and say so with 141=Y: an acceptor in its Logon reply, an
  // initiator (whose Logon went out before) in a second Logon at 1, as QuickFIX does.
  bool answer_reset = false;
  if (reset && !reset_sent_) {
    reset_sequences(now);
    answer_reset = true;
  } else if (reset) {
    reset_sent_ = false;  // the answer to ours
  } else if (config_.role == Role::kAcceptor && config_.reset_on_logon) {
    // ResetOnLogon on an acceptor resets our numbers, but asks nothing of the initiator: 141=Y
    // answers a 141=Y (QuickFIX's acceptor does the same).
    reset_sequences(now);
  }
  if (seq < next_target_) {
    std::string text = "MsgSeqNum too low, expecting " + std::to_string(next_target_.value) +
                       " but received " + std::to_string(seq.value);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }
  if (config_.max_sequence_gap && seq.value - next_target_.value > config_.max_sequence_gap) {
    std::string text = gap_too_large(next_target_, seq, config_.max_sequence_gap);
    send_logout(text, now);
    disconnect(text, now);
    return;
  }
  logon_received_ = true;
  disarm(Timer::kLogon);
  // FIXT.1.1: the counterparty's messages without ApplVerID are of its DefaultApplVerID (code
  // or, read as QuickFIX reads it, name); validated with that dictionary where we have it.
  const std::string_view peer_default = msg.get(tag::DefaultApplVerID).value_or("");
  const std::string_view peer_code = dict::appl_ver_id_code(peer_default);
  peer_appl_ver_id_ = std::string(peer_code.empty() ? peer_default : peer_code);
  if (validator_ && config_.app_dictionary &&
      (peer_appl_ver_id_.empty() || !validator_->set_default_appl_ver_id(peer_appl_ver_id_)) &&
      !config_.default_appl_ver_id.empty())
    validator_->set_default_appl_ver_id(config_.default_appl_ver_id);
  // Our Logon reply's NextExpectedMsgSeqNum counts the Logon just received when it is the
  // expected one; after a too-high Logon it names the first missing number.
  const bool in_sequence = seq == next_target_;
  if (in_sequence) advance_target(seq);
  // What the counterparty can have seen of ours: everything before our Logon reply.
  const SeqNum sender_at_logon = next_sender_;
  if (config_.role == Role::kAcceptor) {
    heartbeat_interval_ =
        std::chrono::seconds(*codec::parse_uint(msg.get(tag::HeartBtInt).value()));
    set_status(SessionStatus::kLoggingIn);
    send_logon(answer_reset, now);  // 1B(a)
  }
  stats_.session_start = now.utc;
  ++stats_.logons;
  set_status(SessionStatus::kLoggedIn);
  emit_admin(msg.bytes(), seq);
  if (config_.role == Role::kInitiator && answer_reset) {
    // An acceptor reset without being asked: our Logon went out under the old numbers, so a
    // second one at 1 tells it ours start again too; its answer (another 141=Y) ends the reset.
    emit(SessionEvent::Type::kLog, "counterparty reset the sequence numbers unasked: answering");
    send_logon(/*reset_flag=*/true, now);
    reset_sent_ = true;
  }
  arm_test_request(now.mono);
  arm_heartbeat(last_sent_);

  // NextExpectedMsgSeqNum (789): the counterparty says what it expects from us. Higher than
  // anything we sent is unrecoverable; lower means we resend from there, after our Logon.
  if (config_.enable_next_expected_msg_seq_num) {
    if (auto expected = codec::parse_uint(msg.get(tag::NextExpectedMsgSeqNum).value_or(""))) {
      if (*expected > sender_at_logon.value) {
        std::string text = "NextExpectedMsgSeqNum " + std::to_string(*expected) +
                           " is higher than our next MsgSeqNum " +
                           std::to_string(sender_at_logon.value);
        send_logout(text, now);
        disconnect(text, now);
        return;
      }
      if (*expected > 0 && *expected < sender_at_logon.value)
        resend(SeqNum(*expected), SeqNum(sender_at_logon.value - 1), now);
    }
  }
  if (!in_sequence) {
    // 1B(a), 1S: too high. Ask for the gap after our Logon reply; the Logon waits in the queue
    // for its turn, where it is only counted.
    queue_.emplace(seq.value, std::string(msg.bytes()));
    request_gap(seq, now);
    return;
  }
  if (!gap_outstanding()) set_status(SessionStatus::kActive);
}

// A Logon with ResetSeqNumFlag=Y on a logged-on session (Vol. 2, sequence reset via Logon): the
// counterparty starts again at 1, and the session goes on from 2 in both directions. Either it
// answers our own such Logon, or we reset too and answer it with one (141=Y, MsgSeqNum 1).
void Session::on_reset_logon(const codec::Message& msg, SeqNum seq, Now now) {
  emit_admin(msg.bytes(), seq);
  if (reset_sent_) {
    reset_sent_ = false;  // our numbers went back to 1 when we asked
  } else {
    emit(SessionEvent::Type::kLog, "Logon with ResetSeqNumFlag=Y during the session: resetting");
    reset_sequences(now);
    send_logon(/*reset_flag=*/true, now);
  }
  // Whatever was expected or queued belongs to the numbers before the reset.
  queue_.clear();
  resend_end_.reset();
  next_target_ = seq.next();
  if (status_ == SessionStatus::kLoggedIn && !gap_outstanding()) set_status(SessionStatus::kActive);
}

}  // namespace fixgate::session
