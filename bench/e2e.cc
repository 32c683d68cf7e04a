// bench/e2e: end-to-end FIX 4.4 NewOrderSingle echoes over loopback TCP, in one process.
//
//   raw TCP floor         blocking sockets, TCP_NODELAY, the same bytes as a fixgate order
//                         (and, named in --only, raw-spin and raw-asio: see RawShape)
//   fixgate <-> fixgate   two engine::SessionManagers, MemoryStore and FileStore (3 fsync modes)
//   QuickFIX <-> QuickFIX FileStore, then MemoryStore (bench/e2e_quickfix.cc, C++14)
//
// For each: pipelined round trips per second (send P orders back to back, then wait for the P
// echoes; the clock runs from the first send to the last echo) and ping-pong RTT percentiles
// (send one order, wait for its echo, repeat n times; each round trip timed on steady_clock).
// Every figure is taken idle and warm (one nice-19 busy loop per CPU, so that idle vCPUs do not
// halt and wake-ups do not pay the hypervisor's exit latency). Untimed ping-pongs (--warmup) come
// before each measurement; every pair runs --repeat times, round robin, and a row reports the
// median throughput and the percentiles over all its timed round trips.
//
// Threads: the benchmark thread sends every order (SessionManager::send, which encodes and
// commits on the calling thread and leaves the write to the initiator's I/O thread). The echoes
// reach it in one of two ways, each a row: "fixgate <-> fixgate" (the headline) counts them in a
// NewOrderSingle handler on the initiator's I/O thread, which signals a condition variable once
// the awaited count is reached; "(receive)" takes each with receive(). The
// "(caller-driven)" rows give the initiator no I/O thread (EngineOptions::caller_driven): the
// benchmark thread writes the socket itself when it sends and runs the loop (and so the echo
// handler) in run_once() while it waits, blocking in epoll or, with busy-poll, spinning 200 µs
// first, reading its socket with its own recv meanwhile (no epoll). The acceptor echoes from its
// NewOrderSingle handler on its own I/O thread; in "(both busy-poll)" that thread spins too, and
// neither end yields while it spins (EngineOptions::busy_poll_yield off), so no thread is ever
// woken: its floor is "raw TCP, both ends spinning". QuickFIX is driven like the headline:
// Session::send from the benchmark thread (QuickFIX writes the socket on the sending thread),
// echoes counted in fromApp on QuickFIX's socket thread, a condition variable signalled once the
// count is reached. Both engines validate with FIX44.xml on both sides; neither logs messages.
//
// --pin-cpu N runs every benchmark thread (both ends of every pair, raw TCP's too) on CPU N, but
// for the server end of a pair whose ends both spin without yielding, which gets a CPU of its own
// (spin_cpu()); the busy loops stay on all CPUs. Unpinned, the scheduler puts the two ends on one
// CPU or on two, from run to run, and on this VM a wake-up across CPUs is slow: a raw ping-pong
// measured 16 µs p50 with both ends on one CPU and 31 µs with one end on each. Pinned, every run
// hands over on one CPU.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <CLI/CLI.hpp>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "e2e_quickfix.h"
#include "e2e_report.h"
#include "fixgate/codec/encoder.h"
#include "fixgate/dict/dictionary.h"
#include "fixgate/engine/session_manager.h"
#include "fixgate/session/memory_store.h"
#include "fixgate/store/file_store.h"
#include "fixgate/store/timed_store.h"

namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;
using namespace fixgate;
using fixgate_bench::Figures;

struct Options {
  uint64_t round_trips = 20000;  // ping-pong, timed one by one
  uint64_t pipelined = 50000;    // back to back
  uint64_t warmup = 2000;        // ping-pongs before each measurement, not timed
  int repeat = 3;                // runs per pair and condition
  bool idle = false, warm = false, quick = false, qf_threaded = false;
  int pin_cpu = -1;          // every benchmark thread on this CPU; -1: where the scheduler likes
  std::string only;          // comma-separated subset of raw,fixgate,qf-file,qf-mem
  std::string fixgate_rows;  // only fixgate rows whose "pair, store" contains this
  std::string dictionary = std::string(FIXGATE_DICT_DIR) + "/FIX44.xml";
  // Store files go here: a real disk, not tmpfs, or fsync costs nothing.
  std::string scratch = std::filesystem::temp_directory_path().string();
};

