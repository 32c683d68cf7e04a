#include "lp_runner.h"

#include "fixgate/store/timed_store.h"

namespace fixgate::gateway {

LiveFields live_fields(const engine::SessionHandle& h) {
  LiveFields f;
  f.state = std::string(session::to_string(h.status()));
  for (char& ch : f.state) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  auto [target, sender] = h.sequence_numbers();
  f.next_sender_seq = sender.value;
  f.next_target_seq = target.value;
  f.stats = h.stats();
  const session::SessionStats& st = f.stats;
  f.messages_in = st.messages_received;
  f.messages_out = st.messages_sent;
  auto utc = [](session::Duration d) -> std::optional<std::chrono::system_clock::time_point> {
    if (d.count() == 0) return std::nullopt;
    return std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(d));
  };
  f.last_received_at = utc(st.last_received);
  f.last_sent_at = utc(st.last_sent);
  f.next_reconnect_at = h.next_reconnect_at();
  f.connect = h.connect_stats();
  f.receive_queue = h.receive_queue_stats();
  return f;
}

Result<std::shared_ptr<session::Store>> open_shared_store(const SessionSetup& setup) {
  auto opened = open_store(setup.store, setup.manager.session.id);
  if (!opened) return opened.status();
  return std::shared_ptr<session::Store>(std::move(*opened));
}

std::string store_key(const SessionSetup& setup) {
  const StoreSetup& s = setup.store;
  return setup.manager.session.id.to_string() + "|" + s.type + "|" + s.path + "|" + s.postgres;
}

Result<std::unique_ptr<LpRunner>> LpRunner::start(const SessionSetup& setup,
                                                  std::shared_ptr<session::Store> store,
                                                  Wiring wiring) {
  std::unique_ptr<LpRunner> r(new LpRunner());
  r->generation_ = wiring.generation;
  r->store_ = store;
  engine::EngineOptions options;
  options.threads = 1;
  if (wiring.log_entry) {
    options.on_log_entry = wiring.log_entry;
  } else {
    options.on_log = [log = wiring.log](std::string_view text) {
      if (log) log(text);
    };
  }
  r->engine_ = std::make_unique<engine::Engine>(std::move(options));
  engine::SessionOptions config = setup.manager;
  configure_application(wiring.app, config);
  auto h = r->engine_->add_session(std::move(config),
                                   std::make_unique<store::TimedStore>(store, r->commit_latency_));
  if (!h) return h.status();
  r->handle_ = *h;
  if (Status s = attach_application(wiring.app, *r->handle_); !s) return s;
  r->handle_->on_event([w = std::move(wiring)](const session::SessionEvent& e) {
    using T = session::SessionEvent::Type;
    if (e.type == T::kAppMessage || e.type == T::kAdminMessage) return;
    w.post(LpEvent{w.provider, w.generation, e.type, e.status, e.text});
  });
  if (Status s = r->engine_->start(); !s) return s;
  return r;
}

LpRunner::~LpRunner() {
  if (engine_) engine_->stop();
}

Status LpRunner::reconnect() {
  engine_->stop();
  return engine_->start();
}

}  // namespace fixgate::gateway
