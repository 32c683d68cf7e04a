#include "fixgate/transport/loop.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <thread>

namespace fixgate::transport {
namespace {

using namespace std::chrono_literals;

// A reader that never reads: what the loop is asked to keep, not to use.
struct IdleReader final : DirectReader {
  int direct_fd() override { return -1; }
  std::span<char> direct_buffer() override { return {}; }
  void on_direct_read(ssize_t, int) override {}
  void arm_read() override {}
};

void stop(Loop& loop) {
  loop.release();
  loop.join();
  loop.drain();
}

TEST(LoopTest, ItsOwnThreadIsInTheLoopFromItsFirstHandler) {
  Loop loop({});
  std::promise<bool> seen;
  asio::post(loop.io(), [&] { seen.set_value(loop.in_loop()); });  // queued before the thread
  loop.start();
  EXPECT_TRUE(seen.get_future().get());
  EXPECT_FALSE(loop.in_loop());
  stop(loop);
}

TEST(LoopTest, CallRunsOnTheLoopAndReturnsItsResult) {
  Loop loop({});
  loop.start();
  EXPECT_TRUE(loop.call([&] { return loop.in_loop(); }, true));
  // Not started: on the calling thread, which stands in for the loop's.
  EXPECT_FALSE(loop.call([&] { return loop.in_loop(); }, false));
  stop(loop);
}

TEST(LoopTest, ACallerDrivenLoopIsTheDriversWhileItDrives) {
  Loop loop({.caller_driven = true});
  loop.start();
  EXPECT_FALSE(loop.in_loop());
  {
    Loop::Drive d(loop, true);
    ASSERT_TRUE(d);
    EXPECT_TRUE(loop.in_loop());
    Loop::Drive second(loop, false);  // one driver at a time
    EXPECT_FALSE(second);
  }
  EXPECT_FALSE(loop.in_loop());
  std::atomic<bool> ran{false};
  asio::post(loop.io(), [&] { ran = loop.in_loop(); });
  EXPECT_EQ(loop.run_once(1s), 1u);
  EXPECT_TRUE(ran);
  stop(loop);
}

// What the loop owns is its thread's: another thread touching it is caught in debug builds.
// Caller-driven and not driven, so that no thread reads what the statement touches in a release
// build, where it runs.
TEST(LoopTest, TouchingWhatTheLoopOwnsFromOffItsThreadIsCaught) {
  Loop loop({.caller_driven = true, .busy_poll = 10us});
  IdleReader reader;
  loop.add_direct(&reader);  // not started: the starting thread's
  loop.start();
  EXPECT_DEBUG_DEATH(loop.add_direct(&reader), "in_loop");
  {
    Loop::Drive d(loop, true);
    loop.add_direct(&reader);  // as its driver: fine
  }
  stop(loop);
  loop.add_direct(&reader);  // drained: the stopping thread's again
}

}  // namespace
}  // namespace fixgate::transport
