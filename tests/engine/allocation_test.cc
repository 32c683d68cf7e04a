// Steady-state allocations: after warm-up, a FIX echo round trip between two fixgate engines
// (memory stores, handlers on the event loops) allocates nothing on the heap. Its own program:
// it replaces the global operator new to count every allocation in the process.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>

#include "../support/allocation_counter.h"
#include "fixgate/engine/session_manager.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/store/file_store.h"
#include "fixgate/store/timed_store.h"
#include "test_configs.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using fixgate::testing::g_allocations;
using fixgate::testing::g_counting;
using session::SessionStatus;
using testing::acceptor_config;
using testing::initiator_config;

// A client and a server SessionManager over loopback, memory stores; the server echoes every
// order from its handler, the client counts the echoes in its handler.
struct EchoPair {
  explicit EchoPair(EngineOptions client_options, std::unique_ptr<session::Store> server_store = {},
                    std::unique_ptr<session::Store> client_store = {})
      : client(client_options),
        server_store_(std::move(server_store)),
        client_store_(std::move(client_store)) {}
  SessionManager server, client;
  std::unique_ptr<session::Store> server_store_, client_store_;
  std::atomic<uint64_t> echoes{0};
  std::string body;

  void start() {
    ASSERT_TRUE(server.initialize_session(acceptor_config(), std::move(server_store_)).is_ok());
    server->on("D", [this](const codec::Message& order) {
      std::string_view clordid = order.get(tag::ClOrdID).value_or("");
      body.assign("11=").append(clordid).append(
          "\x01"
          "55=IBM\x01"
          "54=1\x01"
          "38=100\x01");
      (void)server->send("D", body);
    });
    ASSERT_TRUE(server.start_session().is_ok());
    ASSERT_TRUE(
        client.initialize_session(initiator_config(server->local_port()), std::move(client_store_))
            .is_ok());
    client->on("D", [this](const codec::Message&) { echoes.fetch_add(1); });
    ASSERT_TRUE(client.start_session().is_ok());
    ASSERT_TRUE(client->wait_for_status(SessionStatus::kActive, 5s));
  }
};

// Allocations per round trip over `n` ping-pongs, after 2,000 to warm every buffer up.
double allocations_per_round_trip(EchoPair& p, bool drive, uint64_t n) {
  const std::string order =
      "11=ORD-0000000001\x01"
      "55=IBM\x01"
      "54=1\x01"
      "38=100\x01";
  uint64_t sent = 0;
  auto ping = [&] {
    if (!p.client->send("D", order).is_ok()) return false;
    ++sent;
    const auto deadline = std::chrono::steady_clock::now() + 5s;
    while (p.echoes < sent) {
      if (std::chrono::steady_clock::now() > deadline) return false;
      if (drive) p.client.run_once(100ms);
    }
    return true;
  };
  for (int i = 0; i < 2000; ++i)
    if (!ping()) return -1;
  g_allocations = 0;
  g_counting = true;
  for (uint64_t i = 0; i < n; ++i)
    if (!ping()) break;
  g_counting = false;
  if (sent != 2000 + n) return -1;
  return static_cast<double>(g_allocations.load()) / static_cast<double>(n);
}

// The handler path end to end: the client sends, the server's handler parses, validates, echoes
// (a reply committed with its handled mark), the client's handler takes the echo. Both sides'
// buffers (events, parsed messages, replies, store batches, the memory store) are reused.
TEST(AllocationTest, CallerDrivenEchoRoundTripAllocatesNothing) {
  EngineOptions o;
  o.caller_driven = true;
  EchoPair p(o);
  p.start();
  const double per_round_trip = allocations_per_round_trip(p, true, 10000);
  ASSERT_GE(per_round_trip, 0) << "an echo went missing";
  // The memory store's buffer and index double now and then as sent messages accumulate:
  // amortized, far below one allocation per round trip.
  EXPECT_LT(per_round_trip, 0.01);
}

// With an I/O thread, a send from another thread also hands the write to that thread.
TEST(AllocationTest, ThreadedEchoRoundTripAllocatesNothing) {
  EchoPair p({});
  p.start();
  const double per_round_trip = allocations_per_round_trip(p, false, 10000);
  ASSERT_GE(per_round_trip, 0) << "an echo went missing";
  EXPECT_LT(per_round_trip, 0.01);
}

// The durable path: both sides on FileStores (fsync never, so the disk's speed does not matter;
// the code path per commit is the same in every mode but for the fdatasync call).
TEST(AllocationTest, FileStoreEchoRoundTripAllocatesNothing) {
  const std::string dir = ::testing::TempDir() + "/fixgate-alloc-" + std::to_string(::getpid());
  std::filesystem::remove_all(dir);
  store::FileStoreOptions fo;
  fo.fsync = store::FsyncPolicy::kNever;
  auto server_store = store::FileStore::open(dir + "/server", fo);
  auto client_store = store::FileStore::open(dir + "/client", fo);
  ASSERT_TRUE(server_store && client_store);
  {
    EchoPair p({}, std::move(*server_store), std::move(*client_store));
    p.start();
    const double per_round_trip = allocations_per_round_trip(p, false, 10000);
    ASSERT_GE(per_round_trip, 0) << "an echo went missing";
    EXPECT_LT(per_round_trip, 0.01);
  }
  std::filesystem::remove_all(dir);
}

// With metrics on, as the gateway runs its LPs: both stores wrapped in a TimedStore. Timing each
// commit allocates nothing either (the session's counters are counted in every test here).
TEST(AllocationTest, MetricsOnEchoRoundTripAllocatesNothing) {
  auto commits = std::make_shared<LatencyHistogram>();
  EchoPair p(
      {}, std::make_unique<store::TimedStore>(std::make_shared<session::MemoryStore>(), commits),
      std::make_unique<store::TimedStore>(std::make_shared<session::MemoryStore>(), commits));
  p.start();
  const double per_round_trip = allocations_per_round_trip(p, false, 10000);
  ASSERT_GE(per_round_trip, 0) << "an echo went missing";
  EXPECT_LT(per_round_trip, 0.01);
  EXPECT_GE(commits->snapshot().count, 10000u);  // every round trip's commits were timed
}

}  // namespace
}  // namespace fixgate::engine
