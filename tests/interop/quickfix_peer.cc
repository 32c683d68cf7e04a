// A QuickFIX/C++ 1.15 peer for interop tests (built as C++14: QuickFIX's headers need it).
//   quickfix_peer acceptor|initiator PORT WORKDIR DICTIONARY SENDER TARGET [ORDERS]
// acceptor: echoes every application message back to its sender.
// initiator: logs on, sends ORDERS NewOrderSingles, waits for every echo, checks them in order,
// logs out, and exits 0 only if all came back intact.
// Prints "READY" once listening (acceptor) and "DONE n" after the last echo (initiator).
#include <quickfix/Application.h>
#include <quickfix/FileLog.h>
#include <quickfix/FileStore.h>
#include <quickfix/Session.h>
#include <quickfix/SessionSettings.h>
#include <quickfix/SocketAcceptor.h>
#include <quickfix/SocketInitiator.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <iostream>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>

namespace {

class Peer : public FIX::Application {
 public:
  explicit Peer(bool echo) : echo_(echo) {}
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
               const FIX::SessionID& id) throw(FIX::FieldNotFound, FIX::IncorrectDataFormat,
                                               FIX::IncorrectTagValue,
                                               FIX::UnsupportedMessageType) override {
    if (echo_) {
      FIX::Message reply(message);
      reply.getHeader().removeField(FIX::FIELD::PossDupFlag);
      reply.getHeader().removeField(FIX::FIELD::OrigSendingTime);
      FIX::Session::sendToTarget(reply, id);
      return;
    }
    std::lock_guard<std::mutex> lock(mu_);
    FIX::ClOrdID clordid;
    message.getField(clordid);
    std::string expected = "ORD-" + std::to_string(received_);
    if (clordid.getValue() != expected) {
      std::cerr << "quickfix_peer: echo " << clordid.getValue() << " where " << expected
                << " was expected" << std::endl;
      bad_ = true;
    }
    ++received_;
    cv_.notify_all();
  }

  bool wait_logon(int seconds) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(seconds), [&] { return logged_on_; });
  }
  bool wait_received(int n, int seconds) {
    std::unique_lock<std::mutex> lock(mu_);
    return cv_.wait_for(lock, std::chrono::seconds(seconds),
                        [&] { return received_ >= n || bad_; });
  }
  FIX::SessionID session() {
    std::lock_guard<std::mutex> lock(mu_);
    return session_;
  }
  bool bad() {
    std::lock_guard<std::mutex> lock(mu_);
    return bad_;
  }
  int received() {
    std::lock_guard<std::mutex> lock(mu_);
    return received_;
  }

 private:
  bool echo_;
  std::mutex mu_;
  std::condition_variable cv_;
  FIX::SessionID session_;
  bool logged_on_ = false;
  int received_ = 0;
  bool bad_ = false;
};

}  // namespace

int main(int argc, char** argv) {
  if (argc < 7) {
    std::cerr << "usage: quickfix_peer acceptor|initiator PORT WORKDIR DICT SENDER TARGET [N]\n";
    return 2;
  }
  const std::string role = argv[1], port = argv[2], dir = argv[3], dict = argv[4];
  const std::string sender = argv[5], target = argv[6];
  const int orders = argc > 7 ? std::stoi(argv[7]) : 0;
  const bool acceptor = role == "acceptor";
  std::ostringstream cfg;
  cfg << "[DEFAULT]\nConnectionType=" << role << "\nStartTime=00:00:00\nEndTime=00:00:00\n"
      << "FileStorePath=" << dir << "/store\nFileLogPath=" << dir << "/log\n"
      << "UseDataDictionary=Y\nDataDictionary=" << dict << "\nHeartBtInt=30\n"
      << "ReconnectInterval=1\nSocketNodelay=Y\n"
      << (acceptor ? "SocketAcceptPort=" + port
                   : "SocketConnectHost=127.0.0.1\nSocketConnectPort=" + port)
      << "\n[SESSION]\nBeginString=FIX.4.4\nSenderCompID=" << sender << "\nTargetCompID=" << target
      << "\n";
  try {
    std::istringstream in(cfg.str());
    FIX::SessionSettings settings(in);
    Peer app(acceptor);
    FIX::FileStoreFactory store(settings);
    FIX::FileLogFactory log(settings);
    if (acceptor) {
      FIX::SocketAcceptor a(app, store, settings, log);
      a.start();
      std::cout << "READY" << std::endl;
      // Runs until the test closes our stdin.
      std::string line;
      while (std::getline(std::cin, line)) {
      }
      a.stop();
      return 0;
    }
    FIX::SocketInitiator i(app, store, settings, log);
    i.start();
    if (!app.wait_logon(10)) {
      std::cerr << "quickfix_peer: no logon\n";
      return 1;
    }
    FIX::SessionID id = app.session();
    for (int n = 0; n < orders; ++n) {
      FIX::Message order;
      order.getHeader().setField(FIX::MsgType("D"));
      order.setField(FIX::ClOrdID("ORD-" + std::to_string(n)));
      order.setField(FIX::HandlInst('1'));
      order.setField(FIX::Symbol("IBM"));
      order.setField(FIX::Side(FIX::Side_BUY));
      order.setField(FIX::TransactTime());
      order.setField(FIX::OrderQty(100));
      order.setField(FIX::OrdType(FIX::OrdType_MARKET));
      FIX::Session::sendToTarget(order, id);
    }
    bool ok = app.wait_received(orders, 60) && !app.bad();
    std::cout << "DONE " << app.received() << std::endl;
    FIX::Session* s = FIX::Session::lookupSession(id);
    if (s) s->logout("done");
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let the Logout go out
    i.stop();
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "quickfix_peer: " << e.what() << std::endl;
    return 1;
  }
}