Figures row(std::string pair, std::string store) {
  Figures f;
  f.pair = std::move(pair);
  f.store = std::move(store);
  return f;
}

Figures with_error(Figures f, std::string why) {
  f.error = std::move(why);
  return f;
}

// The driver shared by every pair: `send(i)` sends order i; `await(total)` blocks until `total`
// echoes have arrived since the pair started. Warm-up, pipelined, warm-up again, ping-pong.
Figures measure(Figures f, const Options& o, const std::function<bool(uint64_t)>& send,
                const std::function<bool(uint64_t)>& await) {
  uint64_t sent = 0;
  auto ping = [&]() { return send(sent++) && await(sent); };
  for (uint64_t i = 0; i < o.warmup; ++i)
    if (!ping()) return with_error(std::move(f), "warm-up round trip failed");

  if (o.pipelined > 0) {
    auto t0 = Clock::now();
    for (uint64_t i = 0; i < o.pipelined; ++i)
      if (!send(sent++)) return with_error(std::move(f), "pipelined send failed");
    if (!await(sent)) return with_error(std::move(f), "pipelined echoes missing");
    double s = std::chrono::duration<double>(Clock::now() - t0).count();
    f.round_trips_per_s = static_cast<double>(o.pipelined) / s;
  }

  // Settle: the pipelined burst may leave work behind (fixgate's handled() for every echo taken
  // with receive runs on the I/O thread after the echo is taken).
  for (uint64_t i = 0; i < o.warmup; ++i)
    if (!ping()) return with_error(std::move(f), "settling round trip failed");

  std::vector<int64_t> ns;
  ns.reserve(o.round_trips);
  for (uint64_t i = 0; i < o.round_trips; ++i) {
    auto start = Clock::now();
    if (!ping()) return with_error(std::move(f), "ping-pong round trip failed");
    ns.push_back(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - start).count());
  }
  f.rtt = fixgate_bench::summarize(ns);
  f.rtt_ns = std::move(ns);
  return f;
}

// ---- the order, identical in every run -----------------------------------------------------

// ClOrdID fixed-width, so every order has the same size ("ORD-" and the low ten digits of i, far
// more orders than any run sends). Written by hand:
// snprintf costs about 100 ns, which every pair but raw TCP would pay per order.
std::string clordid(uint64_t i) {
  std::string id = "ORD-0000000000";
  for (size_t p = id.size(); i > 0 && p > 4; i /= 10) id[--p] = static_cast<char>('0' + i % 10);
  return id;
}

// The body fields of order i (QuickFIX sets the same fields; it writes them in tag order).
void order_body(uint64_t i, std::string& out) {
  out.assign("11=")
      .append(clordid(i))
      .append(
          "\x01"
          "21=1\x01"
          "55=IBM\x01"
          "54=1\x01"
          "60=20261122-12:00:00.000\x01"
          "38=100\x01"
          "40=2\x01"
          "44=12.50\x01");
}

// ---- where the threads run --------------------------------------------------------------------

cpu_set_t g_start_cpus;  // the process's CPUs before --pin-cpu

// The CPU for the second spinning end of a pair under --pin-cpu N: the next CPU the process was
// started with after N. Two spinners that never yield on one CPU would starve each other; each
// gets one of its own, as a deployment that spins would give them. -1 when not pinned.
int spin_cpu(const Options& o) {
  if (o.pin_cpu < 0) return -1;
  for (int step = 1; step <= CPU_SETSIZE; ++step) {
    const int cpu = (o.pin_cpu + step) % CPU_SETSIZE;
    if (CPU_ISSET(cpu, &g_start_cpus)) return cpu;
  }
  return o.pin_cpu;
}

// While it lives, the calling thread (and every thread it starts, which inherit it) runs on
// `cpu`; -1 changes nothing.
class ScopedCpu {
 public:
  explicit ScopedCpu(int cpu) {
    if (cpu < 0) return;
    sched_getaffinity(0, sizeof saved_, &saved_);
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(cpu, &one);
    active_ = sched_setaffinity(0, sizeof one, &one) == 0;
  }
  ~ScopedCpu() {
    if (active_) sched_setaffinity(0, sizeof saved_, &saved_);
  }
  ScopedCpu(const ScopedCpu&) = delete;
  ScopedCpu& operator=(const ScopedCpu&) = delete;

 private:
  cpu_set_t saved_{};
  bool active_ = false;
};

