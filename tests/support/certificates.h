// Test support: a CA, a server and a client certificate signed by it, and a rogue client signed
// by another CA, made fresh by the openssl CLI (PEM files in a scratch folder).
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>

#include "process.h"

namespace fixgate::testing {

class Certificates {
 public:
  Certificates() : dir_("fixgate-tls") {
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=fixgate-test-ca -keyout ca.key -out ca.pem");
    run("openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=rogue-ca -keyout rogue-ca.key -out rogue-ca.pem");
    issue("server", "ca", "subjectAltName=IP:127.0.0.1,DNS:localhost");
    issue("client", "ca", "subjectAltName=DNS:client");
    issue("rogue", "rogue-ca", "subjectAltName=DNS:rogue");
  }
  std::string path(const std::string& name) const { return dir_.path + "/" + name; }
  const std::string& dir() const { return dir_.path; }

 private:
  void run(const std::string& cmd) {
    std::string full = "cd " + dir_.path + " && (" + cmd + ") >/dev/null 2>&1";
    ASSERT_EQ(std::system(full.c_str()), 0) << cmd;
  }
  void issue(const std::string& name, const std::string& ca, const std::string& san) {
    run("openssl req -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=" + name +
        " -keyout " + name + ".key -out " + name + ".csr");
    run("printf '" + san + "\\n' > " + name + ".ext");
    run("openssl x509 -req -in " + name + ".csr -CA " + ca + ".pem -CAkey " + ca +
        ".key -CAcreateserial -days 2 -extfile " + name + ".ext -out " + name + ".pem");
  }
  TempDir dir_;
};

// One set per test program, made on first use.
inline const Certificates& certs() {
  static Certificates c;
  return c;
}

}  // namespace fixgate::testing
