// The status page in a real headless Chromium: fixgated (the real binary) with a SQLite sessions
// table, the admin API and a token file; three QuickFIX/C++ acceptors as the LPs. The browser side
// (status_page_browser.py: chromedriver and selenium) disables an LP through the page and follows
// changes made through the API; this side checks what that did to the LP and the table.
#include <gtest/gtest.h>

#include <sys/stat.h>
#include <unistd.h>

#include "../apps/fixgated_helpers.h"
#include "../interop/quickfix_peer.h"
#include "../support/nats_client.h"
#include "fixgate/gateway/sessions_db.h"
#include "lp_rows.h"

namespace fixgate::gateway {
namespace {

using namespace std::chrono_literals;
using testing::Child;
using testing::PeerOptions;
using testing::QuickFixPeer;

constexpr const char* kToken = "page-test-token-0123456789abcdef";

LpRow lp_row(const std::string& provider, uint16_t port) {
  LpRow r = testing::lp_test_row(provider, port, 2, R"({"ReconnectInterval": 1})");
  r.data_dictionary = testing::dict_path("FIX44.xml");
  return r;
}

PeerOptions lp_peer(const std::string& comp_id) {
  PeerOptions o;
  o.sender = comp_id;
  o.target = "FG";
  o.trace = "admin";
  return o;
}

struct Finished {
  int code = -1;
  std::string out;
};

// `args` run to the end (at most `timeout`), its output captured.
Finished run(std::vector<std::string> args, std::chrono::seconds timeout) {
  std::vector<std::string> bounded = {"/usr/bin/timeout", "-k", "5",
                                      std::to_string(timeout.count())};
  bounded.insert(bounded.end(), args.begin(), args.end());
  std::string command;
  for (const auto& a : bounded) command += " '" + a + "'";
  Child c({"/bin/sh", "-c", "exec" + command + " 2>&1"});
  Finished r;
  const auto deadline = std::chrono::steady_clock::now() + timeout + 10s;
  while (std::chrono::steady_clock::now() < deadline) {
    const std::string line = c.read_line(1s);
    if (line.empty()) {
      const int code = c.wait(50ms);  // at the end of its output: its exit
      if (code != -1) {
        r.code = code;
        for (std::string rest; !(rest = c.read_line(100ms)).empty();) r.out += rest + "\n";
        return r;
      }
      continue;
    }
    r.out += line + "\n";
  }
  return r;
}

TEST(StatusPageTest, ThreeLpsOneKilledThroughThePageInAHeadlessChromium) {
  // The browser is part of the test, never skipped: without it the test fails and says so.
  for (const char* tool : {"/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"})
    ASSERT_EQ(::access(tool, X_OK), 0)
        << tool
        << " is missing: scripts/setup.sh installs chromium chromium-driver python3-selenium";
  ASSERT_EQ(run({"/usr/bin/python3", "-c", "import selenium"}, 30s).code, 0)
      << "python3-selenium is missing for /usr/bin/python3";

  testing::TempDir dir("status-page");
  const std::string tokens =
      testing::write_file(dir.path + "/tokens", std::string("ops:") + kToken + "\n");
  ASSERT_EQ(::chmod(tokens.c_str(), 0600), 0);
  const std::string cfg =
      testing::write_file(dir.path + "/gw.cfg", "[DEFAULT]\nFileLogPath=" + dir.path + "/logs\n");
  const std::string url_db = "sqlite:" + dir.path + "/gateway.db";
  auto opened = SessionsDb::open(url_db);
  ASSERT_TRUE(opened) << opened.error();
  SessionsDb& db = **opened;
  QuickFixPeer a(lp_peer("LPA")), b(lp_peer("LPB")), c(lp_peer("LPC"));
  for (auto [provider, port] :
       {std::pair{"LPA", a.port()}, std::pair{"LPB", b.port()}, std::pair{"LPC", c.port()}})
    ASSERT_TRUE(db.upsert(lp_row(provider, port)));

  Child d(testing::fixgated({"--config", cfg, "--db", url_db, "--admin", "127.0.0.1:0",
                             "--admin-token-file", tokens, "--app", "echo"}));
  const std::string url = admin_url(d);
  ASSERT_FALSE(url.empty()) << "no admin API line";
  auto status_of = [&](const std::string& provider) -> std::optional<LpRecord> {
    auto rows = db.load();
    if (rows)
      for (auto& r : *rows)
        if (r.row.provider == provider) return r;
    return std::nullopt;
  };
  const size_t b_mark = b.mark();

  const std::string screenshot = std::string(FIXGATE_BUILD_DIR) + "/status-page.png";
  const std::string phone = std::string(FIXGATE_BUILD_DIR) + "/status-page-phone.png";
  ::unlink(screenshot.c_str());
  Finished browser =
      run({"/usr/bin/python3", FIXGATE_PAGE_SCRIPT, "--url", url, "--token", kToken, "--lps",
           "LPA,LPB,LPC", "--disable", "LPB", "--api-toggle", "LPC", "--detail", "LPA",
           "--screenshot", screenshot, "--phone-screenshot", phone},
          150s);
  std::cout << browser.out;
  ASSERT_EQ(browser.code, 0) << "the browser's checks failed:\n" << browser.out;
  EXPECT_NE(browser.out.find("PASS"), std::string::npos);

  // The LP behind the row the page disabled got a Logout; the table says 0 and disabled.
  EXPECT_FALSE(b.await("IN 35=5", 10s).empty()) << b.history(b_mark);
  EXPECT_TRUE(testing::await([&] {
    auto r = status_of("LPB");
    return r && r->status.status == LpStatus::kInactive;
  }));
  auto lpb = status_of("LPB");
  ASSERT_TRUE(lpb);
  EXPECT_FALSE(lpb->row.enabled);
  EXPECT_NE(lpb->status.status_reason.find("browser test: LP maintenance"), std::string::npos)
      << lpb->status.status_reason;
  // The others are active: LPC was disabled and enabled again through the API.
  EXPECT_EQ(status_of("LPA")->status.status, LpStatus::kActive);
  EXPECT_TRUE(testing::await([&] { return status_of("LPC")->status.status == LpStatus::kActive; }));
  // The page's change is in the audit table, with the token's name and the reason typed.
  auto audit = db.audit(20);
  ASSERT_TRUE(audit) << audit.error();
  bool by_page = false;
  for (const auto& e : *audit)
    by_page =
        by_page || (e.actor == "ops" && e.action == "disable" && e.provider == "LPB" &&
                    e.reason == "browser test: LP maintenance" && e.result.starts_with("200 "));
  EXPECT_TRUE(by_page);
  struct stat st {};
  EXPECT_EQ(::stat(screenshot.c_str(), &st), 0) << "no screenshot " << screenshot;
  EXPECT_GT(st.st_size, 10000) << screenshot;
}

TEST(StatusPageTest, WhenReadsNeedATokenThePageLoadsAndAsksForIt) {
  for (const char* tool : {"/usr/bin/chromium", "/usr/bin/chromedriver", "/usr/bin/python3"})
    ASSERT_EQ(::access(tool, X_OK), 0) << tool << " is missing: see scripts/setup.sh";
  testing::TempDir dir("status-page-token");
  const std::string tokens =
      testing::write_file(dir.path + "/tokens", std::string("ops:") + kToken + "\n");
  ASSERT_EQ(::chmod(tokens.c_str(), 0600), 0);
  const std::string cfg =
      testing::write_file(dir.path + "/gw.cfg", "[DEFAULT]\nAdminReadsNeedToken=Y\n");
  const std::string url_db = "sqlite:" + dir.path + "/gateway.db";
  QuickFixPeer a(lp_peer("LPA"));
  {
    auto opened = SessionsDb::open(url_db);
    ASSERT_TRUE(opened) << opened.error();
    ASSERT_TRUE((*opened)->upsert(lp_row("LPA", a.port())));
  }
  Child d(testing::fixgated({"--config", cfg, "--db", url_db, "--admin", "127.0.0.1:0",
                             "--admin-token-file", tokens, "--app", "none"}));
  const std::string url = admin_url(d);
  ASSERT_FALSE(url.empty()) << "no admin API line";
  Finished browser = run({"/usr/bin/python3", FIXGATE_PAGE_SCRIPT, "--url", url, "--token", kToken,
                          "--lps", "LPA", "--reads-need-token"},
                         90s);
  std::cout << browser.out;
  ASSERT_EQ(browser.code, 0) << "the browser's checks failed:\n" << browser.out;
  EXPECT_NE(browser.out.find("PASS"), std::string::npos);
}

}  // namespace
}  // namespace fixgate::gateway
