#include "store_test_util.h"

#include <gtest/gtest.h>
#include <poll.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <stdexcept>

namespace fixgate::store::testing {

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl = std::string(base && *base ? base : "/tmp") + "/fixgate-store-XXXXXX";
  char* made = ::mkdtemp(tmpl.data());
  if (!made) throw std::runtime_error("mkdtemp " + tmpl + ": " + std::strerror(errno));
  path_ = made;
}

TempDir::~TempDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

void PrintTo(const StoreState& s, std::ostream* os) {
  *os << "{sender " << s.next_sender << ", target " << s.next_target << ", created "
      << s.creation_time << ", " << s.messages.size() << " messages:";
  int shown = 0;
  for (const auto& [seq, body] : s.messages) {
    if (++shown > 8) {
      *os << " …";
      break;
    }
    *os << " " << seq << "(" << body.size() << "B)";
  }
  *os << "}";
}

StoreState snapshot(const Store& store) {
  StoreState s;
  s.next_sender = store.next_sender_seq().value;
  s.next_target = store.next_target_seq().value;
  s.creation_time = store.creation_time().count();
  Status st = store.read(SeqNum(0), SeqNum(std::numeric_limits<int64_t>::max()),
                         [&](SeqNum seq, std::string_view bytes) {
                           EXPECT_EQ(s.messages.count(seq.value), 0u) << "seq twice " << seq.value;
                           s.messages[seq.value] = std::string(bytes);
                         });
  EXPECT_TRUE(st) << st.message();
  return s;
}

StoreBatch make_batch(std::initializer_list<std::pair<uint64_t, std::string>> sent,
                      std::optional<uint64_t> next_sender, std::optional<uint64_t> next_target) {
  StoreBatch b;
  for (const auto& [seq, bytes] : sent) b.add_sent(SeqNum(seq), bytes);
  if (next_sender) b.next_sender = SeqNum(*next_sender);
  if (next_target) b.next_target = SeqNum(*next_target);
  return b;
}

std::string read_all(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

void write_all(const std::string& path, const std::string& data) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << data;
}

// ---- workload --------------------------------------------------------------------------------

std::string Workload::body(uint64_t seq, uint64_t op) {
  std::string b =
      "8=FIX.4.4\x01"
      "35=D\x01"
      "34=" +
      std::to_string(seq) +
      "\x01"
      "op=" +
      std::to_string(op) + "\x01";
  b.append((seq * 131 + op * 7) % 700, static_cast<char>('a' + (seq + op) % 26));
  return b;
}

Status Workload::apply(Store& store, uint64_t op) {
  if (op % 29 == 0) return store.reset(Duration(static_cast<int64_t>(op)));
  StoreBatch batch;
  uint64_t seq = store.next_sender_seq().value;
  for (uint64_t i = 0; i < op % 4; ++i, ++seq)
    batch.add_sent(SeqNum(seq), seq % 3 == 0 ? std::string() : body(seq, op));
  batch.next_sender = SeqNum(seq);
  batch.next_target = store.next_target_seq().next();
  return store.commit(batch);
}

uint64_t Workload::position(const Store& store) {
  return static_cast<uint64_t>(store.creation_time().count()) + store.next_target_seq().value - 1;
}

// ---- crash test ------------------------------------------------------------------------------

namespace {

// The child: never returns. Exit codes tell the parent what went wrong.
[[noreturn]] void crash_child(const Opener& open, int report_fd, pid_t parent) {
  // Dies with the test process, should that be killed first.
  if (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != parent) ::_exit(6);
  auto store = open();
  if (!store) {
    std::string m = "child open: " + store.error() + "\n";
    (void)!::write(2, m.data(), m.size());
    ::_exit(3);
  }
  for (uint64_t op = Workload::position(**store) + 1;; ++op) {
    if (Status s = Workload::apply(**store, op); !s) {
      std::string m = "child op " + std::to_string(op) + ": " + s.message() + "\n";
      (void)!::write(2, m.data(), m.size());
      ::_exit(4);
    }
    if (::write(report_fd, &op, sizeof op) != sizeof op) ::_exit(5);
  }
}

// Reads one report, waiting at most `timeout_ms`; false at EOF or timeout.
bool read_report(int fd, uint64_t& op, int timeout_ms) {
  pollfd p{fd, POLLIN, 0};
  if (::poll(&p, 1, timeout_ms) <= 0) return false;
  return ::read(fd, &op, sizeof op) == sizeof op;  // pipe writes of 8 bytes are atomic
}

}  // namespace

CrashStats run_crash_test(const Opener& open, int kills, uint32_t seed) {
  std::mt19937 rng(seed);
  session::MemoryStore model;  // the expected state, advanced to each verified position
  model.reset(Duration(0)).is_ok();
  uint64_t model_position = 0, floor = 0;
  CrashStats stats;
  for (int round = 0; round < kills; ++round) {
    int fds[2];
    if (::pipe(fds) != 0) {
      ADD_FAILURE() << "pipe: " << std::strerror(errno);
      return stats;
    }
    pid_t parent = ::getpid();
    pid_t pid = ::fork();
    if (pid == 0) {
      ::close(fds[0]);
      crash_child(open, fds[1], parent);
    }
    ::close(fds[1]);
    // Kill after 0-6 returned operations (0: possibly during open and recovery), then a few
    // microseconds more of busy work so the kill lands anywhere inside the next operation.
    int wanted = static_cast<int>(rng() % 7);
    uint64_t op = 0;
    for (int got = 0; got < wanted; ++got) {
      if (!read_report(fds[0], op, 20000)) break;
      floor = std::max(floor, op);
    }
    volatile uint64_t spin = 0;
    for (uint32_t i = 0, n = rng() % 20000; i < n; ++i) spin = spin + i;
    ::kill(pid, SIGKILL);
    int status = 0;
    ::waitpid(pid, &status, 0);
    while (read_report(fds[0], op, 1000)) floor = std::max(floor, op);
    ::close(fds[0]);
    ++stats.kills;
    if (!(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)) {
      ADD_FAILURE() << "round " << round << ": child ended by itself, status " << status;
      return stats;
    }

    auto store = open();
    if (!store) {
      ADD_FAILURE() << "round " << round << ": reopen failed: " << store.error();
      return stats;
    }
    uint64_t pos = Workload::position(**store);
    // Every returned operation survives; at most the one in flight at the kill is added.
    if (pos < floor || pos > floor + 1) {
      ADD_FAILURE() << "round " << round << ": store at op " << pos << ", child reported " << floor;
      return stats;
    }
    stats.found_in_flight += pos == floor + 1;
    floor = pos;
    while (model_position < pos) Workload::apply(model, ++model_position).is_ok();
    StoreState got = snapshot(**store), want = snapshot(model);
    if (got != want) {
      ADD_FAILURE() << "round " << round << " at op " << pos << ": state "
                    << ::testing::PrintToString(got) << " differs from the model "
                    << ::testing::PrintToString(want);
      return stats;
    }
  }
  stats.final_position = floor;
  return stats;
}

}  // namespace fixgate::store::testing
