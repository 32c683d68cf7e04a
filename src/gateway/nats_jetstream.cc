// NatsPublisher's JetStream side, on the publisher thread: the events' stream and the KV bucket
// (each made if missing), and publishing into them.
#include "nats_publisher_impl.h"

namespace fixgate::gateway {

using namespace nats_detail;

bool NatsPublisher::Impl::send_jetstream(const std::vector<const Event*>& sending) {
  if (!ensure_stream()) return false;
  for (const Event* e : sending) {
    jsPubOptions po;
    jsPubOptions_Init(&po);
    po.MaxWait = to_ms(options.publish_timeout);
    if (!e->msg_id.empty()) po.MsgId = e->msg_id.c_str();
    jsPubAck* ack = nullptr;
    jsErrCode js_error = static_cast<jsErrCode>(0);
    const natsStatus s = js_Publish(&ack, js, e->subject.c_str(), e->payload.data(),
                                    static_cast<int>(e->payload.size()), &po, &js_error);
    if (ack != nullptr) jsPubAck_Destroy(ack);
    if (s == NATS_OK) {  // stored, or a repeat of a msg_id the stream already has
      acknowledge_events(1);
      continue;
    }
    if (s == NATS_NO_RESPONDERS) {  // no stream for it (a server with a new store): make it again
      stream_ready = false;
      note_failure("JetStream publish to " + stream, s);
      return false;
    }
    if (js_error != 0 || s == NATS_MAX_PAYLOAD) {  // the stream answered no: it will again
      reject_front_event("JetStream refused it: " + status_text(s, js_error));
      continue;
    }
    note_failure("JetStream publish", s);
    return false;
  }
  return true;
}

bool NatsPublisher::Impl::send_kv() {
  if (!ensure_kv()) return false;
  std::vector<std::pair<std::string, KvValue>> sending;
  {
    // Copies: put_kv() may replace a value while it is being sent.
    std::lock_guard lock(mu);
    for (const auto& [key, value] : kv) {
      if (sending.size() == kBatch) break;
      sending.emplace_back(key, value);
    }
  }
  for (const auto& [key, value] : sending) {
    uint64_t revision = 0;
    const natsStatus s = kvStore_Put(&revision, kv_store, key.c_str(), value.value.data(),
                                     static_cast<int>(value.value.size()));
    if (s == NATS_OK || s == NATS_MAX_PAYLOAD) {
      if (s != NATS_OK) log("nats: KV " + key + " rejected: " + status_text(s));
      acknowledge_kv(key, value, s != NATS_OK);
      continue;
    }
    if (s == NATS_NO_RESPONDERS) {  // the bucket is gone: bind or make it again
      kvStore_Destroy(kv_store);
      kv_store = nullptr;
    }
    note_failure("KV put to " + options.kv_bucket, s);
    return false;
  }
  return true;
}

bool NatsPublisher::Impl::ensure_jetstream() {
  if (js != nullptr) return true;
  jsOptions o;
  jsOptions_Init(&o);
  o.Wait = to_ms(options.publish_timeout);
  const natsStatus s = natsConnection_JetStream(&js, nc, &o);  // no round trip
  if (s != NATS_OK) {
    js = nullptr;
    note_failure("JetStream context", s);
  }
  return s == NATS_OK;
}

bool NatsPublisher::Impl::ensure_stream() {
  if (stream_ready) return true;
  jsStreamInfo* info = nullptr;
  jsErrCode js_error = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&info, js, stream.c_str(), nullptr, &js_error);
  if (info != nullptr) jsStreamInfo_Destroy(info);
  if (s == NATS_NOT_FOUND || js_error == JSStreamNotFoundErr) {
    const std::string subjects = prefix_dot + "events.>";
    const char* subject_list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = stream.c_str();
    config.Subjects = subject_list;
    config.SubjectsLen = 1;
    config.Storage = js_FileStorage;  // the duplicate window: the server's default, 2 minutes
    info = nullptr;
    js_error = static_cast<jsErrCode>(0);
    s = js_AddStream(&info, js, &config, nullptr, &js_error);
    if (info != nullptr) jsStreamInfo_Destroy(info);
    if (s == NATS_OK) log("nats: created JetStream stream " + stream + " for " + subjects);
    if (js_error == JSStreamNameExistErr) s = NATS_OK;  // another publisher was quicker
  }
  if (s != NATS_OK) {
    note_failure("JetStream stream " + stream, s, js_error);
    return false;
  }
  stream_ready = true;
  return true;
}

bool NatsPublisher::Impl::ensure_kv() {
  if (kv_store != nullptr) return true;
  natsStatus s = js_KeyValue(&kv_store, js, options.kv_bucket.c_str());
  if (s == NATS_NOT_FOUND) {
    kvConfig config;
    kvConfig_Init(&config);
    config.Bucket = options.kv_bucket.c_str();
    config.History = 1;  // the current status is what late subscribers want
    s = js_CreateKeyValue(&kv_store, js, &config);
    if (s == NATS_OK) log("nats: created KV bucket " + options.kv_bucket);
  }
  if (s != NATS_OK) {
    kv_store = nullptr;
    note_failure("KV bucket " + options.kv_bucket, s);
    return false;
  }
  return true;
}

}  // namespace fixgate::gateway