// The bytes of a typical fixgate order (header as the session writes it), for the raw floor.
std::string wire_order() {
  std::string body;
  order_body(12345, body);
  codec::Encoder enc;
  return std::string(enc.begin("FIX.4.4", "D")
                         .field(tag::MsgSeqNum, 12345)
                         .field(tag::SenderCompID, "CLIENT")
                         .field(tag::SendingTime, "20261122-12:00:00.000")
                         .field(tag::TargetCompID, "BROKER")
                         .raw(body)
                         .finish());
}

// The body of a received message: from the first field after the standard header up to the
// CheckSum field, as a view into the message's bytes.
std::string_view body_of(const codec::Message& m) {
  size_t first = 0;
  while (first < m.size() && codec::header_slot_of(m[first].tag) != codec::HeaderSlot::kCount)
    ++first;
  if (first == 0 || first + 1 >= m.size()) return {};
  auto end_of = [](const codec::Field& f) { return f.value.data() + f.value.size() + 1; };
  const char* begin = end_of(m[first - 1]);
  return std::string_view(begin, static_cast<size_t>(end_of(m[m.size() - 2]) - begin));
}

// ---- raw TCP floor ----------------------------------------------------------------------------

bool write_all(int fd, const char* p, size_t n) {
  while (n > 0) {
    ssize_t w = ::send(fd, p, n, MSG_NOSIGNAL);
    if (w <= 0) return false;
    p += w;
    n -= static_cast<size_t>(w);
  }
  return true;
}

// `spin`: never block; ask again at once while nothing has arrived (a busy-polling reader).
bool read_exact(int fd, char* p, size_t n, bool spin = false) {
  while (n > 0) {
    ssize_t r = ::recv(fd, p, n, spin ? MSG_DONTWAIT : 0);
    if (r < 0 && spin && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
    if (r <= 0) return false;
    p += r;
    n -= static_cast<size_t>(r);
  }
  return true;
}

void set_nodelay(int fd) {
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// The raw rows. The floor: a blocking echo server on a thread plus a blocking client, the least
// any TCP echo can cost. Two variants, run only when named in --only, take fixgate's busy-poll
// row apart without any FIX work: "raw-spin" makes the client spin on recv as that row's
// initiator does (the floor for it), and "raw-asio" also gives the server the system calls of
// an asio acceptor: epoll_wait, then recv until one finds nothing.
struct RawShape {
  const char* name;  // in --only
  const char* label;
  bool spinning_client = false;
  bool epoll_server = false;
  bool spinning_server = false;  // on a CPU of its own under --pin-cpu (see spin_cpu())
  bool by_default = false;       // run when --only does not name it
};
constexpr RawShape kRawShapes[] = {
    {"raw", "raw TCP ping-pong", false, false, false, true},
    {"raw-spin", "raw TCP, spinning client", true},
    {"raw-asio", "raw TCP, spinning client, epoll server", true, true},
    // The floor of the "both busy-poll" row: neither end ever sleeps, so nothing is woken.
    {"raw-spin-both", "raw TCP, both ends spinning", true, false, true, true},
};

// The server of an epoll RawShape: what asio's reactor does for a socket with a read pending.
void epoll_echo(int fd, std::vector<char>& buf) {
  int ep = epoll_create1(0);
  epoll_event ev{};
  ev.events = EPOLLIN | EPOLLET;
  if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, fd, &ev) != 0) {
    if (ep >= 0) close(ep);
    return;
  }
  for (;;) {
    epoll_event ready[4];
    if (epoll_wait(ep, ready, 4, -1) < 0 && errno != EINTR) break;
    for (;;) {  // read and echo until a read finds nothing: every echo costs one empty recv
      ssize_t r = ::recv(fd, buf.data(), buf.size(), MSG_DONTWAIT);
      if (r < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) break;
      if (r <= 0 || !write_all(fd, buf.data(), static_cast<size_t>(r))) {
        close(ep);
        return;
      }
    }
  }
  close(ep);
}

