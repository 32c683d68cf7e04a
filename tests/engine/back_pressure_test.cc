// The outbound high-water mark over real TCP: a counterparty that logs on and then stops reading
// is flooded; sends come back kBackPressured instead of the backlog (and the process) growing,
// a handler's reply still goes out, and once the counterparty reads again every message sent
// arrives, numbered without a gap: a back-pressured send used no sequence number.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <condition_variable>
#include <fstream>
#include <future>
#include <mutex>
#include <thread>

#include "fixgate/codec/encoder.h"
#include "fixgate/codec/framer.h"
#include "fixgate/engine/engine.h"
#include "test_configs.h"

namespace fixgate::engine {
namespace {

using namespace std::chrono_literals;
using session::SessionStatus;

// The process's resident set in bytes (/proc/self/statm).
size_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  size_t pages = 0, resident = 0;
  statm >> pages >> resident;
  return resident * static_cast<size_t>(::sysconf(_SC_PAGESIZE));
}

// A message the peer read.
struct Read {
  uint64_t seq = 0;
  std::string type;
  std::string clordid;
  size_t length = 0;
};

// The counterparty, by hand, on plain sockets: SERVER accepting one connection from CLIENT,
// answering its Logon, then reading nothing until told to. Its receive buffer is small, so a
// sender that does not hold back soon has everything in its own memory.
class SilentPeer {
 public:
  explicit SilentPeer(int receive_buffer) {
    listen_fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    // Set on the listening socket, before listen(): the accepted socket inherits it, and the
    // window it advertises is sized by it from the start.
    ::setsockopt(listen_fd_, SOL_SOCKET, SO_RCVBUF, &receive_buffer, sizeof receive_buffer);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof a;
    EXPECT_EQ(::bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), len), 0);
    EXPECT_EQ(::listen(listen_fd_, 1), 0);
    EXPECT_EQ(::getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len), 0);
    port_ = ntohs(a.sin_port);
  }
  ~SilentPeer() {
    if (fd_ >= 0) ::shutdown(fd_, SHUT_RDWR);  // the reader's recv returns
    if (reader_.joinable()) reader_.join();
    if (fd_ >= 0) ::close(fd_);
    ::close(listen_fd_);
  }
  SilentPeer(const SilentPeer&) = delete;
  SilentPeer& operator=(const SilentPeer&) = delete;

  uint16_t port() const { return port_; }

  // Accepts the initiator, reads its Logon and answers it; false if that fails or takes longer
  // than `timeout`.
  bool accept_and_log_on(std::chrono::milliseconds timeout) {
    pollfd p{listen_fd_, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) != 1) return false;
    fd_ = ::accept(listen_fd_, nullptr, nullptr);
    if (fd_ < 0) return false;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (received_count() == 0) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      pollfd r{fd_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&r, 1, static_cast<int>(left.count())) != 1) return false;
      if (!read_some()) return false;
    }
    return received()[0].type == "A" && write_message("A", std::string("98=0\x01") + "108=30\x01");
  }

  // Writes a message of type `type` with the body fields `body`, under the next number.
  bool write_message(std::string_view type, std::string_view body) {
    codec::Encoder e;
    e.begin("FIX.4.4", type);
    e.field(tag::SenderCompID, "SERVER");
    e.field(tag::TargetCompID, "CLIENT");
    e.field(tag::MsgSeqNum, next_seq_++);
    const auto utc = std::chrono::system_clock::now().time_since_epoch();
    e.field(tag::SendingTime,
            codec::UtcTimestamp{std::chrono::duration_cast<std::chrono::nanoseconds>(utc).count(),
                                codec::TimePrecision::kMillis});
    e.raw(body);
    std::string_view bytes = e.finish();
    while (!bytes.empty()) {
      ssize_t n = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
      if (n <= 0) return false;
      bytes.remove_prefix(static_cast<size_t>(n));
    }
    return true;
  }

  // From now on reads everything, on a thread of its own, until the connection closes.
  void start_reading() {
    reader_ = std::thread([this] {
      while (read_some()) {
      }
    });
  }

  // True once a message numbered `seq` or above has been read, waiting up to `timeout`.
  bool wait_for_seq(uint64_t seq, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, timeout, [&] { return !read_.empty() && read_.back().seq >= seq; });
  }
  std::vector<Read> received() const {
    std::lock_guard lock(mu_);
    return read_;
  }

 private:
  size_t received_count() const {
    std::lock_guard lock(mu_);
    return read_.size();
  }
  // One recv; the messages it completes are recorded. False once the connection is closed.
  bool read_some() {
    std::span<char> space = frames_.prepare(64 * 1024);
    ssize_t n = ::recv(fd_, space.data(), space.size(), 0);
    if (n <= 0) return false;
    frames_.commit(static_cast<size_t>(n));
    std::lock_guard lock(mu_);
    for (codec::Frame f = frames_.next(); f.status != codec::FrameStatus::kNeedMore;
         f = frames_.next()) {
      codec::Message m;
      EXPECT_EQ(f.status, codec::FrameStatus::kMessage);
      EXPECT_TRUE(m.parse(f.bytes).ok());
      read_.push_back(Read{m.seq_num().value_or(0), std::string(m.msg_type()),
                           std::string(m.get(tag::ClOrdID).value_or("")), f.bytes.size()});
    }
    cv_.notify_all();
    return true;
  }

  int listen_fd_ = -1;
  int fd_ = -1;
  uint16_t port_ = 0;
  uint64_t next_seq_ = 1;
  codec::FrameReader frames_;  // the reader thread's once started, the test thread's before
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<Read> read_;
  std::thread reader_;
};

