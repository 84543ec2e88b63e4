#!/usr/bin/env bash
# Installs the Terraform CLI and TFLint, pinned, into ${TRAINYARD_TOOLS_DIR:-<repo>/.trainyard/tools}/bin
# (or $1/bin), and checkov, pinned, into a venv beside them (checkov-venv/, like the MLflow venv).
# Used by terraform/'s integration tests and by anyone linting terraform/ by hand.
#
# Terraform and TFLint are built with `go install` through the Go module proxy, because that is the one source
# reachable from CI (no releases.hashicorp.com, no GitHub downloads):
#   - Terraform v1.5.7 is the last MPL-2.0 release; it has no `replace` directive, so it builds.
#   - TFLint v0.61.0 builds the same way and bundles the `terraform` ruleset, so it lints with
#     no plugin download (see terraform/.tflint.hcl).
#   - checkov (CHECKOV_VERSION, default 3.3.30) comes from PyPI with pip, the same way as the
#     MLflow server (infra/local/install-mlflow.sh); it scans offline (no API key, no downloads).
# TRAINYARD_TERRAFORM_TOOLS picks which to install (default "terraform tflint checkov"; the
# integration tests ask for what each needs). Prints the installed paths on stdout, one a line,
# in that order (terraform, tflint, checkov), progress and `error: ...` on stderr. Exits 3 when
# Go or Python is missing, 4 when a build or download fails.
# Idempotent: a marker file beside each binary (in the venv for checkov) records its version.
set -euo pipefail
repo=$(cd "$(dirname "$0")/../.." && pwd)
prefix=${1:-${TRAINYARD_TOOLS_DIR:-$repo/.trainyard/tools}}
terraform_version=${TERRAFORM_VERSION:-v1.5.7}
tflint_version=${TFLINT_VERSION:-v0.61.0}
checkov_version=${CHECKOV_VERSION:-3.3.30}
python=${TRAINYARD_PYTHON:-python3}
tools=" ${TRAINYARD_TERRAFORM_TOOLS:-terraform tflint checkov} "

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


# checkov into PREFIX/checkov-venv: prints the checkov launcher's path.
install_checkov() {
  local venv="$prefix/checkov-venv"
  if [ -x "$venv/bin/checkov" ] && [ -f "$venv/.trainyard-checkov-$checkov_version" ]; then
    echo "$venv/bin/checkov"; return 0
  fi
  if ! command -v "$python" >/dev/null 2>&1 \
    || ! "$python" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
    echo "error: checkov $checkov_version is not installed and Python 3.9+ with venv ('$python') was not found to install it. Install python3 with venv support (Debian: apt-get install python3-venv) or set TRAINYARD_PYTHON, then retry." >&2
    exit 3
  fi
  echo "installing checkov $checkov_version into $venv (first time only, a few minutes)..." >&2
  rm -rf "$venv"
  mkdir -p "$prefix"
  "$python" -m venv "$venv" >&2
  if ! "$venv/bin/pip" install --disable-pip-version-check -q "checkov==$checkov_version" >&2; then
    rm -rf "$venv"
    echo "error: 'pip install checkov==$checkov_version' failed (see above). Check that PyPI is reachable (or PIP_INDEX_URL), then retry." >&2
    exit 4
  fi
  touch "$venv/.trainyard-checkov-$checkov_version"
  echo "$venv/bin/checkov"
}

case $tools in *" terraform "*) install terraform github.com/hashicorp/terraform "$terraform_version" version ;; esac
case $tools in *" tflint "*) install tflint github.com/terraform-linters/tflint "$tflint_version" --version ;; esac
case $tools in *" checkov "*) install_checkov ;; esac
