#!/usr/bin/env bash
# Installs what greenroute needs to build, test and benchmark, idempotently:
# Debian packages that are missing, and the npm packages of the llama.cpp
# parity harness (tests/parity), the openai client the gateway tests use
# (tests/openai) and playwright-core, which drives the Debian chromium in the
# report's browser test (tests/report/chromium), when they are not installed yet.
#
#   scripts/install-deps.sh          # apt + npm
#   scripts/install-deps.sh --apt    # apt only
#   scripts/install-deps.sh --npm    # npm only
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_apt=1
want_npm=1
case "${1:-}" in
  --apt) want_npm=0 ;;
  --npm) want_apt=0 ;;
  "") ;;
  *) echo "usage: $0 [--apt|--npm]" >&2; exit 2 ;;
esac

apt_packages=(
  build-essential cmake make pkg-config git
  clang libclang-rt-14-dev          # libFuzzer target for the GGUF reader
  nlohmann-json3-dev libcli11-dev libspdlog-dev libfmt-dev libicu-dev
  libcpp-httplib-dev                # HTTP(S) client/server: live carbon APIs, node agent, gateway
  libtomlplusplus-dev libyaml-cpp-dev  # cluster configs in TOML and YAML
  prometheus                        # promtool: checks the /metrics outputs
  libgtest-dev libgmock-dev libbenchmark-dev
  libxml2-utils                     # xmllint: the report tests parse every SVG chart they write
  chromium libpng-dev               # the experiment report rendered headless, its screenshot read back
  nodejs                            # llama.cpp reference engine via node-llama-cpp
)

if [[ $want_apt == 1 ]]; then
  missing=()
  for p in "${apt_packages[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
      missing+=("$p")
    fi
  done
  # npm ships with NodeSource's nodejs; Debian's own nodejs splits it out.
  if ! command -v npm >/dev/null 2>&1; then missing+=(npm); fi
  if ((${#missing[@]})); then
    echo "install-deps: apt-get install ${missing[*]}"
    if [[ $(id -u) -ne 0 ]]; then sudo=sudo; else sudo=; fi
    $sudo apt-get update -q
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -q --no-install-recommends "${missing[@]}"
  else
    echo "install-deps: apt packages present"
  fi
fi

if [[ $want_npm == 1 ]]; then
  parity="$here/tests/parity"
  if [[ -d "$parity/node_modules/node-llama-cpp" && -d "$parity/node_modules/@node-llama-cpp/linux-x64" ]]; then
    echo "install-deps: npm packages present"
  else
    echo "install-deps: npm install in tests/parity"
    # Only the CPU build of llama.cpp: skip the CUDA/Vulkan optional binaries
    # (hundreds of MB) and the package's post-install download step.
    # `npm install` follows package-lock.json's pinned versions. (Not `npm ci`:
    # npm 11 writes lock files without other platforms' optional packages and
    # then refuses them in `npm ci`.)
    (cd "$parity" && npm install --no-audit --no-fund --omit=optional --ignore-scripts --loglevel=error)
  fi
  # The official openai client, run against the gateway (tests/openai).
  openai_dir="$here/tests/openai"
  if [[ -d "$openai_dir/node_modules/openai" ]]; then
    echo "install-deps: openai npm client present"
  else
    echo "install-deps: npm install in tests/openai"
    (cd "$openai_dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
  # playwright-core only (no browser download): it drives /usr/bin/chromium.
  chromium_dir="$here/tests/report/chromium"
  if [[ -d "$chromium_dir/node_modules/playwright-core" ]]; then
    echo "install-deps: playwright-core present"
  else
    echo "install-deps: npm install in tests/report/chromium"
    (cd "$chromium_dir" && npm install --no-audit --no-fund --ignore-scripts --loglevel=error)
  fi
fi
