#!/usr/bin/env bash
# Installs the Terraform CLI and TFLint, pinned, into ${TRAINYARD_TOOLS_DIR:-<repo>/.trainyard/tools}/bin
# (or $1/bin). Used by terraform/'s integration test and by anyone linting terraform/ by hand.
#
# Both are built with `go install` through the Go module proxy, because that is the one source
# reachable from CI (no releases.hashicorp.com, no GitHub downloads):
#   - Terraform v1.5.7 is the last MPL-2.0 release; it has no `replace` directive, so it builds.
#   - TFLint v0.61.0 builds the same way and bundles the `terraform` ruleset, so it lints with
#     no plugin download (see terraform/.tflint.hcl).
# Prints the two installed paths on stdout (terraform, then tflint), progress and `error: ...`
# on stderr. Exits 3 when Go is missing, 4 when a build or download fails. Idempotent: a
# marker file beside each binary records the tag it was built from.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${1:-${TRAINYARD_TOOLS_DIR:-$repo/.trainyard/tools}}
terraform_version=${TERRAFORM_VERSION:-v1.5.7}
tflint_version=${TFLINT_VERSION:-v0.61.0}

# install NAME PACKAGE VERSION VERSION_COMMAND...: prints the binary's path.
install() {
  local name=$1 package=$2 version=$3
  shift 3
  local bin="$prefix/bin/$name"
  # A copy on PATH is used only when it reports exactly the pinned version: fmt and lint
  # results differ between versions, and CI must see what a developer sees.
  if [ "${TRAINYARD_IGNORE_PATH_TOOLS:-0}" != 1 ] && command -v "$name" >/dev/null 2>&1 \
    && "$(command -v "$name")" "$@" 2>/dev/null | head -n 1 | grep -qF "${version#v}"; then
    command -v "$name"; return 0
  fi
  # `go install` builds may not report their tag, so a marker records which tag was built.
  if [ -x "$bin" ] && [ -f "$bin.$version" ]; then
    echo "$bin"; return 0
  fi
  if ! command -v go >/dev/null 2>&1; then
    echo "error: $name $version is not installed and Go is not installed to build it. Install Go 1.22+ (https://go.dev/doc/install), then retry." >&2
    exit 3
  fi
  mkdir -p "$prefix/bin"
  echo "installing $name $version with 'go install' (first time only, a few minutes)..." >&2
  if ! GOBIN="$(cd "$prefix/bin" && pwd)" GOFLAGS=-mod=mod go install "$package@$version" >&2; then
    echo "error: 'go install $package@$version' failed (see above). Check that the Go module proxy is reachable (GOPROXY=$(go env GOPROXY)), then retry." >&2
    exit 4
  fi
  rm -f "$bin".v*
  touch "$bin.$version"
  echo "$bin"
}

install terraform github.com/hashicorp/terraform "$terraform_version" version
install tflint github.com/terraform-linters/tflint "$tflint_version" --version
