#!/usr/bin/env bash
# Installs what tickpipe needs from Debian's packages (only what is missing), then
# configures and builds it in ./build (Release). Safe to run again.
# Usage: scripts/setup.sh [extra cmake args...]
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(build-essential cmake pkg-config
      liblmdb-dev lmdb-utils libsimdjson-dev libconcurrentqueue-dev libreaderwriterqueue-dev
      libgtest-dev libgmock-dev libbenchmark-dev libcli11-dev libtomlplusplus-dev libzip-dev
      nlohmann-json3-dev libboost-dev
      libquickfix-dev   # tickpipe venue: the FIX 4.4 acceptor of the exchange simulator (C++14 island)
      parallel          # tickpipe sweep shards (scripts/sweep-parallel.sh, tests/sweep_shards_test.sh)
      nodejs chromium   # the HTML report: lightweight-charts from npm (web/), its browser test (tests/html_report_test.sh)
      clang-14 libclang-rt-14-dev)  # the fuzz pass (scripts/fuzz.sh): clang's libFuzzer
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
# Debian's npm, unless the installed Node.js brings its own (NodeSource's nodejs does, and conflicts with it).
command -v npm >/dev/null 2>&1 || missing+=(npm)
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}"
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The chart library the HTML report inlines (web/package-lock.json; tools/src/html_report.cpp).
if [ ! -f web/node_modules/lightweight-charts/dist/lightweight-charts.standalone.production.js ]; then
  echo "setup: installing web/node_modules (lightweight-charts)"
  npm ci --prefix web --no-audit --no-fund --loglevel=error >/dev/null
fi

if [ ! -d ../shared/data ]; then
  echo "setup: warning: ../shared/data not found beside the checkout (the real market data)" >&2
fi

JOBS=$(nproc 2>/dev/null || echo 2)
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release "$@" >/dev/null
cmake --build build -j"$JOBS"
