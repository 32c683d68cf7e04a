#include "fixgate/gateway/applications.h"

#include <memory>
#include <mutex>
#include <string>
#include <unordered_set>

#include "fixgate/dict/dictionary.h"

namespace fixgate::gateway {
namespace {

// The ClOrdIDs one session has seen since its last Logon. Handlers and the logon/logout
// callbacks run on the session's loop thread; the lock keeps that an implementation detail.
class SeenOrders {
 public:
  // True the first time `clordid` is seen.
  bool first_sight(std::string_view clordid) {
    std::lock_guard lock(mu_);
    return seen_.emplace(clordid).second;
  }
  void clear() {
    std::lock_guard lock(mu_);
    seen_.clear();
  }

 private:
  std::mutex mu_;
  std::unordered_set<std::string> seen_;
};

}  // namespace

AppKind app_kind(std::string_view name) { return name == "echo" ? AppKind::kEcho : AppKind::kNone; }

void configure_application(AppKind app, engine::SessionOptions& config) {
  if (app == AppKind::kEcho) {
    config.session.supported_message_types = {"D", "C", "d"};
  } else {
    config.session.application_available = false;
  }
}

Status attach_application(AppKind app, engine::SessionHandle& session) {
  engine::Application callbacks;
  // Only the types configure_application() lets through reach the application; anything else
  // would be taken here rather than left in receive()'s queue.
  callbacks.from_app = [](const session::SessionId&, const codec::Message&) {};
  if (app == AppKind::kEcho) {
    engine::SessionHandle* h = &session;
    auto reflect = [h](const codec::Message& m) {
      (void)h->send(m.msg_type(), dict::body_fields(m));
    };
    auto seen = std::make_shared<SeenOrders>();
    session.on("D", [seen, reflect](const codec::Message& m) {
      // A resend of an order already handled in this logon (FIX 4.4 Vol. 2 test case 19).
      if (!seen->first_sight(m.get(tag::ClOrdID).value_or("")) && m.poss_resend()) return;
      reflect(m);
    });
    session.on("C", reflect);
    session.on("d", reflect);
    // "Since its last Logon": a new logon starts with nothing seen.
    callbacks.on_logon = [seen](const session::SessionId&) { seen->clear(); };
    callbacks.on_logout = [seen](const session::SessionId&) { seen->clear(); };
  }
  return session.set_application(std::move(callbacks));
}

}  // namespace fixgate::gateway
