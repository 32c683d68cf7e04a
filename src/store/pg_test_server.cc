#include "pg_test_server.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <grp.h>
#include <netinet/in.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

namespace fixgate::store::testing {

namespace fs = std::filesystem;

namespace {

constexpr const char* kUser = "fixgate-test";

struct RunAs {
  bool switch_user = false;
  uid_t uid = 0;
  gid_t gid = 0;
};

std::string tail_of(const std::string& path, size_t n = 1500) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string s = ss.str();
  return s.size() > n ? "…" + s.substr(s.size() - n) : s;
}

// Waits for `pid` at most `timeout`; kills it (our own child) when the time is up.
Status wait_bounded(pid_t pid, std::chrono::seconds timeout, const std::string& what) {
  int pidfd = static_cast<int>(::syscall(SYS_pidfd_open, pid, 0));
  if (pidfd >= 0) {
    pollfd p{pidfd, POLLIN, 0};
    int ready;
    do {
      ready = ::poll(&p, 1, static_cast<int>(timeout.count() * 1000));
    } while (ready < 0 && errno == EINTR);
    ::close(pidfd);
    if (ready == 0) {
      ::kill(pid, SIGKILL);
      ::waitpid(pid, nullptr, 0);
      return Status::error(what + ": timed out after " + std::to_string(timeout.count()) + " s");
    }
  }  // without pidfd (old kernel) the commands' own timeouts bound the wait
  int status = 0;
  while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Status::ok();
  return Status::error(what + ": exit status " + std::to_string(status));
}

// Runs `argv` with its output appended to `log`, as the given user, bounded in time.
Status run(const std::vector<std::string>& argv, const RunAs& as, const std::string& log,
           std::chrono::seconds timeout) {
  int out = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (out < 0) return Status::error("open " + log + ": " + std::strerror(errno));
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    int in = ::open("/dev/null", O_RDONLY);
    ::dup2(in, 0);
    ::dup2(out, 1);
    ::dup2(out, 2);
    if (::chdir("/") != 0) ::_exit(126);
    if (as.switch_user &&
        (::setgroups(0, nullptr) != 0 || ::setgid(as.gid) != 0 || ::setuid(as.uid) != 0))
      ::_exit(126);
    ::execv(args[0], args.data());
    ::_exit(127);
  }
  ::close(out);
  if (pid < 0) return Status::error("fork: " + std::string(std::strerror(errno)));
  Status s = wait_bounded(pid, timeout, argv[0]);
  if (!s) return Status::error(s.message() + "; output:\n" + tail_of(log));
  return s;
}

std::string find_bindir() {
  if (const char* env = std::getenv("FIXGATE_PG_BINDIR"); env && *env) return env;
  std::string best;
  int best_version = -1;
  std::error_code ec;
  for (const auto& e : fs::directory_iterator("/usr/lib/postgresql", ec)) {
    int v = std::atoi(e.path().filename().c_str());
    if (v > best_version && fs::exists(e.path() / "bin/initdb")) {
      best_version = v;
      best = (e.path() / "bin").string();
    }
  }
  if (!best.empty()) return best;
  if (const char* path = std::getenv("PATH")) {
    std::stringstream ss(path);
    for (std::string d; std::getline(ss, d, ':');)
      if (fs::exists(d + "/initdb") && fs::exists(d + "/pg_ctl")) return d;
  }
  return "";
}

// As root: the unprivileged user to run PostgreSQL as, created when missing.
Result<RunAs> server_user(const std::string& log) {
  RunAs as;
  if (::geteuid() != 0) return as;
  as.switch_user = true;
  if (!::getpwnam(kUser)) {
    for (const char* useradd : {"/usr/sbin/useradd", "/sbin/useradd"}) {
      if (!fs::exists(useradd)) continue;
      // A concurrent run may create it first; getpwnam below decides.
      (void)run({useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell",
                 "/usr/sbin/nologin", kUser},
                RunAs{}, log, std::chrono::seconds(30));
      break;
    }
  }
  const passwd* pw = ::getpwnam(kUser);
  if (!pw) pw = ::getpwnam("postgres");  // Debian's server package has one
  if (!pw)
    return Status::error(std::string("no unprivileged user to run PostgreSQL: could not create ") +
                         kUser + "; see " + log);
  as.uid = pw->pw_uid;
  as.gid = pw->pw_gid;
  return as;
}

int free_port() {
  int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof a;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0)
    port = ntohs(a.sin_port);
  ::close(fd);
  return port;
}

}  // namespace

