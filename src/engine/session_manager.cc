#include "fixgate/engine/session_manager.h"

namespace fixgate::engine {

namespace {
Status not_initialized(const char* what) {
  return Status::error(std::string(what) + ": initialize_session first");
}
}  // namespace

SessionManager::SessionManager(EngineOptions options) : options_(std::move(options)) {
  options_.threads = 1;
}
SessionManager::~SessionManager() { stop_session(); }

Status SessionManager::initialize_session(ManagerConfig config,
                                          std::unique_ptr<session::Store> store) {
  if (engine_ && engine_->running())
    return Status::error("initialize_session: the session is running");
  auto engine = std::make_unique<Engine>(options_);
  auto handle = engine->add_session(std::move(config), std::move(store));
  if (!handle) return handle.status();
  engine_ = std::move(engine);
  handle_ = *handle;
  for (auto& [type, h] : pending_handlers_) handle_->on(type, h);
  if (pending_listener_) handle_->on_event(pending_listener_);
  return Status::ok();
}

void SessionManager::on(std::string_view msg_type, Handler handler) {
  pending_handlers_.emplace_back(std::string(msg_type), handler);
  if (handle_) handle_->on(msg_type, std::move(handler));
}
void SessionManager::on_event(EventListener listener) {
  pending_listener_ = listener;
  if (handle_) handle_->on_event(std::move(listener));
}

Status SessionManager::start_session() {
  if (!engine_) return not_initialized("start_session");
  return engine_->start();
}

void SessionManager::stop_session() {
  if (engine_) engine_->stop();
}

bool SessionManager::is_session_active() const { return handle_ && handle_->is_session_active(); }
session::SessionStatus SessionManager::session_status() const {
  return handle_ ? handle_->session_status() : session::SessionStatus::kDisconnected;
}
bool SessionManager::wait_for_status(session::SessionStatus s,
                                     std::chrono::milliseconds timeout) const {
  return handle_ && handle_->wait_for_status(s, timeout);
}
SendResult SessionManager::send_message(std::string_view msg_type, std::string_view body) {
  if (!handle_)
    return SendResult::failed(SendCode::kRefused, "send_message: initialize_session first");
  return handle_->send_message(msg_type, body);
}
std::optional<ReceivedMessage> SessionManager::receive_message(std::chrono::milliseconds timeout) {
  return handle_ ? handle_->receive_message(timeout) : std::nullopt;
}
Status SessionManager::send_heartbeat() {
  return handle_ ? handle_->send_heartbeat() : not_initialized("send_heartbeat");
}
Status SessionManager::process_test_request(std::string_view id) {
  return handle_ ? handle_->process_test_request(id) : not_initialized("process_test_request");
}
Status SessionManager::process_sequence_reset(session::SeqNum s) {
  return handle_ ? handle_->process_sequence_reset(s) : not_initialized("process_sequence_reset");
}
Status SessionManager::resend_from_sequence(session::SeqNum from) {
  return handle_ ? handle_->resend_from_sequence(from) : not_initialized("resend_from_sequence");
}

Status SessionManager::reset_sequence_numbers() {
  return handle_ ? handle_->reset_sequence_numbers() : not_initialized("reset_sequence_numbers");
}
Status SessionManager::logout(std::string_view reason) {
  return handle_ ? handle_->logout(reason) : not_initialized("logout");
}
Status SessionManager::request_logoff(std::chrono::milliseconds timeout) {
  return handle_ ? handle_->request_logoff(timeout) : not_initialized("request_logoff");
}
session::SessionStats SessionManager::session_stats() const {
  return handle_ ? handle_->session_stats() : session::SessionStats{};
}
ReceiveQueueStats SessionManager::receive_queue_stats() const {
  return handle_ ? handle_->receive_queue_stats() : ReceiveQueueStats{};
}
OutboundStats SessionManager::outbound_stats() const {
  return handle_ ? handle_->outbound_stats() : OutboundStats{};
}
std::pair<session::SeqNum, session::SeqNum> SessionManager::sequence_numbers() const {
  return handle_
             ? handle_->sequence_numbers()
             : std::pair<session::SeqNum, session::SeqNum>{session::SeqNum(1), session::SeqNum(1)};
}
uint16_t SessionManager::local_port() const { return handle_ ? handle_->local_port() : 0; }

size_t SessionManager::run_once(std::chrono::milliseconds timeout) {
  return engine_ ? engine_->run_once(timeout) : 0;
}

}  // namespace fixgate::engine
