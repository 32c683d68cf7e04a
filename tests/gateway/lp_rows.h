// Test support: a row of fixgate_sessions for an LP the gateway tests run: fixgated is FG, the LP
// (a QuickFIX/C++ peer) is `target` (by default the provider's name), on 127.0.0.1:`port`. Each
// test sets what it needs beyond that (dictionary, extra keys).
#pragma once

#include <cstdint>
#include <string>

#include "fixgate/gateway/sessions_db.h"

namespace fixgate::testing {

inline gateway::LpRow lp_test_row(const std::string& provider, uint16_t port,
                                  int64_t heartbeat_interval, const std::string& extra,
                                  const std::string& target = "") {
  gateway::LpRow r;
  r.provider = provider;
  r.sender_comp_id = "FG";
  r.target_comp_id = target.empty() ? provider : target;
  r.host = "127.0.0.1";
  r.port = port;
  r.heartbeat_interval = heartbeat_interval;
  r.extra = extra;
  return r;
}

}  // namespace fixgate::testing
