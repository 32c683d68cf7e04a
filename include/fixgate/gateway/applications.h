// fixgated's built-in applications, one per session (--app NAME for every session, App= for one):
//   echo  the standard acceptance application: reflects NewOrderSingle (D), Email (C) and
//         SecurityDefinition (d) back on the session. Every other application message is answered
//         by the session core: BusinessMessageReject 3 (unsupported message type, with RefMsgType;
//         a session Reject before FIX 4.2). A NewOrderSingle with PossResend=Y whose ClOrdID the
//         session has seen since its last Logon is dropped.
//   none  no application: the session core answers every application message with
//         BusinessMessageReject 4 (application not available; a session Reject before FIX 4.2).
// Either way nothing waits in receive()'s queue, which nobody reads in fixgated: the
// daemon can never stop reading because an unread queue filled up.
#pragma once

#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/engine/engine.h"

namespace fixgate::gateway {

enum class AppKind { kNone, kEcho };

// "echo" or anything else (none).
AppKind app_kind(std::string_view name);

// What the session core must know of the application, before the session is created.
void configure_application(AppKind app, engine::SessionOptions& config);
// Installs the application on a session configured with configure_application(), before it
// starts.
Status attach_application(AppKind app, engine::SessionHandle& session);

}  // namespace fixgate::gateway
