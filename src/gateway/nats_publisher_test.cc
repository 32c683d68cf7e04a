// NatsPublisher against a real nats-server that each test starts, kills and restarts itself.
// The test's own client is nats.c. Events published by core NATS while no test subscriber can be
// there (before the server runs, across a restart) are caught by a "recorder" stream the test
// makes on the events' subjects: a restarted server restores its streams before it accepts a
// client, so the recorder misses nothing the publisher sends after a restart.
#include "fixgate/gateway/nats_publisher.h"

#include <gtest/gtest.h>
#include <nats/nats.h>

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "../../tests/support/nats_client.h"
#include "../../tests/support/nats_server.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;
using testing::await;
using testing::await_stream;
using testing::Client;
using testing::NatsServer;
using testing::numbered;
using testing::Subscriber;

class NatsPublisherTest : public ::testing::Test {
 protected:
  NatsOptions options() {
    NatsOptions o;
    o.url = server_.url();
    o.reconnect_wait = 100ms;
    o.on_log = [this](std::string_view line) {
      std::lock_guard lock(log_mu_);
      log_.emplace_back(line);
    };
    return o;
  }
  std::unique_ptr<NatsPublisher> start(NatsOptions o) {
    auto p = NatsPublisher::start(std::move(o));
    EXPECT_TRUE(p.is_ok()) << p.error();
    return p.is_ok() ? std::move(p).value() : nullptr;
  }
  // The log lines that contain `text`.
  std::vector<std::string> log_lines(std::string_view text) {
    std::lock_guard lock(log_mu_);
    std::vector<std::string> out;
    for (const auto& line : log_)
      if (line.find(text) != std::string::npos) out.push_back(line);
    return out;
  }
  // A recorder stream on `<prefix>.events.>`, left in the server's store, the server stopped.
  void make_recorder_then_stop(const std::string& prefix = "fixgate") {
    ASSERT_TRUE(server_.start());
    Client(server_.url()).add_stream("RECORD", prefix + ".events.>");
    server_.stop();
  }
  // "event-<i>"; with `ids`, msg_id "LP1-<i>" (a stream then keeps one of each id).
  void publish_numbered(NatsPublisher& p, int from, int to, bool ids = false) {
    for (int i = from; i < to; ++i)
      ASSERT_TRUE(p.publish("events.lpstatus", "event-" + std::to_string(i),
                            ids ? "LP1-" + std::to_string(i) : std::string()));
  }

  NatsServer server_;
  std::mutex log_mu_;
  std::vector<std::string> log_;
};

