#!/usr/bin/env bash
# Installs toxiproxy-server (a TCP fault proxy driven over HTTP, used by the fault tests) into $1/bin.
set -euo pipefail
prefix=${1:?usage: install-toxiproxy.sh PREFIX}
version=${TOXIPROXY_VERSION:-v2.12.0}
bin="$prefix/bin/toxiproxy-server"
# A toxiproxy-server already on PATH wins, unless TRAINYARD_IGNORE_PATH_TOOLS=1.
if [ "${TRAINYARD_IGNORE_PATH_TOOLS:-0}" != 1 ] && command -v toxiproxy-server >/dev/null 2>&1; then
  command -v toxiproxy-server; exit 0
fi
# `go install` builds report a development version, so a marker records which tag was built.
if [ -x "$bin" ] && [ -f "$bin.$version" ]; then
  echo "$bin"; exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "error: toxiproxy-server not found and Go is not installed to build it. Install Go 1.22+ (https://go.dev/doc/install) or put 'toxiproxy-server' on PATH, then retry." >&2
  exit 3
fi
mkdir -p "$prefix/bin"
# The server's package is cmd/server, so `go install` names the binary `server`; it is built in a
# scratch GOBIN and renamed, so nothing called `server` lands in the shared bin folder.
pkg="github.com/Shopify/toxiproxy/v2/cmd/server@$version"
scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
echo "installing toxiproxy-server $version with 'go install' (first time only, a minute or two)..." >&2
if ! GOBIN="$scratch" GOFLAGS=-mod=mod go install "$pkg" >&2; then
  echo "error: 'go install $pkg' failed (see above). Check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)), then retry." >&2
  exit 4
fi
mv -f "$scratch/server" "$bin"
touch "$bin.$version"
echo "$bin"