Result<std::unique_ptr<PgTestServer>> PgTestServer::start() {
  std::unique_ptr<PgTestServer> server(new PgTestServer);
  server->bin_ = find_bindir();
  if (server->bin_.empty())
    return Status::error(
        "PostgreSQL server binaries (initdb, pg_ctl) not found: install the "
        "postgresql package or set FIXGATE_PG_BINDIR");
  // /tmp itself when root: the server's user must be able to reach the directory.
  const char* tmp = ::geteuid() == 0 ? nullptr : std::getenv("TMPDIR");
  std::string tmpl = std::string(tmp && *tmp ? tmp : "/tmp") + "/fixgate-pg-XXXXXX";
  if (!::mkdtemp(tmpl.data()))
    return Status::error("mkdtemp: " + std::string(std::strerror(errno)));
  server->dir_ = tmpl;
  if (Status s = server->start_watchdog(); !s) return s;
  if (Status s = server->launch(); !s) return s;
  return server;
}

Status PgTestServer::launch() {
  std::string log = dir_ + "/setup.log";
  Result<RunAs> as = server_user(log);
  if (!as) return as.status();
  switch_user_ = as->switch_user;
  uid_ = as->uid;
  gid_ = as->gid;
  if (switch_user_ && ::chown(dir_.c_str(), uid_, gid_) != 0)
    return Status::error("chown " + dir_ + ": " + std::strerror(errno));
  if (Status s = run({bin_ + "/initdb", "-D", dir_ + "/data", "-U", "fixgate", "-A", "trust", "-E",
                      "UTF8", "--no-locale", "--no-sync", "--no-instructions"},
                     *as, log, std::chrono::seconds(120));
      !s)
    return Status::error("initdb: " + s.message());
  // The server never crashes in these tests (clients do), so it may skip fsync.
  Status started = Status::error("not started");
  for (int attempt = 0; attempt < 3 && !started; ++attempt) {
    port_ = free_port();  // another process may grab it first: then try again
    std::string options = "-p " + std::to_string(port_) + " -k " + dir_ +
                          " -c listen_addresses=127.0.0.1 -c fsync=off -c full_page_writes=off";
    started = run({bin_ + "/pg_ctl", "-D", dir_ + "/data", "-l", dir_ + "/server.log", "-w", "-t",
                   "60", "-o", options, "start"},
                  *as, log, std::chrono::seconds(90));
  }
  if (!started)
    return Status::error("pg_ctl start: " + started.message() + "\nserver log:\n" +
                         tail_of(dir_ + "/server.log"));
  conninfo_ = "host=127.0.0.1 port=" + std::to_string(port_) + " user=fixgate dbname=postgres";
  return Status::ok();
}

// A detached process that waits for this one to close the pipe (or die), then stops the
// server and removes the directory: no server outlives its test run.
Status PgTestServer::start_watchdog() {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0)
    return Status::error("pipe: " + std::string(std::strerror(errno)));
  pid_t pid = ::fork();
  if (pid < 0) return Status::error("fork: " + std::string(std::strerror(errno)));
  if (pid == 0) {
    ::setsid();  // not in the test's process group: survives a kill of the group
    ::close(fds[1]);
    char c;
    while (::read(fds[0], &c, 1) != 0 && errno == EINTR) {
    }
    RunAs as{switch_user_, uid_, gid_};
    // Whoever owns the data dir is who the server runs as.
    struct stat st;
    if (::stat((dir_ + "/data").c_str(), &st) == 0 && ::geteuid() == 0)
      as = RunAs{true, st.st_uid, st.st_gid};
    if (fs::exists(dir_ + "/data/postmaster.pid"))
      (void)run(
          {bin_ + "/pg_ctl", "-D", dir_ + "/data", "-m", "immediate", "-w", "-t", "30", "stop"}, as,
          dir_ + "/teardown.log", std::chrono::seconds(45));
    std::error_code ec;
    fs::remove_all(dir_, ec);
    ::_exit(0);
  }
  ::close(fds[0]);
  watchdog_fd_ = fds[1];
  watchdog_ = pid;
  return Status::ok();
}

PgTestServer::~PgTestServer() {
  if (watchdog_fd_ >= 0) ::close(watchdog_fd_);
  if (watchdog_ > 0) (void)wait_bounded(watchdog_, std::chrono::seconds(90), "pg watchdog");
}

}  // namespace fixgate::store::testing
