#!/usr/bin/env bash
# The README's setup command: on a fresh Debian 12 machine (root, apt reachable) installs every
# dependency, fetches the FIX dictionaries and builds fixgate into build/. Idempotent and quiet
# when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every dependency of the whole project, chosen once (see README "Dependencies").
PACKAGES=(
  build-essential cmake ninja-build clang libclang-rt-14-dev clang-format pkg-config
  libasio-dev libssl-dev libpugixml-dev libsqlite3-dev sqlite3 libpq-dev postgresql
  libnats-dev nats-server libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev libquickfix-dev
  nodejs npm tzdata ca-certificates curl
)
JSPUREFIX_VERSION=5.11.4   # pinned: its data/ folder holds the standard QuickFIX-format dictionaries

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
# npm may come bundled with a nodejs from another source; then the Debian npm package is not needed.
if [[ " ${missing[*]} " == *" npm "* ]] && command -v npm >/dev/null; then
  missing=("${missing[@]/npm/}")
fi
if [[ " ${missing[*]} " == *" nodejs "* ]] && command -v node >/dev/null; then
  missing=("${missing[@]/nodejs/}")
fi
read -r -a missing <<<"${missing[*]:-}"
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Standard dictionaries (not shipped by Debian): FIX 4.2, 4.4 and 5.0 SP2 from jspurefix.
DATA=third_party/dict
if [[ ! -f $DATA/.version || $(cat $DATA/.version) != "$JSPUREFIX_VERSION" ]]; then
  echo "setup: fetching dictionaries from jspurefix@$JSPUREFIX_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "jspurefix@$JSPUREFIX_VERSION" >/dev/null 2>&1)
  tar -xzf "$tmp/jspurefix-$JSPUREFIX_VERSION.tgz" -C "$tmp" \
    package/data/FIX42.xml package/data/FIX44.xml package/data/FIX50SP2.xml
  mkdir -p "$DATA"
  cp "$tmp"/package/data/FIX{42,44,50SP2}.xml "$DATA/"
  echo "$JSPUREFIX_VERSION" >"$DATA/.version"
  rm -rf "$tmp"
fi

# jspurefix itself (with its npm dependencies), a FIX engine no one here wrote, for the interop
# test (tests/interop/jspurefix_peer.js).
JSP=third_party/jspurefix
if [[ ! -f $JSP/.version || $(cat $JSP/.version) != "$JSPUREFIX_VERSION" ]]; then
  echo "setup: installing jspurefix@$JSPUREFIX_VERSION for the interop test"
  rm -rf "$JSP"
  mkdir -p "$JSP"
  if ! npm install --silent --no-audit --no-fund --prefix "$JSP" "jspurefix@$JSPUREFIX_VERSION" \
      >/dev/null 2>&1; then
    echo "setup: npm install jspurefix@$JSPUREFIX_VERSION failed" >&2
    exit 1
  fi
  echo "$JSPUREFIX_VERSION" >"$JSP/.version"
fi

# Release with debug info into build/.
if [[ ! -f build/build.ninja ]]; then
  cmake -S . -B build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
fi
if ! cmake --build build -j"$(nproc)" >build/last-build.log 2>&1; then
  tail -n 60 build/last-build.log
  echo "setup: build failed (full log: build/last-build.log)" >&2
  exit 1
fi
