// What NATS accepts as subjects, KV keys, bucket and stream names and server URLs, checked before
// anything is sent: nats.c takes almost any URL and retries it forever, and a bad subject would
// be refused by the server long after publish() returned.
#pragma once

#include <string>
#include <string_view>

#include "fixgate/base/result.h"
#include "fixgate/gateway/nats_publisher.h"

namespace fixgate::gateway {

// Dot-separated tokens, none empty, no wildcard (`*`, `>`), space or control character.
bool valid_subject(std::string_view subject);
// [-/_=.A-Za-z0-9]+, not starting or ending with a dot (the KV bucket's subject is $KV.B.<key>).
bool valid_kv_key(std::string_view key);
// [A-Za-z0-9_-]+: a KV bucket.
bool valid_bucket_name(std::string_view name);
// No space, control character, `.`, `*`, `>`, `/` or `\`: a JetStream stream.
bool valid_stream_name(std::string_view name);
// "vfxlp" -> "VFXLP_EVENTS", "a.b" -> "A_B_EVENTS".
std::string default_stream_name(std::string_view subject_prefix);
// "nats://user:secret@host:4222" -> "nats://host:4222", for the log.
std::string without_credentials(std::string_view urls);
// Comma-separated [nats|tls://][user[:password]@]host[:port], port 1..65535.
Status check_urls(std::string_view urls);
// Every option start() can check without a server.
Status check_options(const NatsOptions& options);

}  // namespace fixgate::gateway
