// A throwaway PostgreSQL server for tests: initdb in a temp dir, started on a free loopback
// port (unix socket in the same dir), stopped and removed when the object goes away — or,
// should the test process die, by a watchdog process that notices. Every step is time-bounded.
// As root, the server runs as the unprivileged system user fixgate-test (created if missing),
// since initdb and postgres refuse to run as root.
#pragma once

#include <sys/types.h>
#include <memory>
#include <string>

#include "fixgate/base/result.h"

namespace fixgate::store::testing {

class PgTestServer {
 public:
  static Result<std::unique_ptr<PgTestServer>> start();
  ~PgTestServer();  // stops the server and removes its directory

  PgTestServer(const PgTestServer&) = delete;
  PgTestServer& operator=(const PgTestServer&) = delete;

  // "host=127.0.0.1 port=… user=fixgate dbname=postgres"
  const std::string& conninfo() const { return conninfo_; }
  int port() const { return port_; }

 private:
  PgTestServer() = default;
  Status launch();
  Status start_watchdog();

  std::string bin_;  // directory holding initdb, pg_ctl
  std::string dir_;  // temp dir: data/, logs, socket
  uid_t uid_ = 0;    // who runs the server (ourselves unless root)
  gid_t gid_ = 0;
  bool switch_user_ = false;
  int port_ = 0;
  std::string conninfo_;
  int watchdog_fd_ = -1;  // closing it (or dying) tells the watchdog to clean up
  pid_t watchdog_ = -1;
};

}  // namespace fixgate::store::testing
