// The gateway tests' sessions database: a SQLite file in a scratch folder, or a PostgreSQL server
// started for the test; every gateway test runs on both.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "../../src/store/pg_test_server.h"
#include "../support/process.h"
#include "fixgate/gateway/sessions_db.h"

namespace fixgate::gateway {

enum class Backend { kSqlite, kPostgres };

struct TestDatabase {
  // Starts the server (PostgreSQL) and opens the tables; fails the test when it cannot.
  void open(Backend backend, const std::string& dir) {
    if (backend == Backend::kPostgres) {
      auto pg = store::testing::PgTestServer::start();
      ASSERT_TRUE(pg) << pg.error();
      server = std::move(*pg);
      url = "postgresql:" + server->conninfo();
    } else {
      url = "sqlite:" + dir + "/gateway.db";
    }
    auto opened = SessionsDb::open(url);
    ASSERT_TRUE(opened) << opened.error();
    db = std::move(*opened);
  }

  std::unique_ptr<store::testing::PgTestServer> server;
  std::string url;
  std::unique_ptr<SessionsDb> db;
};

inline std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

}  // namespace fixgate::gateway
