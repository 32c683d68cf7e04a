// The QuickFIX/C++ half of bench/e2e, behind a plain interface: QuickFIX 1.15's headers need
// -std=c++14 (dynamic exception specifications), so they never meet our C++20 code.
//
// A QuickFixPair is a QuickFIX acceptor that echoes every NewOrderSingle back to its sender and
// a QuickFIX initiator logged on to it, both in this process, over loopback TCP. Orders are sent
// from the caller's thread (Session::sendToTarget); echoes arrive in the initiator's fromApp on
// QuickFIX's socket thread, which counts them under a mutex and signals a condition variable.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

namespace fixgate_bench {

struct QuickFixPairOptions {
  bool file_store = false;  // FileStore (flushes, never fsyncs) or MemoryStore
  bool threaded = false;    // ThreadedSocketAcceptor/Initiator instead of SocketAcceptor/Initiator
  std::string dir;          // scratch folder for the FileStore (created, not removed)
  std::string dictionary;   // FIX44.xml: both sides validate with UseDataDictionary=Y
  int port = 0;             // the acceptor's port (must be free)
  std::string sender = "CLIENT";  // the initiator's SenderCompID
  std::string target = "BROKER";  // the acceptor's SenderCompID
};

class QuickFixPair {
 public:
  // Starts both ends and waits for the logon; nullptr with `error` set on failure.
  static std::unique_ptr<QuickFixPair> start(const QuickFixPairOptions& options,
                                             std::string* error);
  ~QuickFixPair();  // logs out (bounded wait) and stops both ends

  // Sends one NewOrderSingle, ClOrdID `clordid`, from the calling thread.
  bool send_order(const std::string& clordid);
  // Waits until `count` echoes have arrived since start(); false after `timeout_ms`.
  bool wait_echoes(uint64_t count, int timeout_ms);
  uint64_t echoes() const;
  // Size on the wire of the last echo received (header and trailer included).
  size_t echo_bytes() const;

  struct Impl;

 private:
  explicit QuickFixPair(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace fixgate_bench
