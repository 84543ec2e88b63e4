#!/usr/bin/env bash
# Builds the worker image's root filesystem (everything but the app's jars) into OUT, for Jib to
# add on top of `scratch`: no base image is pulled, so the build needs no container registry.
#
#   build-rootfs.sh OUT CACHE JDK NATIVE_JAR...
#
#   OUT         directory to (re)create: the root filesystem
#   CACHE       where downloads and the jlinked runtime are kept between builds
#               (.trainyard/image by default: git-ignored, survives `mvn clean`)
#   JDK         a JDK 17 with jmods (the build's own JDK by default)
#   NATIVE_JAR  jars whose Linux x86-64 shared libraries must load in the image (PyTorch's natives,
#               DJL's JNI): their dependencies are checked with ldd, like the runtime's own
#
# What goes in:
#   /opt/java   a jlink'ed Java 17 runtime (MODULES below) of JDK
#   /lib, /usr  the shared libraries that runtime and PyTorch need, and fontconfig + DejaVu fonts for
#               headless charts, from Debian bookworm packages
#               (PACKAGES below) fetched with `apt-get download` against deb.debian.org through a
#               private apt configuration (nothing of the host's apt state is used or changed),
#               unpacked with `dpkg-deb -x`
#   /etc        passwd/group with the non-root user trainyard (uid/gid 10001), os-release
#   /var/lib/dpkg/status  the packages' control records, so image scanners (ECR, Trivy) see them
#   /home/trainyard, /tmp  writable by the user (Jib sets their mode; see image/pom.xml)
# Then every ELF file in OUT and in the NATIVE_JARs is checked with ldd: each library it needs must
# be in OUT (or beside it, for $ORIGIN runpaths), or the build fails naming the missing soname.
set -euo pipefail

out=${1:?usage: build-rootfs.sh OUT CACHE JDK NATIVE_JAR...}
cache=${2:?CACHE}
jdk=${3:?JDK}
shift 3
native_jars=("$@")

MODULES=java.se,jdk.unsupported,jdk.crypto.ec,jdk.crypto.cryptoki,jdk.charsets,jdk.localedata,jdk.zipfs,jdk.management,jdk.management.agent,jdk.jfr,jdk.naming.dns,jdk.security.auth,jdk.security.jgss,jdk.net,jdk.httpserver,jdk.jcmd,jdk.attach
# libgomp1 is not needed: PyTorch's jar carries its own libgomp (ldd says so).
PACKAGES="base-files libc6 libgcc-s1 libstdc++6 zlib1g ca-certificates busybox-static"
# Headless charts (the evaluation plots, JFreeChart): java.desktop's libawt_headless and
# libfontmanager (kept below), which need freetype and harfbuzz (with harfbuzz's graphite2, glib,
# pcre2; freetype's png16, brotli), and fontconfig, which Java dlopens to find fonts, with its
# configuration and one font family (DejaVu, ~3 MB).
PACKAGES="$PACKAGES libfreetype6 libpng16-16 libbrotli1 libharfbuzz0b libgraphite2-3 libglib2.0-0 libpcre2-8-0"
PACKAGES="$PACKAGES libfontconfig1 libexpat1 fontconfig-config fonts-dejavu-core"
# Loaded with dlopen, so no ldd of the runtime names them: checked on their own below.
DLOPENED="libfontconfig.so.1"
# java.desktop's natives for X11, sound, splash screen, JPEG and colour profiles: they would pull in
# X11, ALSA, libjpeg and lcms2. Nothing the worker draws needs them (charts are drawn headless into
# PNG: libawt, libawt_headless and libfontmanager stay); calls that do fail with UnsatisfiedLinkError.
DROP_NATIVES="libawt_xawt.so libjawt.so libsplashscreen.so libjsound.so libjavajpeg.so liblcms.so"
SUITES=("http://deb.debian.org/debian bookworm main" "http://deb.debian.org/debian bookworm-updates main"
  "http://deb.debian.org/debian-security bookworm-security main")

say() { echo "[rootfs] $*" >&2; }
die() { echo "[rootfs] error: $*" >&2; exit 1; }

command -v apt-get >/dev/null && command -v dpkg-deb >/dev/null \
  || die "apt-get and dpkg-deb are needed (a Debian or Ubuntu build machine); or skip the image with -Dimage.skip"