Figures run_raw(const Options& o, const RawShape& shape) {
  Figures f = row(shape.label, "-");
  const std::string msg = wire_order();
  f.msg_bytes = msg.size();

  int lfd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  if (bind(lfd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(lfd, 1) != 0 ||
      getsockname(lfd, reinterpret_cast<sockaddr*>(&a), &len) != 0) {
    close(lfd);
    return with_error(std::move(f), "cannot listen");
  }
  std::thread server;
  {
    ScopedCpu place(shape.spinning_server ? spin_cpu(o) : -1);
    server = std::thread([lfd, &shape] {
      int fd = accept(lfd, nullptr, nullptr);
      if (fd < 0) return;
      set_nodelay(fd);
      std::vector<char> buf(64 * 1024);
      if (shape.epoll_server) {
        epoll_echo(fd, buf);
      } else {
        for (;;) {
          ssize_t r = ::recv(fd, buf.data(), buf.size(), shape.spinning_server ? MSG_DONTWAIT : 0);
          if (r < 0 && shape.spinning_server && (errno == EAGAIN || errno == EWOULDBLOCK)) continue;
          if (r <= 0 || !write_all(fd, buf.data(), static_cast<size_t>(r))) break;
        }
      }
      close(fd);
    });
  }
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0) {
    f.error = "cannot connect";
  } else {
    set_nodelay(fd);
    std::string in(msg.size(), '\0');
    // Ping-pong reads on this thread; a pipelined batch is read by a helper thread meanwhile.
    uint64_t pipelined_from = ~uint64_t{0}, received = 0;
    std::thread reader;
    auto send = [&](uint64_t i) {
      if (o.pipelined > 0 && i == o.warmup) {  // the first pipelined send
        pipelined_from = i;
        reader = std::thread([&] {
          std::vector<char> buf(64 * 1024);
          size_t left = o.pipelined * msg.size();
          while (left > 0) {
            ssize_t r = ::recv(fd, buf.data(), std::min(left, buf.size()), 0);
            if (r <= 0) return;
            left -= static_cast<size_t>(r);
          }
          received += o.pipelined;
        });
      }
      return write_all(fd, msg.data(), msg.size());
    };
    auto await = [&](uint64_t total) {
      if (pipelined_from != ~uint64_t{0}) {
        reader.join();
        pipelined_from = ~uint64_t{0};
        return received == total;
      }
      if (!read_exact(fd, in.data(), in.size(), shape.spinning_client)) return false;
      return ++received == total;
    };
    f = measure(f, o, send, await);
    if (reader.joinable()) reader.join();
  }
  shutdown(fd, SHUT_RDWR);
  close(fd);
  shutdown(lfd, SHUT_RDWR);
  server.join();
  close(lfd);
  return f;
}

// ---- fixgate <-> fixgate -------------------------------------------------------------------

enum class FixgateStore { kMemory, kFileAlways, kFileBatch, kFileNever };

// How the benchmark thread takes echoes from the initiator:
//  kHandler  a NewOrderSingle handler on the I/O thread counts them under a mutex and signals a
//            condition variable once the awaited count is reached (QuickFIX's side is the same);
//  kQueue    receive(): the I/O thread queues each echo and signals; taking one posts
//            its handled() back to the I/O thread.
enum class Receive { kHandler, kQueue };

// Who runs the initiator's event loop: its own thread, or the benchmark thread itself
// (EngineOptions::caller_driven), blocking in the kernel or spinning first (busy_poll).
enum class InitiatorLoop { kThread, kCaller, kCallerSpin };

struct FixgateRun {
  FixgateStore store;
  Receive receive;
  const char* pair;
  const char* store_label;
  InitiatorLoop loop = InitiatorLoop::kThread;
  // The acceptor's loop thread spins too, and neither end yields while it spins
  // (EngineOptions::busy_poll_yield): each end needs a CPU of its own (see spin_cpu()).
  bool acceptor_spin = false;
  // Both stores wrapped in a store::TimedStore, as the gateway runs its LPs for /metrics: the
  // per-message cost of metrics, against the plain row of the same run.
  bool metrics = false;
};

