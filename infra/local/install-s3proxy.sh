#!/usr/bin/env bash
# Fetches S3Proxy's standalone jar from Maven Central (through the project's Maven wrapper,
# so mirrors and proxies in settings.xml apply) into $1. Prints the jar's path.
set -euo pipefail
dir=${1:?usage: install-s3proxy.sh DIR}
version=${S3PROXY_VERSION:-4.1.0}
jar="$dir/s3proxy-$version-jar-with-dependencies.jar"
if [ -s "$jar" ]; then echo "$jar"; exit 0; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
mkdir -p "$dir"
echo "fetching S3Proxy $version from Maven Central (first time only)..." >&2
if ! "$root/mvnw" -q -B -f "$root/infra/local/s3proxy-fetch.pom.xml" dependency:copy \
    -Dartifact="org.gaul:s3proxy:$version:jar:jar-with-dependencies" -DoutputDirectory="$dir" >&2; then
  echo "error: could not fetch org.gaul:s3proxy:$version from Maven Central (see above). Check network access or your Maven settings, then retry." >&2
  exit 4
fi
echo "$jar"
