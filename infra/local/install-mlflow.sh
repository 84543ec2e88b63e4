#!/usr/bin/env bash
# Creates a Python venv at $1 with the pinned MLflow server, its `auth` extra (Flask-WTF, for
# `mlflow server --app-name basic-auth`) and boto3 (MLflow proxies artifacts to S3).
# Prints the venv's python. Idempotent: an existing venv with the right version is kept; one made
# before the auth extra was part of the install gets only the extra added.
set -euo pipefail
venv=${1:?usage: install-mlflow.sh VENV_DIR}
version=${MLFLOW_VERSION:-3.17.2}
python=${TRAINYARD_PYTHON:-python3}
if [ -x "$venv/bin/python" ] && [ -f "$venv/.trainyard-mlflow-$version" ]; then
  if ! "$venv/bin/python" -c 'import flask_wtf' >/dev/null 2>&1; then
    # The venv is shared by every stack (dev up, each test JVM): one pip at a time.
    exec 9>"$venv/.trainyard-install.lock"
    command -v flock >/dev/null 2>&1 && flock 9
  fi
  if ! "$venv/bin/python" -c 'import flask_wtf' >/dev/null 2>&1; then
    echo "installing MLflow's auth extra (Flask-WTF) into $venv..." >&2
    if ! "$venv/bin/pip" install --disable-pip-version-check -q "mlflow[auth]==$version" >&2; then
      echo "error: 'pip install mlflow[auth]==$version' failed (see above). Check that PyPI is reachable (or PIP_INDEX_URL), then retry." >&2
      exit 4
    fi
  fi
  echo "$venv/bin/python"; exit 0
fi
if ! command -v "$python" >/dev/null 2>&1; then
  echo "error: Python 3.9+ ('$python') was not found, and MLflow needs it. Install python3 with venv support (Debian: apt-get install python3-venv) or set TRAINYARD_PYTHON to its path, then retry." >&2
  exit 3
fi
if ! "$python" -c 'import sys, venv; sys.exit(0 if sys.version_info >= (3, 9) else 1)' 2>/dev/null; then
  echo "error: '$python' is not Python 3.9+ with the venv module. Install python3-venv or set TRAINYARD_PYTHON to a suitable python, then retry." >&2
  exit 3
fi
echo "installing MLflow $version into $venv (first time only, about 2 minutes)..." >&2
rm -rf "$venv"
"$python" -m venv "$venv" >&2
if ! "$venv/bin/pip" install --disable-pip-version-check -q "mlflow[auth]==$version" "boto3>=1.34,<2" >&2; then
  rm -rf "$venv"
  echo "error: 'pip install mlflow[auth]==$version boto3' failed (see above). Check that PyPI is reachable (or PIP_INDEX_URL), then retry." >&2
  exit 4
fi
touch "$venv/.trainyard-mlflow-$version"
echo "$venv/bin/python"