// Every store mode gets a row; the file store's modes print as pending until it lands.
constexpr FixgateRun kFixgateRuns[] = {
    {FixgateStore::kMemory, Receive::kHandler, "fixgate <-> fixgate", "memory"},
    {FixgateStore::kMemory, Receive::kHandler, "fixgate <-> fixgate (metrics)", "memory",
     InitiatorLoop::kThread, false, true},
    {FixgateStore::kMemory, Receive::kQueue, "fixgate <-> fixgate (receive)", "memory"},
    {FixgateStore::kMemory, Receive::kHandler, "fixgate <-> fixgate (caller-driven)", "memory",
     InitiatorLoop::kCaller},
    {FixgateStore::kMemory, Receive::kHandler, "fixgate <-> fixgate (caller, busy-poll)", "memory",
     InitiatorLoop::kCallerSpin},
    {FixgateStore::kMemory, Receive::kHandler, "fixgate <-> fixgate (both busy-poll)", "memory",
     InitiatorLoop::kCallerSpin, true},
    {FixgateStore::kFileBatch, Receive::kHandler, "fixgate <-> fixgate (caller-driven)",
     "file, fsync batch", InitiatorLoop::kCaller},
    {FixgateStore::kFileAlways, Receive::kHandler, "fixgate <-> fixgate", "file, fsync always"},
    {FixgateStore::kFileBatch, Receive::kHandler, "fixgate <-> fixgate", "file, fsync batch"},
    {FixgateStore::kFileNever, Receive::kHandler, "fixgate <-> fixgate", "file, fsync never"}};

// fixgate's stores: MemoryStore, or a FileStore per side in a fresh folder under `scratch`
// (removed by the caller) with the run's fsync policy.
std::unique_ptr<session::Store> make_store(FixgateStore kind, const std::string& dir) {
  if (kind == FixgateStore::kMemory) return std::make_unique<session::MemoryStore>();
  store::FileStoreOptions o;
  o.fsync = kind == FixgateStore::kFileAlways  ? store::FsyncPolicy::kAlways
            : kind == FixgateStore::kFileBatch ? store::FsyncPolicy::kBatch
                                               : store::FsyncPolicy::kNever;
  auto s = store::FileStore::open(dir, o);
  if (!s) {
    std::fprintf(stderr, "e2e: %s\n", s.error().c_str());
    return nullptr;
  }
  return std::move(*s);
}

// Echoes counted on the initiator's I/O thread; a waiter is woken once its count is reached.
// The count is also an atomic, so that a caller-driven loop, which counts on its own thread,
// checks it without a lock round trip per turn (raw TCP's row has no such cost either).
class EchoCounter {
 public:
  void on_echo(const codec::Message& m) {
    bytes_.store(m.bytes().size(), std::memory_order_relaxed);
    // Sequentially consistent, like the waiter's store and load: either it sees this echo, or
    // this sees it waiting.
    const uint64_t n = echoes_.fetch_add(1) + 1;
    if (n >= waiting_for_.load()) {
      std::lock_guard lock(mu_);  // the waiter checks and sleeps under it: no wake-up is lost
      cv_.notify_all();
    }
  }
  bool wait(uint64_t total, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mu_);
    waiting_for_.store(total);
    bool ok = cv_.wait_for(lock, timeout, [&] { return echoes() >= total; });
    waiting_for_.store(kNobody, std::memory_order_relaxed);
    return ok;
  }
  size_t bytes() const { return bytes_.load(std::memory_order_relaxed); }
  uint64_t echoes() const { return echoes_.load(); }

 private:
  static constexpr uint64_t kNobody = ~uint64_t{0};
  std::mutex mu_;
  std::condition_variable cv_;
  std::atomic<uint64_t> echoes_{0}, waiting_for_{kNobody};
  std::atomic<size_t> bytes_{0};
};

