// Sessions of a small settings file "x.cfg" for the gateway's unit tests (test-only header).
#pragma once

#include <string>

#include "fixgate/gateway/settings.h"

namespace fixgate::gateway {

// An acceptor A->B (`begin`, port 1) with `extra` keys from line 7 of x.cfg.
inline Result<SessionSetup> acceptor_with(const std::string& extra,
                                          const std::string& begin = "FIX.4.4") {
  return to_session_setup(
      Settings::parse("[SESSION]\nConnectionType=acceptor\nBeginString=" + begin +
                          "\nSenderCompID=A\nTargetCompID=B\n"
                          "SocketAcceptPort=1\n" +
                          extra,
                      "x.cfg")
          ->sessions()[0]);
}

// An initiator A->B (FIX.4.4, to h:1) with `extra` keys from line 9 of x.cfg.
inline Result<SessionSetup> initiator_with(const std::string& extra) {
  return to_session_setup(
      Settings::parse("[SESSION]\nConnectionType=initiator\nBeginString=FIX.4.4\nSenderCompID=A\n"
                      "TargetCompID=B\nHeartBtInt=30\nSocketConnectHost=h\nSocketConnectPort=1\n" +
                          extra,
                      "x.cfg")
          ->sessions()[0]);
}

}  // namespace fixgate::gateway
