// Compiled with -std=c++14: QuickFIX 1.15 headers use dynamic exception specifications.
#include "e2e_quickfix.h"

#include <quickfix/Application.h>
#include <quickfix/FileStore.h>
#include <quickfix/MessageStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SocketInitiator.h>
#include <quickfix/ThreadedSocketAcceptor.h>
#include <quickfix/ThreadedSocketInitiator.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>

namespace fixgate_bench {
namespace {

// The acceptor: echoes every application message back to its sender, as the interop peer does.
class EchoApp : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID&) override {}
  void onLogout(const FIX::SessionID&) override {}
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&,
                 const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                              FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& message,
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    FIX::Message reply(message);
    reply.getHeader().removeField(FIX::FIELD::PossDupFlag);
    reply.getHeader().removeField(FIX::FIELD::OrigSendingTime);
    FIX::Session::sendToTarget(reply, id);
  }
};

// The initiator: counts echoes; wakes a waiter only once the count it waits for is reached.
class ClientApp : public FIX::Application {
 public:
  void onCreate(const FIX::SessionID&) override {}
  void onLogon(const FIX::SessionID& id) override {
    std::lock_guard<std::mutex> lock(mu_);
    session_ = id;
    logged_on_ = true;
    cv_.notify_all();
  }
  void onLogout(const FIX::SessionID&) override {
    std::lock_guard<std::mutex> lock(mu_);
    logged_on_ = false;
    cv_.notify_all();
  }
  void toAdmin(FIX::Message&, const FIX::SessionID&) override {}
  void toApp(FIX::Message&, const FIX::SessionID&) throw(FIX::DoNotSend) override {}
  void fromAdmin(const FIX::Message&,
                 const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                              FIX::IncorrectTagValue, FIX::RejectLogon) override {}
  void fromApp(const FIX::Message& message,
               const FIX::SessionID&) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                            FIX::IncorrectTagValue,
                                            FIX::UnsupportedMessageType) override {
    std::lock_guard<std::mutex> lock(mu_);
    if (echo_bytes_ == 0) echo_bytes_ = message.toString().size();
    if (++echoes_ >= waiting_for_) cv_.notify_all();
  }

  bool wait_logged_on(bool on, int timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                        [&] { return logged_on_ == on; });
  }
  bool wait_echoes(uint64_t count, int timeout_ms) {
    std::unique_lock<std::mutex> lock(mu_);
    waiting_for_ = count;
    bool ok =
        cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms), [&] { return echoes_ >= count; });
    waiting_for_ = ~uint64_t{0};
    return ok;
  }
  uint64_t echoes() {
    std::lock_guard<std::mutex> lock(mu_);
    return echoes_;
  }
  size_t echo_bytes() {
    std::lock_guard<std::mutex> lock(mu_);
    return echo_bytes_;
  }
  FIX::SessionID session() {
    std::lock_guard<std::mutex> lock(mu_);
    return session_;
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  FIX::SessionID session_;
  bool logged_on_ = false;
  uint64_t echoes_ = 0;
  uint64_t waiting_for_ = ~uint64_t{0};
  size_t echo_bytes_ = 0;
};

std::string settings_text(const QuickFixPairOptions& o, bool acceptor) {
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=" << (acceptor ? "acceptor" : "initiator")
      << "\nStartTime=00:00:00\nEndTime=00:00:00\nHeartBtInt=30\nReconnectInterval=1\n"
      << "SocketNodelay=Y\nResetOnLogon=Y\nUseDataDictionary=Y\nDataDictionary=" << o.dictionary
      << "\nFileStorePath=" << o.dir << (acceptor ? "/acceptor" : "/initiator") << "\n";
  if (acceptor) {
    cfg << "SocketAcceptPort=" << o.port << "\n";
  } else {
    cfg << "SocketConnectHost=127.0.0.1\nSocketConnectPort=" << o.port << "\n";
  }
  cfg << "[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << (acceptor ? o.target : o.sender)
      << "\nTargetCompID=" << (acceptor ? o.sender : o.target) << "\n";
  return cfg.str();
}

}  // namespace

