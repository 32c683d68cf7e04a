#!/usr/bin/env bash
# The README's setup command: on a fresh Debian 12 machine (root, apt reachable) installs every
# dependency, fetches the FIX dictionaries, builds fixgate into build/ and generates the
# dictionaries no package ships (FIX 4.0, 4.1, 5.0, 5.0 SP1, FIXT.1.1). Idempotent and quiet
# when there is nothing to do.
set -euo pipefail
cd "$(dirname "$0")/.."

# Every dependency of the whole project, chosen once (the README says where they come from).
PACKAGES=(
  build-essential cmake ninja-build clang libclang-rt-14-dev clang-format pkg-config
  libasio-dev libssl-dev libpugixml-dev libsqlite3-dev sqlite3 libpq-dev postgresql
  libnats-dev nats-server libspdlog-dev libfmt-dev libcli11-dev nlohmann-json3-dev
  libcpp-httplib-dev libgtest-dev libgmock-dev libbenchmark-dev libquickfix-dev
  prometheus-cpp-dev  # the gateway's /metrics: prometheus-cpp's core (Collectable, serializer)
  nodejs npm tzdata ca-certificates curl
  dpkg-dev file  # cpack -G DEB: dpkg-shlibdeps writes Depends, file finds the ELF files
  python3        # tests/readme_test.py: the README against examples/ and fixgated --list-keys
  chromium chromium-driver python3-selenium  # the status page's test in a headless browser
  tmux           # `fixgate top`'s test runs it in a real terminal
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

# Standard dictionaries (not shipped by Debian): FIX 4.2, 4.3, 4.4 and 5.0 SP2 from jspurefix.
DATA=third_party/dict
if [[ ! -f $DATA/.version || $(cat $DATA/.version) != "$JSPUREFIX_VERSION" ||
      ! -f $DATA/FIX43.xml ]]; then
  echo "setup: fetching dictionaries from jspurefix@$JSPUREFIX_VERSION"
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "jspurefix@$JSPUREFIX_VERSION" >/dev/null 2>&1)
  tar -xzf "$tmp/jspurefix-$JSPUREFIX_VERSION.tgz" -C "$tmp" \
    package/data/FIX42.xml package/data/FIX43.xml package/data/FIX44.xml package/data/FIX50SP2.xml
  mkdir -p "$DATA"
  cp "$tmp"/package/data/FIX{42,43,44,50SP2}.xml "$DATA/"
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

# The dictionaries no package ships in QuickFIX format, generated from the FIX Repository in
# jspurefix's package by the fixgate just built (FIX.4.3 is not among them: the repository's 4.3
# fields are 4.2's). Generated every time, in a fraction of a second; a file is replaced only
# when it is missing or the generator's output changed, so a second run is quiet.
REPO=$JSP/node_modules/jspurefix/data/fix_repo
for pair in FIX40:FIX.4.0 FIX41:FIX.4.1 FIX50:FIX.5.0 FIX50SP1:FIX.5.0SP1 FIXT11:FIXT.1.1; do
  file=$DATA/${pair%%:*}.xml
  tmp=$(mktemp "$DATA/.generating.XXXXXX")  # beside the file: the rename below is atomic
  if ! build/apps/fixgate/fixgate dict generate --repo "$REPO" --version "${pair#*:}" >"$tmp"; then
    rm -f "$tmp"
    echo "setup: fixgate dict generate --version ${pair#*:} failed" >&2
    exit 1
  fi
  if cmp -s "$tmp" "$file"; then
    rm -f "$tmp"
  else
    chmod 644 "$tmp"
    mv "$tmp" "$file"
    echo "setup: generated $file"
  fi
done
