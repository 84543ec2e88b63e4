#!/usr/bin/env bash
# Installs the Temporal CLI (which embeds the dev server and Web UI) into $1/bin.
# v1.5.1 is the newest tag that `go install` can build through the Go module proxy:
# later tags carry a `replace` directive, which `go install pkg@version` refuses.
set -euo pipefail
prefix=${1:?usage: install-temporal.sh PREFIX}
version=${TEMPORAL_CLI_VERSION:-v1.5.1}
bin="$prefix/bin/temporal"
# A Temporal CLI already on PATH wins (the user's own install), unless TRAINYARD_IGNORE_PATH_TOOLS=1.
if [ "${TRAINYARD_IGNORE_PATH_TOOLS:-0}" != 1 ] && command -v temporal >/dev/null 2>&1; then
  command -v temporal; exit 0
fi
# `go install` builds report version 0.0.0-DEV, so a marker records which tag was built.
if [ -x "$bin" ] && [ -f "$bin.$version" ]; then
  echo "$bin"; exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "error: Temporal CLI not found and Go is not installed to build it. Install Go 1.22+ (https://go.dev/doc/install) or put 'temporal' on PATH, then retry." >&2
  exit 3
fi
mkdir -p "$prefix/bin"
echo "installing Temporal CLI $version with 'go install' (first time only, a few minutes)..." >&2
if ! GOBIN="$(cd "$prefix/bin" && pwd)" GOFLAGS=-mod=mod go install "github.com/temporalio/cli/cmd/temporal@$version" >&2; then
  echo "error: 'go install github.com/temporalio/cli/cmd/temporal@$version' failed (see above). Check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)), then retry." >&2
  exit 4
fi
touch "$bin.$version"
echo "$bin"
