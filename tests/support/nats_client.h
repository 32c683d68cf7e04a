// Test support: the test's own nats.c client of a real nats-server (tests/support/nats_server.h):
// core subscriptions, and JetStream streams that record what was published while no subscriber
// could be there.
#pragma once

#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <functional>
#include <string>
#include <thread>
#include <vector>

namespace fixgate::testing {

using namespace std::chrono_literals;

// Polls `done` until it holds or `timeout` passes (each condition here is a real state that
// has no event to wait on from outside: a server's stream, a publisher's counters).
inline bool await(const std::function<bool()>& done, std::chrono::milliseconds timeout = 20s) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (!done()) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(5ms);
  }
  return true;
}

inline std::vector<std::string> numbered(const std::string& stem, int from, int to) {
  std::vector<std::string> out;
  for (int i = from; i < to; ++i) out.push_back(stem + std::to_string(i));
  return out;
}

// The test's side: one nats.c connection with a JetStream context.
class Client {
 public:
  explicit Client(const std::string& url) {
    natsOptions* o = nullptr;
    natsOptions_Create(&o);
    natsOptions_SetURL(o, url.c_str());
    natsOptions_SetAllowReconnect(o, false);
    EXPECT_EQ(natsConnection_Connect(&nc_, o), NATS_OK)
        << url << ": " << nats_GetLastError(nullptr);
    natsOptions_Destroy(o);
    if (nc_ != nullptr) {
      EXPECT_EQ(natsConnection_JetStream(&js_, nc_, nullptr), NATS_OK);
    }
  }
  ~Client() {
    if (js_ != nullptr) jsCtx_Destroy(js_);
    if (nc_ != nullptr) natsConnection_Destroy(nc_);
  }
  Client(const Client&) = delete;
  Client& operator=(const Client&) = delete;
  natsConnection* nc() const { return nc_; }
  jsCtx* js() const { return js_; }

  // A stream on `subjects`.
  void add_stream(const std::string& name, const std::string& subjects) {
    const char* list[] = {subjects.c_str()};
    jsStreamConfig config;
    jsStreamConfig_Init(&config);
    config.Name = name.c_str();
    config.Subjects = list;
    config.SubjectsLen = 1;
    jsStreamInfo* info = nullptr;
    jsErrCode error = static_cast<jsErrCode>(0);
    ASSERT_EQ(js_AddStream(&info, js_, &config, nullptr, &error), NATS_OK) << error;
    jsStreamInfo_Destroy(info);
  }
  // How many messages `stream` holds (0 if there is no such stream).
  uint64_t stream_count(const std::string& stream) {
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return 0;
    const uint64_t n = info->State.Msgs;
    jsStreamInfo_Destroy(info);
    return n;
  }
  // The payloads `stream` holds, oldest first.
  std::vector<std::string> stream_payloads(const std::string& stream) {
    std::vector<std::string> out;
    jsStreamInfo* info = nullptr;
    if (js_GetStreamInfo(&info, js_, stream.c_str(), nullptr, nullptr) != NATS_OK) return out;
    for (uint64_t seq = info->State.FirstSeq; seq != 0 && seq <= info->State.LastSeq; ++seq) {
      natsMsg* msg = nullptr;
      if (js_GetMsg(&msg, js_, stream.c_str(), seq, nullptr, nullptr) != NATS_OK) continue;
      out.emplace_back(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)));
      natsMsg_Destroy(msg);
    }
    jsStreamInfo_Destroy(info);
    return out;
  }

 private:
  natsConnection* nc_ = nullptr;
  jsCtx* js_ = nullptr;
};

// `stream`'s payloads once it holds at least `n` messages (what it holds after `timeout`).
inline std::vector<std::string> await_stream(const std::string& url, const std::string& stream,
                                             size_t n, std::chrono::milliseconds timeout = 20s) {
  Client client(url);
  await([&] { return client.stream_count(stream) >= n; }, timeout);
  return client.stream_payloads(stream);
}

// A core NATS subscription, registered with the server when constructed.
class Subscriber {
 public:
  Subscriber(Client& client, const std::string& subject) {
    EXPECT_EQ(natsConnection_SubscribeSync(&sub_, client.nc(), subject.c_str()), NATS_OK);
    EXPECT_EQ(natsConnection_Flush(client.nc()), NATS_OK);  // the server has the SUB
  }
  ~Subscriber() { natsSubscription_Destroy(sub_); }
  Subscriber(const Subscriber&) = delete;
  Subscriber& operator=(const Subscriber&) = delete;
  struct Received {
    std::string subject, payload;
  };
  // The next `n` messages, or those that came within `timeout`.
  std::vector<Received> take(size_t n, std::chrono::milliseconds timeout = 20s) {
    std::vector<Received> out;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (out.size() < n) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      natsMsg* msg = nullptr;
      if (left.count() <= 0 || natsSubscription_NextMsg(&msg, sub_, left.count()) != NATS_OK) break;
      out.push_back(
          {natsMsg_GetSubject(msg),
           std::string(natsMsg_GetData(msg), static_cast<size_t>(natsMsg_GetDataLength(msg)))});
      natsMsg_Destroy(msg);
    }
    return out;
  }

 private:
  natsSubscription* sub_ = nullptr;
};

}  // namespace fixgate::testing
