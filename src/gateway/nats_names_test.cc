#include "nats_names.h"

#include <gtest/gtest.h>

namespace fixgate::gateway {
namespace {

TEST(NatsNamesTest, AcceptsServerUrlsNatsCTakes) {
  for (const char* url :
       {"nats://127.0.0.1:4222", "tls://nats.example:4443", "127.0.0.1:4222",
        "nats://user:pa:ss@host:1", "nats://[::1]:4222", "nats://host", "nats://a:1, nats://b:2"})
    EXPECT_TRUE(check_urls(url).is_ok()) << url << ": " << check_urls(url).message();
}

TEST(NatsNamesTest, RefusesMalformedServerUrls) {
  for (const char* url :
       {"", " ", "nats://127.0.0.1:notaport", "nats://host:0", "nats://host:65536",
        "nats://host:", "http://host:4222", "nats://a b:1", "nats://:4222", "nats://host:4222/path",
        "nats://::1:4222", "nats://a:1,,nats://b:2"})
    EXPECT_FALSE(check_urls(url).is_ok()) << "'" << url << "'";
}

TEST(NatsNamesTest, LogsUrlsWithoutCredentials) {
  EXPECT_EQ(without_credentials("nats://user:secret@host:4222,tls://t@h:1,plain:2"),
            "nats://host:4222,tls://h:1,plain:2");
}

TEST(NatsNamesTest, ChecksSubjectsKeysAndNames) {
  EXPECT_TRUE(valid_subject("vfxlp.events.lpstatus"));
  for (const char* bad : {"", ".a", "a.", "a..b", "a.*", "a.>", "a b", "a\tb"})
    EXPECT_FALSE(valid_subject(bad)) << "'" << bad << "'";
  EXPECT_TRUE(valid_kv_key("LP_1-a/b=c.d"));
  for (const char* bad : {"", ".a", "a.", "a b", "a*"}) EXPECT_FALSE(valid_kv_key(bad)) << bad;
  EXPECT_TRUE(valid_bucket_name("fixgate_lp-status"));
  EXPECT_FALSE(valid_bucket_name("a.b"));
  EXPECT_FALSE(valid_stream_name("A.B"));
  EXPECT_EQ(default_stream_name("vfxlp"), "VFXLP_EVENTS");
  EXPECT_EQ(default_stream_name("desk-1.fx"), "DESK-1_FX_EVENTS");
}

}  // namespace
}  // namespace fixgate::gateway
