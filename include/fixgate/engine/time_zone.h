// Time zones from the system tz database, for session schedules (session/schedule.h).
#pragma once

#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/session/schedule.h"

namespace fixgate::engine {

// An IANA zone ("America/New_York", "Europe/London", "UTC") read from $TZDIR or
// /usr/share/zoneinfo. "UTC" and "GMT" need no file. A name that is not a zone is an error.
Result<session::TimeZone> load_time_zone(std::string_view name);
// The machine's own zone (/etc/localtime): QuickFIX's UseLocalTime=Y.
Result<session::TimeZone> local_time_zone();

}  // namespace fixgate::engine