void expect_events_in_order(NatsServer& server, std::unique_ptr<NatsPublisher> publisher,
                            Subscriber& subscriber, const std::string& subject) {
  ASSERT_NE(publisher, nullptr);
  for (int i = 0; i < 100; ++i)
    ASSERT_TRUE(publisher->publish("events.lpstatus", "event-" + std::to_string(i)));
  const auto got = subscriber.take(100);
  std::vector<std::string> payloads;
  for (const auto& m : got) {
    EXPECT_EQ(m.subject, subject);
    payloads.push_back(m.payload);
  }
  EXPECT_EQ(payloads, numbered("event-", 0, 100)) << server.log();
  EXPECT_TRUE(publisher->flush(20s));
  const auto stats = publisher->stats();
  EXPECT_EQ(stats.published, 100u);
  EXPECT_EQ(stats.buffered, 0u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_TRUE(stats.connected);
  EXPECT_GT(stats.total_latency.count(), 0);
}

TEST_F(NatsPublisherTest, DeliversEventsInOrderUnderTheDefaultPrefix) {
  ASSERT_TRUE(server_.start());
  Client client(server_.url());
  Subscriber subscriber(client, "fixgate.events.lpstatus");
  expect_events_in_order(server_, start(options()), subscriber, "fixgate.events.lpstatus");
}

TEST_F(NatsPublisherTest, DeliversEventsInOrderUnderACustomPrefix) {
  ASSERT_TRUE(server_.start());
  Client client(server_.url());
  Subscriber subscriber(client, "vfxlp.events.lpstatus");
  NatsOptions o = options();
  o.subject_prefix = "vfxlp";
  expect_events_in_order(server_, start(o), subscriber, "vfxlp.events.lpstatus");
}

TEST_F(NatsPublisherTest, SkipsAnEventTheServerCanNeverTake) {
  ASSERT_TRUE(server_.start());
  Client client(server_.url());
  Subscriber subscriber(client, "fixgate.events.lpstatus");
  auto publisher = start(options());
  ASSERT_NE(publisher, nullptr);
  ASSERT_TRUE(await([&] { return publisher->stats().connected; }));
  // Over the server's max_payload (1 MB): refused whenever it is sent, so not retried forever
  // ahead of the events behind it.
  EXPECT_TRUE(publisher->publish("events.lpstatus", std::string(2 << 20, 'x')));
  EXPECT_TRUE(publisher->publish("events.lpstatus", "after"));
  const auto got = subscriber.take(1);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].payload, "after");
  EXPECT_TRUE(publisher->flush(20s));
  EXPECT_EQ(publisher->stats().rejected, 1u);
  EXPECT_EQ(log_lines("max_payload").size(), 1u);
}

TEST_F(NatsPublisherTest, DeliversEventsQueuedBeforeTheServerStarted) {
  make_recorder_then_stop();
  auto publisher = start(options());  // nothing listens: it starts all the same
  ASSERT_NE(publisher, nullptr);
  EXPECT_FALSE(publisher->stats().connected);
  publish_numbered(*publisher, 0, 20);
  EXPECT_EQ(publisher->stats().buffered, 20u);
  EXPECT_EQ(publisher->stats().published, 0u);

  ASSERT_TRUE(server_.start());
  EXPECT_TRUE(publisher->flush(20s));
  EXPECT_EQ(await_stream(server_.url(), "RECORD", 20), numbered("event-", 0, 20));
  EXPECT_EQ(publisher->stats().published, 20u);
  EXPECT_FALSE(log_lines("connected to").empty());
}

TEST_F(NatsPublisherTest, KeepsEventsAcrossAServerKillAndRestart) {
  make_recorder_then_stop();
  ASSERT_TRUE(server_.start());
  auto publisher = start(options());
  ASSERT_NE(publisher, nullptr);
  publish_numbered(*publisher, 0, 50);
  ASSERT_TRUE(publisher->flush(20s));
  ASSERT_EQ(await_stream(server_.url(), "RECORD", 50), numbered("event-", 0, 50));

  server_.kill();
  ASSERT_TRUE(await([&] { return !publisher->stats().connected; }));
  // The server is gone: every call returns at once, the events wait.
  publish_numbered(*publisher, 50, 150);
  EXPECT_EQ(publisher->stats().buffered, 100u);
  EXPECT_FALSE(publisher->flush(50ms));

  ASSERT_TRUE(server_.start());
  EXPECT_TRUE(publisher->flush(20s));
  EXPECT_EQ(await_stream(server_.url(), "RECORD", 150), numbered("event-", 0, 150));
  const auto stats = publisher->stats();
  EXPECT_EQ(stats.published, 150u);
  EXPECT_EQ(stats.dropped, 0u);
  EXPECT_TRUE(stats.connected);
  EXPECT_FALSE(log_lines("reconnected to").empty());
}

