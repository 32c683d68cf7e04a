// systemd's readiness protocol (sd_notify(3)), without libsystemd: a datagram such as "READY=1"
// to the unix socket named by $NOTIFY_SOCKET (a path, or an abstract name when it starts with
// '@'). Without $NOTIFY_SOCKET (not started by systemd with Type=notify) it does nothing.
#pragma once

#include <string_view>

#include "fixgate/base/result.h"

namespace fixgate::gateway {

// Sends `state` ("READY=1", "STOPPING=1", "RELOADING=1" …); ok when there is no $NOTIFY_SOCKET.
Status sd_notify(std::string_view state);

}  // namespace fixgate::gateway