[ -f "$jdk/release" ] && [ -d "$jdk/jmods" ] || die "$jdk is not a JDK with jmods (set -Dimage.jdk=/path/to/jdk-17)"
java_version=$(sed -n 's/^JAVA_VERSION="\(.*\)"/\1/p' "$jdk/release")
case "$java_version" in 17|17.*) ;; *) die "$jdk is Java $java_version; the image runs Java 17 (set -Dimage.jdk)";; esac
mkdir -p "$cache"
cache=$(cd "$cache" && pwd)

# --- the Java runtime: jlink once per JDK build and module list ---
key=$(printf '%s\n' "$java_version" "$(cat "$jdk/release")" "$MODULES" "$DROP_NATIVES" | sha256sum | cut -c1-16)
jre="$cache/jre-$key"
if [ ! -x "$jre/bin/java" ]; then
  say "jlink Java $java_version ($jdk) into $jre"
  rm -rf "$jre.tmp"
  "$jdk/bin/jlink" --add-modules "$MODULES" --include-locales=en,en-US --strip-debug --no-man-pages \
    --no-header-files --compress=2 --output "$jre.tmp"
  for so in $DROP_NATIVES; do rm -f "$jre.tmp/lib/$so"; done
  mv "$jre.tmp" "$jre"
else
  say "Java runtime from cache: $jre"
fi

# --- Debian packages: a private apt configuration, lists and archives under the cache ---
apt_dir="$cache/apt"
debs="$cache/debs"
mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$debs"
printf 'deb %s\n' "${SUITES[@]}" >"$apt_dir/sources.list"
apt_opts=(-q -o "Dir::Etc::SourceList=$apt_dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
  -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache" -o Dir::State::Status=/dev/null
  -o APT::Architecture=amd64 -o APT::Architectures::=amd64 -o Debug::NoLocking=1 -o APT::Sandbox::User=root
  -o Acquire::IndexTargets::deb::DEP-11::DefaultEnabled=false -o Acquire::Languages=none)
missing=()
for p in $PACKAGES; do
  compgen -G "$debs/${p}_*.deb" >/dev/null || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  say "apt-get download ${missing[*]} (Debian bookworm)"
  apt-get "${apt_opts[@]}" update >&2 || die "apt-get update against deb.debian.org failed"
  (cd "$debs" && apt-get "${apt_opts[@]}" download "${missing[@]}" >&2) || die "apt-get download ${missing[*]} failed"
else
  say "Debian packages from cache: $debs"
fi

# --- assemble ---
rm -rf "$out"
mkdir -p "$out/opt" "$out/var/lib/dpkg" "$out/etc" "$out/home/trainyard" "$out/tmp"
cp -a "$jre" "$out/opt/java"
status="$out/var/lib/dpkg/status"
: >"$status"
for p in $PACKAGES; do
  deb=$(ls -1 "$debs/${p}"_*.deb | sort -V | tail -1)
  dpkg-deb -x "$deb" "$out"
  { dpkg-deb -f "$deb" Package Version Architecture Multi-Arch Maintainer Installed-Size Source Depends Description
    echo "Status: install ok installed"; echo; } >>"$status"
  say "  $(basename "$deb")"
done
# Only the runtime files: no docs (copyright files stay), man pages, translations, charset
# converters (gconv: Java does its own), maintainer scripts' helpers.
find "$out/usr/share/doc" -type f ! -name copyright -delete 2>/dev/null || true
rm -rf "$out/usr/share/man" "$out/usr/share/info" "$out/usr/share/lintian" "$out/usr/share/locale" \
  "$out/usr/lib/x86_64-linux-gnu/gconv" "$out/usr/share/gcc" "$out/usr/share/gdb" "$out/usr/sbin" \
  "$out/usr/share/common-licenses" "$out/usr/share/base-files" "$out/usr/share/ca-certificates/.."/ca-certificates.conf \
  "$out/etc/profile" "$out/etc/profile.d" "$out/etc/skel" "$out/etc/update-motd.d" "$out/etc/dpkg" \
  "$out/etc/ca-certificates.conf" "$out/usr/share/pixmaps" "$out/usr/share/menu"
find "$out" -depth -type d -empty ! -path "$out/tmp" ! -path "$out/home/trainyard" -delete
# ca-certificates builds /etc/ssl/certs in its maintainer script; the bundle is enough here (Java
# keeps its own cacerts in /opt/java/lib/security).
mkdir -p "$out/etc/ssl/certs"
find "$out/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat >"$out/etc/ssl/certs/ca-certificates.crt"