TEST_F(NatsPublisherTest, CountsExactlyTheOverflowAsDropped) {
  make_recorder_then_stop();
  NatsOptions o = options();
  o.buffer_capacity = 10;
  o.drop_log_interval = std::chrono::hours(1);
  auto publisher = start(o);
  ASSERT_NE(publisher, nullptr);
  for (int i = 0; i < 25; ++i)
    EXPECT_EQ(publisher->publish("events.lpstatus", "event-" + std::to_string(i)), i < 10) << i;
  EXPECT_EQ(publisher->stats().dropped, 15u);
  EXPECT_EQ(publisher->stats().buffered, 10u);
  // The first drop is reported, and no more within the interval: never a line per drop.
  EXPECT_TRUE(await([&] { return !log_lines("buffer full").empty(); }));

  ASSERT_TRUE(server_.start());
  EXPECT_TRUE(publisher->flush(20s));
  EXPECT_EQ(await_stream(server_.url(), "RECORD", 10), numbered("event-", 0, 10));
  EXPECT_EQ(publisher->stats().published, 10u);
  EXPECT_EQ(publisher->stats().dropped, 15u);
  EXPECT_EQ(log_lines("buffer full").size(), 1u);
}

TEST_F(NatsPublisherTest, JetStreamStoresARepeatedMsgIdOnce) {
  ASSERT_TRUE(server_.start());
  NatsOptions o = options();
  o.jetstream = true;
  auto publisher = start(o);
  ASSERT_NE(publisher, nullptr);
  EXPECT_TRUE(publisher->publish("events.lpstatus", "LP1 active", "LP1-1"));
  EXPECT_TRUE(publisher->publish("events.lpstatus", "LP1 active, replayed", "LP1-1"));
  EXPECT_TRUE(publisher->publish("events.lpstatus", "LP1 error", "LP1-2"));
  // The stream takes <prefix>.events.> only: anything else is refused up front.
  EXPECT_FALSE(publisher->publish("audit", "x", "A-1"));
  EXPECT_TRUE(publisher->flush(20s));

  Client client(server_.url());
  EXPECT_EQ(client.stream_payloads("FIXGATE_EVENTS"),
            (std::vector<std::string>{"LP1 active", "LP1 error"}));
  EXPECT_EQ(publisher->stats().published, 3u);  // the repeat too is acknowledged
  EXPECT_EQ(publisher->stats().rejected, 1u);
  EXPECT_FALSE(log_lines("created JetStream stream FIXGATE_EVENTS").empty());
}

TEST_F(NatsPublisherTest, JetStreamStoresEachEventOnceAcrossAServerKill) {
  ASSERT_TRUE(server_.start());
  NatsOptions o = options();
  o.jetstream = true;
  o.subject_prefix = "vfxlp";
  auto publisher = start(o);
  ASSERT_NE(publisher, nullptr);
  publish_numbered(*publisher, 0, 1000, /*ids=*/true);
  // Killed while the publisher works through its backlog, one acknowledgement at a time.
  ASSERT_TRUE(await([&] { return publisher->stats().published >= 100; }));
  server_.kill();
  EXPECT_GT(publisher->stats().buffered, 0u) << "the backlog was gone before the kill";
  ASSERT_TRUE(await([&] { return !publisher->stats().connected; }));
  publish_numbered(*publisher, 1000, 1500, /*ids=*/true);

  ASSERT_TRUE(server_.start());
  EXPECT_TRUE(publisher->flush(60s));
  Client client(server_.url());
  EXPECT_EQ(client.stream_count("VFXLP_EVENTS"), 1500u);
  EXPECT_EQ(client.stream_payloads("VFXLP_EVENTS"), numbered("event-", 0, 1500));
  EXPECT_EQ(publisher->stats().dropped, 0u);
}