std::string order_id(int i) { return "ORD-" + std::to_string(i); }

// testing::order_body(i) into `body`, whose capacity is reused: the flood itself allocates
// nothing per attempt, so what the resident set shows is the engine's.
void order_body(int i, std::string& body) {
  body.assign("11=ORD-");
  body += std::to_string(i);
  body +=
      "\x01"
      "55=IBM\x01"
      "54=1\x01"
      "38=100\x01";
}

TEST(BackPressureTest, AFloodIntoAPeerThatDoesNotReadStaysBoundedAndUsesNoNumbers) {
  constexpr size_t kHighWater = 1 << 20;
  constexpr int kMostToFill = 100'000;  // 1 MiB takes about 9,000 orders
  constexpr int kAttemptsAtTheMark = 200'000;
  constexpr int kAfterwards = 2'000;  // sent while the peer reads again
  SilentPeer peer(8 * 1024);
  // A handler's reply is committed with its message's handled mark: never held back.
  std::promise<SendResult> reply;
  Engine engine(EngineOptions{.threads = 1, .on_log = {}});
  SessionOptions config = testing::initiator_config(peer.port());
  config.outbound_high_water = kHighWater;
  config.socket_send_buffer_size = 8 * 1024;
  config.reconnect.initial = config.reconnect.max = std::chrono::hours(1);
  auto h = engine.add_session(config);
  ASSERT_TRUE(h);
  SessionHandle& client = **h;
  client.on("D", [&](const codec::Message& order) {
    reply.set_value(client.send(
        "8", "11=" + std::string(order.get(tag::ClOrdID).value_or("")) + "\x01" + "150=0\x01"));
  });
  ASSERT_TRUE(engine.start());
  ASSERT_TRUE(peer.accept_and_log_on(5s));
  ASSERT_TRUE(client.wait_for_status(SessionStatus::kActive, 5s));
  const size_t resident_at_logon = resident_bytes();

  // Flooded until the backlog reaches the mark.
  std::vector<std::string> sent;  // ClOrdIDs sent, in order
  sent.reserve(kMostToFill);
  std::string body;
  uint64_t refused = 0;
  int next = 0;
  for (SendResult r; next < kMostToFill; ++next) {
    order_body(next, body);
    r = client.send("D", body);
    if (!r) {
      ASSERT_EQ(r.code(), SendCode::kBackPressured) << r.message();
      EXPECT_NE(r.message().find("high-water"), std::string::npos) << r.message();
      ++refused;
      ++next;
      break;
    }
    sent.push_back(order_id(next));
  }
  ASSERT_EQ(refused, 1u) << "no back-pressure after " << sent.size() << " orders";
  // The mark stopped it, not the kernel's buffers (a few dozen KiB here).
  EXPECT_GT(client.outbound_stats().peak_bytes, kHighWater - 64 * 1024);

  // At the mark, send after send is refused: the backlog and the process stay as they are.
  for (int i = 0; i < kAttemptsAtTheMark; ++i, ++next) {
    order_body(next, body);
    SendResult r = client.send("D", body);
    if (r) {
      sent.push_back(order_id(next));  // the kernel took a little more meanwhile
      continue;
    }
    ASSERT_EQ(r.code(), SendCode::kBackPressured) << r.message();
    ++refused;
  }
  const OutboundStats at_mark = client.outbound_stats();
  const size_t sent_before_reading = sent.size();
  EXPECT_EQ(at_mark.back_pressured, refused);
  EXPECT_GT(refused, kAttemptsAtTheMark * 99u / 100);
  EXPECT_LE(at_mark.queued_bytes, at_mark.peak_bytes);
  const size_t resident = resident_bytes();
  const size_t growth = resident - std::min(resident, resident_at_logon);
  EXPECT_LT(growth, size_t{32} << 20) << "the resident set grew by " << growth << " bytes";

  // The peer's order, answered from a handler while back-pressured: the reply is taken.
  ASSERT_TRUE(peer.write_message("D", std::string("11=THEIRS\x01") + "55=IBM\x01"));
  auto replied = reply.get_future();
  ASSERT_EQ(replied.wait_for(5s), std::future_status::ready);
  EXPECT_EQ(replied.get().code(), SendCode::kSent);

  // The peer reads again: the backlog drains and sends go through again.
  peer.start_reading();
  const auto deadline = std::chrono::steady_clock::now() + 30s;
  for (int i = 0; i < kAfterwards; ++i, ++next) {
    // A sender that meets back-pressure tries again later: here, at once, until the deadline.
    order_body(next, body);
    SendResult r;
    while ((r = client.send("D", body)).code() == SendCode::kBackPressured &&
           std::chrono::steady_clock::now() < deadline)
      std::this_thread::yield();
    ASSERT_EQ(r.code(), SendCode::kSent) << r.message();
    sent.push_back(order_id(next));
  }
  const uint64_t last = client.sequence_numbers().second.value - 1;
  ASSERT_TRUE(peer.wait_for_seq(last, 30s));

  // Every number from the Logon on, once, in order: the refused sends took none.
  const std::vector<Read> got = peer.received();
  ASSERT_GE(got.size(), last);
  std::vector<std::string> orders;
  size_t longest = 0;
  int replies = 0;
  for (size_t i = 0; i < last; ++i) {
    ASSERT_EQ(got[i].seq, i + 1) << "a gap or a repeat at message " << i;
    if (got[i].type == "D") {
      orders.push_back(got[i].clordid);
      longest = std::max(longest, got[i].length);
    } else if (got[i].type == "8") {
      ++replies;
      EXPECT_EQ(got[i].clordid, "THEIRS");
    }
  }
  EXPECT_EQ(replies, 1);
  EXPECT_EQ(orders, sent);
  EXPECT_GT(orders.size(), sent_before_reading);
  // Never more than the mark and one message waited in memory (before the reply, which is
  // not held back).
  EXPECT_LE(at_mark.peak_bytes, kHighWater + longest);

  engine.stop();
  EXPECT_EQ(client.outbound_stats().queued_bytes, 0u);  // dropped with the connection
}

}  // namespace
}  // namespace fixgate::engine
