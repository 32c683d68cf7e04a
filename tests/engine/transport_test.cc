// Initiator transport options over loopback: the connect timeout, the source address, and the
// engine flushing a FileStore's batched fsync when traffic stops.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <condition_variable>
#include <mutex>

#include "../support/process.h"
#include "../support/text_log.h"
#include "fixgate/engine/engine.h"
#include "fixgate/store/file_store.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

// A listening socket on 127.0.0.1 the test drives by hand.
struct RawListener {
  int fd = -1;
  uint16_t port = 0;
  explicit RawListener(int backlog) {
    fd = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(::listen(fd, backlog), 0);
    EXPECT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port = ntohs(a.sin_port);
  }
  ~RawListener() { ::close(fd); }
  // The peer address of the next connection, or "" after `timeout`.
  std::string accept_peer(std::chrono::milliseconds timeout) {
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return "";
    sockaddr_in peer{};
    socklen_t len = sizeof peer;
    int c = ::accept(fd, reinterpret_cast<sockaddr*>(&peer), &len);
    if (c < 0) return "";
    ::close(c);
    char text[INET_ADDRSTRLEN];
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof text);
    return text;
  }
};

SessionOptions initiator_to(uint16_t port) {
  SessionOptions c;
  c.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "C", .target_comp_id = "GW"};
  c.session.role = session::Role::kInitiator;
  c.connect = {{"127.0.0.1", port}};
  c.reconnect.initial = 10s;  // one attempt within the test
  return c;
}

TEST(TransportTest, ConnectThatHangsIsAbandonedAfterTheConnectTimeout) {
  // A listener whose accept queue is full drops further SYNs: the connect neither succeeds nor
  // fails, it hangs, as towards a host that has gone away.
  RawListener full(0);
  std::vector<int> fillers;
  for (int i = 0; i < 4; ++i) {
    int f = ::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(full.port);
    (void)::connect(f, reinterpret_cast<sockaddr*>(&a), sizeof a);
    fillers.push_back(f);
  }
  testing::TextLog texts;
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  SessionOptions c = initiator_to(full.port);
  c.connect_timeout = 300ms;
  auto h = client.add_session(c);
  ASSERT_TRUE(h);
  (*h)->on_event(texts.listener());
  ASSERT_TRUE(client.start());
  EXPECT_TRUE(texts.wait_for("timed out after 300 ms", 5s));
  EXPECT_FALSE((*h)->is_logged_on());
  client.stop();
  for (int f : fillers) ::close(f);
}

TEST(TransportTest, InitiatorConnectsFromItsSourceAddress) {
  RawListener listener(8);
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  SessionOptions c = initiator_to(listener.port);
  c.source = Endpoint{"127.0.0.2", 0};  // all of 127/8 is loopback on Linux
  ASSERT_TRUE(client.add_session(c));
  ASSERT_TRUE(client.start());
  EXPECT_EQ(listener.accept_peer(5s), "127.0.0.2");
  client.stop();
}

TEST(TransportTest, UnusableSourceAddressIsReportedAndRetried) {
  RawListener listener(8);
  testing::TextLog texts;
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  SessionOptions c = initiator_to(listener.port);
  c.source = Endpoint{"192.0.2.1", 0};  // TEST-NET-1: not an address of this machine
  auto h = client.add_session(c);
  ASSERT_TRUE(h);
  (*h)->on_event(texts.listener());
  ASSERT_TRUE(client.start());
  EXPECT_TRUE(texts.wait_for("cannot connect from 192.0.2.1:0", 5s));
  client.stop();
}

// A FileStore in batch mode, counting the flushes the engine asks for.
class FlushCountingStore : public session::Store {
 public:
  explicit FlushCountingStore(std::unique_ptr<store::FileStore> inner) : inner_(std::move(inner)) {}
  session::SeqNum next_sender_seq() const override { return inner_->next_sender_seq(); }
  session::SeqNum next_target_seq() const override { return inner_->next_target_seq(); }
  session::Duration creation_time() const override { return inner_->creation_time(); }
  Status commit(const session::StoreBatch& b) override { return inner_->commit(b); }
  Status read(session::SeqNum begin, session::SeqNum end,
              const std::function<void(session::SeqNum, std::string_view)>& visit) const override {
    return inner_->read(begin, end, visit);
  }
  Status reset(session::Duration now_utc) override { return inner_->reset(now_utc); }
  std::optional<session::Duration> flush_deadline() const override {
    return inner_->flush_deadline();
  }
  Status flush() override {
    Status s = inner_->flush();
    std::lock_guard lock(mu);
    ++flushes;
    pending_after_flush = inner_->flush_deadline().has_value();
    cv.notify_all();
    return s;
  }

  std::mutex mu;
  std::condition_variable cv;
  int flushes = 0;
  bool pending_after_flush = true;

 private:
  std::unique_ptr<store::FileStore> inner_;
};

TEST(TransportTest, EngineFlushesABatchedStoreWhenTrafficStops) {
  testing::TempDir dir("batch-flush");
  store::FileStoreOptions o;
  o.fsync = store::FsyncPolicy::kBatch;
  o.batch_interval = 50ms;
  auto file = store::FileStore::open(dir.path + "/store", o);
  ASSERT_TRUE(file) << file.error();
  auto counting = std::make_unique<FlushCountingStore>(std::move(*file));
  FlushCountingStore* store = counting.get();

  Engine gw(EngineOptions{.threads = 1, .on_log = {}});
  SessionOptions a;
  a.session.id = {.begin_string = "FIX.4.4", .sender_comp_id = "GW", .target_comp_id = "C"};
  a.session.role = session::Role::kAcceptor;
  a.accept = {"127.0.0.1", 0};
  auto g = gw.add_session(a, std::move(counting));
  ASSERT_TRUE(g);
  ASSERT_TRUE(gw.start());
  Engine client(EngineOptions{.threads = 1, .on_log = {}});
  SessionOptions c = initiator_to((*g)->local_port());
  c.reconnect.initial = 50ms;
  auto h = client.add_session(c);
  ASSERT_TRUE(h);
  ASSERT_TRUE(client.start());
  ASSERT_TRUE((*g)->wait_for_status(SessionStatus::kActive, 5s));
  // The Logon exchange committed without a sync; with no further traffic the engine's timer
  // must sync it within the batch interval.
  std::unique_lock lock(store->mu);
  EXPECT_TRUE(store->cv.wait_for(lock, 5s, [&] { return store->flushes > 0; }));
  EXPECT_FALSE(store->pending_after_flush);
  lock.unlock();
  client.stop();
  gw.stop();
}

}  // namespace
}  // namespace fixgate::engine
