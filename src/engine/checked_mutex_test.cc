#include "checked_mutex.h"

#include <gtest/gtest.h>

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;

TEST(CheckedMutexTest, KnowsItIsHeldByThisThread) {
  CheckedMutex mu;
  mu.assert_not_held();
  {
    std::lock_guard lock(mu);
    mu.assert_held();
    EXPECT_DEBUG_DEATH(mu.assert_not_held(), "holder_");
  }
  mu.assert_not_held();
  EXPECT_DEBUG_DEATH(mu.assert_held(), "holder_");
}

TEST(CheckedMutexTest, AWaitMarksItHeldWheneverThePredicateLooks) {
  CheckedMutex mu;
  std::condition_variable cv;
  int looks = 0;
  {
    CheckedMutex::WaitLock lock(mu);
    const bool done = lock.wait_until(cv, std::chrono::steady_clock::now() + 20ms, [&] {
      mu.assert_held();
      return ++looks == 2;  // false first: the wait lets the mutex go, then looks again
    });
    EXPECT_TRUE(done);
    mu.assert_held();  // held again once the wait returns, whatever it returned
  }
  mu.assert_not_held();
}

}  // namespace
}  // namespace fixgate::engine