# Jib copies files, not links: make every link a plain file. A link to a file in the same place that
# nothing else names (libstdc++.so.6 -> libstdc++.so.6.0.30) takes the file's place; others copy it.
# Chains are followed to the file (libgraphite2.so.2.0.0 -> libgraphite2.so.3 -> libgraphite2.so.3.2.1),
# each step inside OUT; a link already replaced by an earlier step is skipped.
resolve() {
  local l=$1 t n=0
  while [ -L "$l" ] && [ $n -lt 20 ]; do
    t=$(readlink "$l")
    case "$t" in /*) l="$out$t" ;; *) l="$(dirname "$l")/$t" ;; esac
    n=$((n + 1))
  done
  echo "$l"
}
while IFS= read -r link; do
  [ -L "$link" ] || continue
  real=$(resolve "$link")
  [ -e "$real" ] || { rm -f "$link"; continue; }
  rm -f "$link"
  if [ -f "$real" ] && [ "$(find "$out" -lname "*$(basename "$real")" | wc -l)" -eq 0 ] && [ "$(dirname "$real")" = "$(dirname "$link")" ]; then
    mv "$real" "$link"
  else
    cp -a "$real" "$link"
  fi
done < <(find "$out" -type l | sort)
[ -z "$(find "$out" -type l)" ] || die "links left in $out: $(find "$out" -type l | head -3)"

cat >"$out/etc/passwd" <<'PASSWD'
root:x:0:0:root:/root:/sbin/nologin
trainyard:x:10001:10001:Trainyard worker:/home/trainyard:/sbin/nologin
PASSWD
cat >"$out/etc/group" <<'GROUP'
root:x:0:
trainyard:x:10001:
GROUP
[ -f "$out/usr/lib/os-release" ] && cp "$out/usr/lib/os-release" "$out/etc/os-release"
echo "hosts: files dns" >"$out/etc/nsswitch.conf"
# Hadoop's local file system (file: datasets, Spark's output committer) sets permissions by
# running `chmod` when there is no native Hadoop library, as here: busybox's, under that name
# (it picks the applet from its own name). Nothing else from busybox is exposed.
mkdir -p "$out/usr/bin"
cp "$out/bin/busybox" "$out/usr/bin/chmod"
rm -rf "$out/bin"

# --- the dependency closure, checked with ldd ---
check_dir=$(mktemp -d)
trap 'rm -rf "$check_dir"' EXIT
for jar in "${native_jars[@]}"; do
  (cd "$check_dir" && unzip -qo "$jar" 'pytorch/cpu/linux-x86_64/*' 'jnilib/linux-x86_64/cpu/*' 2>/dev/null || true)
done
libdirs=("$out/lib/x86_64-linux-gnu" "$out/usr/lib/x86_64-linux-gnu" "$out/lib64" "$out/opt/java/lib" "$out/opt/java/lib/server")
provided=$(for d in "${libdirs[@]}"; do [ -d "$d" ] && ls -1 "$d"; done; find "$check_dir" -name '*.so*' -printf '%f\n')
dlopened_files=()
for so in $DLOPENED; do
  f=$(find "$out/lib" "$out/usr/lib" -name "$so" -type f 2>/dev/null | head -1)
  [ -n "$f" ] || die "$so (loaded with dlopen) is missing from the image"
  dlopened_files+=("$f")
done
elves=0
bad=()
while IFS= read -r f; do
  head -c 4 "$f" | grep -q 'ELF' || continue
  elves=$((elves + 1))
  while IFS= read -r soname; do
    grep -qxF "$soname" <<<"$provided" || bad+=("$(basename "$f") needs $soname")
  done < <(ldd "$f" 2>/dev/null | awk '$1 !~ /^linux-vdso/ && $1 !~ /^\// {print $1} $1 ~ /^\// {n=split($1,a,"/"); print a[n]}')
done < <(find "$out/opt/java" "$check_dir" -type f \( -name '*.so*' -o -path '*/bin/*' \)
  printf '%s\n' "${dlopened_files[@]}")
[ ${#bad[@]} -eq 0 ] || die "libraries missing from the image (add their Debian package to PACKAGES): $(printf '%s; ' "${bad[@]}" | sort -u)"
say "ldd: $elves ELF files, every needed library is in the image"
ls "$out"/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf >/dev/null 2>&1 || die "no DejaVu font in the image: charts could not draw text"
say "root filesystem: $out ($(du -sh "$out" | cut -f1))"