Figures run_fixgate(const Options& o, const FixgateRun& run,
                    const dict::Dictionary::Ptr& dictionary) {
  Figures f = row(run.pair, run.store_label);
  namespace fs = std::filesystem;
  const fs::path dir = fs::path(o.scratch) / ("fixgate-e2e-store-" + std::to_string(getpid()));
  fs::remove_all(dir);
  struct Cleanup {
    fs::path path;
    ~Cleanup() {
      std::error_code ignored;
      fs::remove_all(path, ignored);
    }
  } cleanup{dir};
  auto acceptor_store = make_store(run.store, (dir / "acceptor").string());
  auto initiator_store = make_store(run.store, (dir / "initiator").string());
  if (!acceptor_store || !initiator_store) return with_error(std::move(f), "store open");
  auto commits = std::make_shared<LatencyHistogram>();
  if (run.metrics) {
    acceptor_store = std::make_unique<store::TimedStore>(std::move(acceptor_store), commits);
    initiator_store = std::make_unique<store::TimedStore>(std::move(initiator_store), commits);
  }

  engine::EngineOptions broker_options;
  if (run.acceptor_spin) {
    broker_options.busy_poll = 200us;
    broker_options.busy_poll_yield = false;
  }
  engine::SessionManager broker(broker_options);
  engine::SessionOptions bc;
  bc.session.id = {
      .begin_string = "FIX.4.4", .sender_comp_id = "BROKER", .target_comp_id = "CLIENT"};
  bc.session.role = session::Role::kAcceptor;
  bc.session.data_dictionary = dictionary;
  bc.accept = {"127.0.0.1", 0};
  if (!broker.initialize_session(bc, std::move(acceptor_store)).is_ok())
    return with_error(std::move(f), "acceptor config");
  broker->on("D",
             [&broker](const codec::Message& order) { (void)broker->send("D", body_of(order)); });
  {
    ScopedCpu place(run.acceptor_spin ? spin_cpu(o) : -1);  // for the loop thread it starts
    if (!broker.start_session().is_ok()) return with_error(std::move(f), "acceptor start");
  }

  engine::EngineOptions client_options;
  client_options.caller_driven = run.loop != InitiatorLoop::kThread;
  if (run.loop == InitiatorLoop::kCallerSpin) client_options.busy_poll = 200us;
  client_options.busy_poll_yield = !run.acceptor_spin;
  engine::SessionManager client(client_options);
  engine::SessionOptions cc;
  cc.session.id = {
      .begin_string = "FIX.4.4", .sender_comp_id = "CLIENT", .target_comp_id = "BROKER"};
  cc.session.role = session::Role::kInitiator;
  cc.session.data_dictionary = dictionary;
  cc.connect = {{"127.0.0.1", broker->local_port()}};
  if (!client.initialize_session(cc, std::move(initiator_store)).is_ok())
    return with_error(std::move(f), "initiator config");
  EchoCounter counter;
  if (run.receive == Receive::kHandler)
    client->on("D", [&counter](const codec::Message& m) { counter.on_echo(m); });
  if (!client.start_session().is_ok()) return with_error(std::move(f), "initiator start");
  if (!client->wait_for_status(session::SessionStatus::kActive, 10s))
    return with_error(std::move(f), "no logon within 10 s");

  std::string body;
  uint64_t received = 0;
  size_t echo_bytes = 0;
  auto send = [&](uint64_t i) {
    order_body(i, body);
    return client->send("D", body).is_ok();
  };
  auto await = [&](uint64_t total) {
    if (client_options.caller_driven) {
      // The echo handler runs on this thread, inside run_once().
      const auto deadline = Clock::now() + 30s;
      while (counter.echoes() < total)
        if (Clock::now() > deadline || (!client.run_once(1s) && !client->is_logged_on()))
          return false;
      return true;
    }
    if (run.receive == Receive::kHandler) return counter.wait(total, 30s);
    while (received < total) {
      auto echo = client->receive(30s);
      if (!echo || echo->msg_type != "D") return false;
      echo_bytes = echo->bytes.size();
      ++received;
    }
    return true;
  };
  f = measure(f, o, send, await);
  f.msg_bytes = run.receive == Receive::kHandler ? counter.bytes() : echo_bytes;
  if (f.ok() && client->stats().rejects_received + broker->stats().rejects_sent > 0)
    f.error = "rejects exchanged";
  if (f.ok() && run.metrics && commits->snapshot().count == 0) f.error = "no commit was timed";
  (void)client->logout("").wait(2s);
  return f;
}

// ---- QuickFIX <-> QuickFIX -------------------------------------------------------------------

uint16_t free_port() {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
  getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
  close(fd);
  return ntohs(a.sin_port);
}

Figures run_quickfix(const Options& o, bool file_store) {
  Figures f = row("QuickFIX <-> QuickFIX", file_store ? "FileStore" : "MemoryStore");
  namespace fs = std::filesystem;
  fs::path dir = fs::path(o.scratch) / ("fixgate-e2e-" + std::to_string(getpid()));
  fs::remove_all(dir);
  fixgate_bench::QuickFixPairOptions qo;
  qo.file_store = file_store;
  qo.threaded = o.qf_threaded;
  qo.dir = dir.string();
  qo.dictionary = o.dictionary;
  qo.port = free_port();
  std::string error;
  {
    auto pair = fixgate_bench::QuickFixPair::start(qo, &error);
    if (!pair) {
      f.error = error;
    } else {
      auto send = [&](uint64_t i) { return pair->send_order(clordid(i)); };
      auto await = [&](uint64_t total) { return pair->wait_echoes(total, 30000); };
      f = measure(f, o, send, await);
      f.msg_bytes = pair->echo_bytes();
    }
  }
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  return f;
}