TEST_F(NatsPublisherTest, KvReaderGetsTheLatestValue) {
  NatsOptions o = options();
  o.kv_bucket = "fixgate_lp";
  auto publisher = start(o);  // the server is not running yet
  ASSERT_NE(publisher, nullptr);
  EXPECT_TRUE(publisher->put_kv("LP1", "status-1"));
  EXPECT_TRUE(publisher->put_kv("LP1", "status-2"));
  EXPECT_TRUE(publisher->put_kv("LP2", "status-0"));
  EXPECT_TRUE(publisher->put_kv("LP1", "status-3"));
  EXPECT_FALSE(publisher->put_kv("LP 1", "bad key"));
  EXPECT_EQ(publisher->stats().buffered, 2u);  // the latest value per key

  ASSERT_TRUE(server_.start());
  ASSERT_TRUE(publisher->flush(20s));
  EXPECT_EQ(publisher->stats().published, 2u);
  auto read = [&](const char* key) {
    Client reader(server_.url());  // a late subscriber: a fresh connection
    kvStore* kv = nullptr;
    std::string value = "<no bucket>";
    if (js_KeyValue(&kv, reader.js(), "fixgate_lp") != NATS_OK) return value;
    kvEntry* entry = nullptr;
    value = kvStore_Get(&entry, kv, key) == NATS_OK ? kvEntry_ValueString(entry) : "<no key>";
    kvEntry_Destroy(entry);
    kvStore_Destroy(kv);
    return value;
  };
  EXPECT_EQ(read("LP1"), "status-3");
  EXPECT_EQ(read("LP2"), "status-0");

  EXPECT_TRUE(publisher->put_kv("LP1", "status-4"));  // the bucket is there now
  ASSERT_TRUE(publisher->flush(20s));
  EXPECT_EQ(read("LP1"), "status-4");
}

TEST_F(NatsPublisherTest, RefusesMalformedOptionsButNotAnUnreachableServer) {
  for (const char* url : {"", "nats://127.0.0.1:notaport", "http://127.0.0.1:4222", "a b:1"}) {
    NatsOptions o = options();
    o.url = url;
    EXPECT_FALSE(NatsPublisher::start(o).is_ok()) << "'" << url << "'";
  }
  NatsOptions bad_prefix = options();
  bad_prefix.subject_prefix = "fix.*";
  EXPECT_FALSE(NatsPublisher::start(bad_prefix).is_ok());
  NatsOptions bad_bucket = options();
  bad_bucket.kv_bucket = "lp.status";
  EXPECT_FALSE(NatsPublisher::start(bad_bucket).is_ok());

  NatsOptions down = options();  // well-formed, nothing listening yet
  down.url = "nats://fixgate:secret@127.0.0.1:" + std::to_string(server_.port());
  auto publisher = start(down);
  ASSERT_NE(publisher, nullptr);
  EXPECT_FALSE(publisher->stats().connected);
  EXPECT_FALSE(publisher->publish("events..lpstatus", "x"));
  EXPECT_FALSE(publisher->publish("events.>", "x"));
  EXPECT_FALSE(publisher->put_kv("LP1", "x"));  // no bucket
  EXPECT_EQ(publisher->stats().rejected, 3u);
  EXPECT_FALSE(log_lines("not reachable yet").empty());
  EXPECT_TRUE(log_lines("secret").empty());
}

TEST_F(NatsPublisherTest, DestructorReportsWhatWasNotDelivered) {
  NatsOptions o = options();
  o.kv_bucket = "fixgate_lp";
  auto publisher = start(o);  // the server never runs
  ASSERT_NE(publisher, nullptr);
  publish_numbered(*publisher, 0, 3);
  EXPECT_TRUE(publisher->put_kv("LP1", "status-1"));
  EXPECT_FALSE(publisher->flush(50ms));
  publisher.reset();  // returns although NATS is down
  EXPECT_EQ(log_lines("3 events and 1 KV values not delivered").size(), 1u);
}

// nats.c's library threads and state, ended so that LeakSanitizer sees no leak.
class NatsLibrary : public ::testing::Environment {
 public:
  void TearDown() override { nats_CloseAndWait(5000); }
};
const auto* const kNatsLibrary = ::testing::AddGlobalTestEnvironment(new NatsLibrary);

}  // namespace
}  // namespace fixgate::gateway
