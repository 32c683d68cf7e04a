// An LP row of the sessions table as the settings of one session: its columns and the keys of its
// `extra` JSON over the settings file's [DEFAULT] keys (when fixgated has a file too). Errors name
// the row and the column: "fixgate_sessions[LP1]: heartbeat_interval: …".
#pragma once

#include <memory>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/gateway/sessions_db.h"
#include "fixgate/gateway/settings.h"

namespace fixgate::gateway {

// The columns that are one settings key each (the others, host, port, TLS and store, depend on
// the role or on several keys); import and export use them too.
struct TextColumn {
  std::string_view key;
  std::string LpRow::*member;
  std::string_view column;
};
struct FlagColumn {
  std::string_view key;
  bool LpRow::*member;
  std::string_view column;
};
extern const TextColumn kTextColumns[14];
extern const FlagColumn kFlagColumns[3];

// The row as [SESSION] keys over `defaults` (null: none). A database's initiators back off
// exponentially with jitter (ReconnectInterval 1 s up to ReconnectMaxInterval 30 s) unless the row
// or the defaults set either key. Fails with every problem of the row, one per line.
Result<SessionSettings> lp_settings(const LpRow& row,
                                    std::shared_ptr<const SessionSettings::Map> defaults);

}  // namespace fixgate::gateway