// ---- conditions --------------------------------------------------------------------------------

// One busy loop per CPU at nice 19, for as long as this object lives.
class BusyLoops {
 public:
  BusyLoops() {
    const pid_t parent = getpid();
    long cpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (long i = 0; i < std::max(1L, cpus); ++i) {
      pid_t pid = fork();
      if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);   // never outlive the benchmark
        if (getppid() != parent) _exit(0);  // it died before prctl
        // Free of the benchmark's pinning: the CPUs the process was given at start.
        sched_setaffinity(0, sizeof g_start_cpus, &g_start_cpus);
        setpriority(PRIO_PROCESS, 0, 19);
        for (;;) asm volatile("" ::: "memory");
      }
      if (pid > 0) pids_.push_back(pid);
    }
  }
  ~BusyLoops() {
    for (pid_t pid : pids_) kill(pid, SIGKILL);
    for (pid_t pid : pids_) waitpid(pid, nullptr, 0);
  }
  size_t count() const { return pids_.size(); }

 private:
  std::vector<pid_t> pids_;
};

bool selected(const Options& o, std::string_view name) {
  if (o.only.empty()) return true;
  std::string_view list = o.only;
  while (!list.empty()) {
    size_t comma = list.find(',');
    if (list.substr(0, comma) == name) return true;
    list = comma == std::string_view::npos ? "" : list.substr(comma + 1);
  }
  return false;
}

// Runs every selected pair `repeat` times, round robin, so that background load drifting during
// the run (this machine is shared) falls on every pair alike. One progress line per run.
std::vector<Figures> run_condition(const Options& o, const dict::Dictionary::Ptr& dictionary) {
  std::vector<std::function<Figures()>> pairs;
  // The floors run by default (blocking, and both ends spinning); the other variants only when
  // named, so the default run (and the README's table) keeps its rows.
  for (const RawShape& shape : kRawShapes)
    if (o.only.empty() ? shape.by_default : selected(o, shape.name))
      pairs.push_back([&o, &shape] { return run_raw(o, shape); });
  // --fixgate-rows: "pair, store" contains one of its '|'-separated texts.
  auto wanted = [&o](const FixgateRun& run) {
    const std::string name = std::string(run.pair) + ", " + run.store_label;
    std::string_view texts = o.fixgate_rows;
    for (;;) {
      const size_t bar = texts.find('|');
      if (name.find(texts.substr(0, bar)) != std::string::npos) return true;
      if (bar == std::string_view::npos) return false;
      texts.remove_prefix(bar + 1);
    }
  };
  if (selected(o, "fixgate"))
    for (const FixgateRun& run : kFixgateRuns)
      if (wanted(run))
        pairs.push_back([&o, &run, &dictionary] { return run_fixgate(o, run, dictionary); });
  if (selected(o, "qf-file")) pairs.push_back([&] { return run_quickfix(o, true); });
  if (selected(o, "qf-mem")) pairs.push_back([&] { return run_quickfix(o, false); });
  std::vector<std::vector<Figures>> samples(pairs.size());
  for (int rep = 0; rep < o.repeat; ++rep) {
    for (size_t i = 0; i < pairs.size(); ++i) {
      if (!samples[i].empty() && !samples[i].back().pending.empty()) continue;
      Figures f = pairs[i]();
      if (f.pending.empty())
        std::printf("  run %d: %-38s %-19s %9.0f/s  p50 %7.1f us  p99 %7.1f us%s\n", rep + 1,
                    f.pair.c_str(), f.store.c_str(), f.round_trips_per_s, f.rtt.p50, f.rtt.p99,
                    f.error.empty() ? "" : ("  FAILED: " + f.error).c_str());
      std::fflush(stdout);
      samples[i].push_back(std::move(f));
    }
  }
  std::vector<Figures> rows;
  for (auto& s : samples) rows.push_back(fixgate_bench::combine(std::move(s)));
  return rows;
}