struct QuickFixPair::Impl {
  QuickFixPairOptions options;
  std::unique_ptr<FIX::SessionSettings> acceptor_settings, initiator_settings;
  std::unique_ptr<FIX::MessageStoreFactory> acceptor_store, initiator_store;
  EchoApp echo;
  ClientApp client;
  std::unique_ptr<FIX::Acceptor> acceptor;
  std::unique_ptr<FIX::Initiator> initiator;
  FIX::SessionID id;
  FIX::Session* session = nullptr;  // the initiator's session
};

QuickFixPair::QuickFixPair(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

std::unique_ptr<QuickFixPair> QuickFixPair::start(const QuickFixPairOptions& options,
                                                  std::string* error) {
  std::unique_ptr<Impl> m(new Impl);
  m->options = options;
  try {
    std::istringstream a(settings_text(options, true)), i(settings_text(options, false));
    m->acceptor_settings.reset(new FIX::SessionSettings(a));
    m->initiator_settings.reset(new FIX::SessionSettings(i));
    if (options.file_store) {
      m->acceptor_store.reset(new FIX::FileStoreFactory(*m->acceptor_settings));
      m->initiator_store.reset(new FIX::FileStoreFactory(*m->initiator_settings));
    } else {
      m->acceptor_store.reset(new FIX::MemoryStoreFactory);
      m->initiator_store.reset(new FIX::MemoryStoreFactory);
    }
    // No LogFactory: neither side logs messages (fixgate's engine does not either).
    if (options.threaded) {
      m->acceptor.reset(
          new FIX::ThreadedSocketAcceptor(m->echo, *m->acceptor_store, *m->acceptor_settings));
      m->initiator.reset(
          new FIX::ThreadedSocketInitiator(m->client, *m->initiator_store, *m->initiator_settings));
    } else {
      m->acceptor.reset(
          new FIX::SocketAcceptor(m->echo, *m->acceptor_store, *m->acceptor_settings));
      m->initiator.reset(
          new FIX::SocketInitiator(m->client, *m->initiator_store, *m->initiator_settings));
    }
    m->acceptor->start();
    m->initiator->start();
  } catch (const std::exception& e) {
    if (error) *error = std::string("QuickFIX: ") + e.what();
    return nullptr;
  }
  std::unique_ptr<QuickFixPair> pair(new QuickFixPair(std::move(m)));
  Impl& p = *pair->impl_;
  if (!p.client.wait_logged_on(true, 10000)) {
    if (error) *error = "QuickFIX: no logon within 10 s";
    return nullptr;
  }
  p.id = p.client.session();
  p.session = FIX::Session::lookupSession(p.id);
  if (!p.session) {
    if (error) *error = "QuickFIX: session not found after logon";
    return nullptr;
  }
  return pair;
}

QuickFixPair::~QuickFixPair() {
  Impl& m = *impl_;
  try {
    if (m.session && m.session->isLoggedOn()) {
      m.session->logout("done");
      m.client.wait_logged_on(false, 2000);
    }
    // force: the logout is done; the non-forced stop() sleeps in whole seconds.
    if (m.initiator) m.initiator->stop(true);
    if (m.acceptor) m.acceptor->stop(true);
  } catch (const std::exception&) {
  }
}

bool QuickFixPair::send_order(const std::string& clordid) {
  // The same body fields, in the same order, as the fixgate and raw TCP runs.
  FIX::Message order;
  order.getHeader().setField(FIX::MsgType("D"));
  order.setField(FIX::FIELD::ClOrdID, clordid);
  order.setField(FIX::FIELD::HandlInst, "1");
  order.setField(FIX::FIELD::Symbol, "IBM");
  order.setField(FIX::FIELD::Side, "1");
  order.setField(FIX::FIELD::TransactTime, "20261122-12:00:00.000");
  order.setField(FIX::FIELD::OrderQty, "100");
  order.setField(FIX::FIELD::OrdType, "2");
  order.setField(FIX::FIELD::Price, "12.50");
  try {
    return impl_->session->send(order);
  } catch (const std::exception&) {
    return false;
  }
}

bool QuickFixPair::wait_echoes(uint64_t count, int timeout_ms) {
  return impl_->client.wait_echoes(count, timeout_ms);
}

uint64_t QuickFixPair::echoes() const { return impl_->client.echoes(); }

size_t QuickFixPair::echo_bytes() const { return impl_->client.echo_bytes(); }

}  // namespace fixgate_bench