// The 1-minute load average: other work on the machine skews every figure.
std::string loadavg() {
  std::FILE* f = std::fopen("/proc/loadavg", "r");
  if (!f) return "?";
  char buf[64] = {};
  if (!std::fgets(buf, sizeof buf, f)) buf[0] = 0;
  std::fclose(f);
  std::string_view v(buf);
  return std::string(v.substr(0, v.find(' ')));
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"bench/e2e: FIX 4.4 NewOrderSingle echoes over loopback, fixgate vs QuickFIX/C++"};
  app.add_option("-n,--round-trips", o.round_trips, "Ping-pong round trips timed")
      ->capture_default_str();
  app.add_option("-p,--pipelined", o.pipelined, "Orders sent back to back for throughput")
      ->capture_default_str();
  app.add_option("--warmup", o.warmup, "Untimed ping-pongs before each measurement")
      ->capture_default_str();
  app.add_option("-r,--repeat", o.repeat,
                 "Runs per pair and condition (median throughput, "
                 "RTT percentiles over all runs' round trips)")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  app.add_flag("--idle", o.idle, "Only the idle condition");
  app.add_flag("--warm", o.warm, "Only the warm condition (one nice-19 busy loop per CPU)");
  app.add_flag("--quick", o.quick, "A tiny run that only checks the harness works");
  app.add_flag("--qf-threaded", o.qf_threaded,
               "QuickFIX's ThreadedSocketAcceptor/Initiator instead of the Socket* ones");
  app.add_option("--only", o.only,
                 "Run a subset: comma-separated raw,raw-spin-both (both ends spinning on recv), "
                 "fixgate,qf-file,qf-mem; and, only when named, raw-spin (raw TCP with a client "
                 "spinning on recv) and raw-asio (that, with an epoll server making an asio "
                 "acceptor's system calls)");
  app.add_option("--fixgate-rows", o.fixgate_rows,
                 "Only the fixgate rows whose \"pair, store\" contains this text (or one of "
                 "several separated by |)");
  app.add_option(
      "--pin-cpu", o.pin_cpu,
      "Run every benchmark thread on this CPU (the busy loops stay on all CPUs), but the "
      "server end of pairs whose ends both spin, on the next CPU");
  app.add_option("--scratch", o.scratch, "Folder for store files (use a real disk, not tmpfs)")
      ->capture_default_str();
  app.add_option("--dict", o.dictionary, "FIX 4.4 dictionary, loaded by both engines")
      ->capture_default_str();
  CLI11_PARSE(app, argc, argv);
  if (o.quick) {
    o.round_trips = 200;
    o.pipelined = 500;
    o.warmup = 20;
    o.repeat = 1;
  }
  if (!o.idle && !o.warm) o.idle = o.warm = true;
  sched_getaffinity(0, sizeof g_start_cpus, &g_start_cpus);
  if (o.pin_cpu >= 0) {
    // Set before any thread starts: every thread the pairs create inherits it (the file
    // store's background sync thread too).
    cpu_set_t one;
    CPU_ZERO(&one);
    CPU_SET(o.pin_cpu, &one);
    if (sched_setaffinity(0, sizeof one, &one) != 0) {
      std::fprintf(stderr, "e2e: cannot pin to CPU %d: %s\n", o.pin_cpu, std::strerror(errno));
      return 2;
    }
  }

  auto dictionary = dict::Dictionary::load_file(o.dictionary);
  if (!dictionary) {
    std::fprintf(stderr, "e2e: %s\n", dictionary.error().c_str());
    return 2;
  }
  fixgate_bench::Conditions runs;
  if (o.idle) {
    std::printf("\n== idle (load average %s before) ==\n", loadavg().c_str());
    runs.emplace_back("idle", run_condition(o, *dictionary));
    fixgate_bench::print_condition(runs.back().second, o.repeat);
  }
  if (o.warm) {
    const std::string load = loadavg();
    BusyLoops loops;
    std::printf("\n== warm (%zu nice-19 busy loops; load average %s before) ==\n", loops.count(),
                load.c_str());
    runs.emplace_back("warm", run_condition(o, *dictionary));
    fixgate_bench::print_condition(runs.back().second, o.repeat);
  }
  fixgate_bench::print_markdown(runs, o.repeat, o.pipelined, o.round_trips);
  if (o.pin_cpu >= 0)
    std::printf(
        "\nEvery benchmark thread ran on CPU %d (--pin-cpu %d), but for the server end of the rows "
        "where both ends spin, which ran on CPU %d.\n",
        o.pin_cpu, o.pin_cpu, spin_cpu(o));
  for (const auto& [condition, rows] : runs)
    for (const auto& r : rows)
      if (!r.error.empty()) return 1;
  return 0;
}
