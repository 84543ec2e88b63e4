#!/usr/bin/env bash
# Builds DJL's PyTorch JNI library (libdjl_torch.so) with CMake against an installed libtorch, for
# workers that cannot download DJL's natives (offline GPU workers, the GPU image): DJL then runs on
# that libtorch through PYTORCH_LIBRARY_PATH. See docs/gpu-workers.md.
#
#   infra/gpu/build-djl-jni.sh [--python PY | --libtorch DIR] [--out DIR] [options]
#
# Where the libtorch comes from (one of):
#   --python PY      a Python whose `pip install torch` to use (default: python3, if it has torch);
#                    torch is located, not imported (importing a CUDA build needs its nvidia/* wheels)
#   --libtorch DIR   a pip install's site-packages/torch, or an unpacked libtorch archive
#                    (both hold include/ and lib/)
# Options:
#   --out DIR        DJL's engine cache to install into (default: .trainyard/djl-jni in the repo);
#                    the library goes to DIR/pytorch/<torch>-<flavor>-linux-x86_64/<djl>-libdjl_torch.so,
#                    where DJL looks for it, and DIR/djl-env.sh holds the environment to run with
#   --runtime-lib DIR  where torch's lib/ will be at run time, when it moves after the build (an image)
#   --jni-src DIR    other JNI sources (a DJL checkout's engines/pytorch/pytorch-native/src/main/native
#                    laid out like infra/gpu/djl-jni); default: infra/gpu/djl-jni (DJL 0.36.0)
#   --djl-version V  the DJL version the worker runs (default: <djl.version> in the repo's pom.xml)
#   --rebuild        build even when DIR holds a library built from the same torch and sources
#   --jobs N         parallel compile jobs (default: number of CPUs)
#
# Paths go to stdout (the library, then djl-env.sh); progress and `error: ...` lines to stderr.
# Exit 2: bad arguments; 3: a missing toolchain or input (cmake, C++ compiler, JDK headers,
# libtorch, JNI sources); 5: the DJL version and the JNI sources do not match; 6: the build or its
# check failed. Nothing is downloaded.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"

usage() { sed -n '2,27p' "$0" | sed 's/^# \{0,1\}//'; }
die() { local code=$1; shift; echo "error: $*" >&2; exit "$code"; }
say() { echo "$*" >&2; }

python="" libtorch="" out="$root/.trainyard/djl-jni" runtime_lib="" jni_src="$here/djl-jni"
djl_version="" rebuild=0 jobs="$(nproc 2>/dev/null || echo 2)"
while [ $# -gt 0 ]; do
  case "$1" in
    -h|--help) usage; exit 0 ;;
    --python) python="${2:?--python needs a path}"; shift ;;
    --libtorch) libtorch="${2:?--libtorch needs a directory}"; shift ;;
    --out) out="${2:?--out needs a directory}"; shift ;;
    --runtime-lib) runtime_lib="${2:?--runtime-lib needs a directory}"; shift ;;
    --jni-src) jni_src="${2:?--jni-src needs a directory}"; shift ;;
    --djl-version) djl_version="${2:?--djl-version needs a version}"; shift ;;
    --rebuild) rebuild=1 ;;
    --jobs) jobs="${2:?--jobs needs a number}"; shift ;;
    *) usage >&2; die 2 "unknown option $1" ;;
  esac
  shift
done
[ -n "$python" ] && [ -n "$libtorch" ] && die 2 "give --python or --libtorch, not both"
[ "$(uname -sm)" = "Linux x86_64" ] || die 3 "only linux-x86_64 is supported here (this is $(uname -sm))"

# --- DJL version and JNI sources --------------------------------------------------------------
if [ -z "$djl_version" ]; then
  djl_version="$(sed -n 's:.*<djl.version>\(.*\)</djl.version>.*:\1:p' "$root/pom.xml" | head -1)"
  [ -n "$djl_version" ] || die 3 "no <djl.version> in $root/pom.xml: pass --djl-version"
fi
for f in CMakeLists.txt include/ai_djl_pytorch_jni_PyTorchLibrary.h include/djl/utils.h; do
  [ -f "$jni_src/$f" ] || die 3 "JNI sources incomplete: $jni_src/$f missing (see infra/gpu/djl-jni/README.md for where they come from)"
done
ls "$jni_src"/src/*.cc >/dev/null 2>&1 || die 3 "JNI sources incomplete: no $jni_src/src/*.cc"
src_version="$(cat "$jni_src/DJL_VERSION" 2>/dev/null || echo unknown)"
if [ "$src_version" != "$djl_version" ]; then
  die 5 "version mismatch: the worker runs DJL $djl_version (pom.xml <djl.version>) but the JNI sources in $jni_src are DJL $src_version's. Take engines/pytorch/pytorch-native/src/main/native of DJL v$djl_version (and its javac -h header of PyTorchLibrary) as infra/gpu/djl-jni/README.md says, and pass --jni-src"
fi
# The header must declare exactly the engine's native methods, or DJL fails at the first call of
# a missing one (UnsatisfiedLinkError, possibly mid-training). Check against the engine jar when
# Maven has it.
header_natives="$(grep -c '^JNIEXPORT' "$jni_src/include/ai_djl_pytorch_jni_PyTorchLibrary.h")"
engine_jar="${HOME}/.m2/repository/ai/djl/pytorch/pytorch-engine/$djl_version/pytorch-engine-$djl_version.jar"
if [ -f "$engine_jar" ] && command -v javap >/dev/null; then
  jar_natives="$(javap -p -cp "$engine_jar" ai.djl.pytorch.jni.PyTorchLibrary | grep -c ' native ')"
  [ "$jar_natives" = "$header_natives" ] || die 5 "version mismatch: pytorch-engine $djl_version declares $jar_natives native methods, the JNI header in $jni_src declares $header_natives"
  say "JNI sources: DJL $src_version, $header_natives native methods (= pytorch-engine-$djl_version.jar)"
else
  say "JNI sources: DJL $src_version, $header_natives native methods (pytorch-engine jar not in ~/.m2: not cross-checked)"
fi

# --- libtorch ---------------------------------------------------------------------------------
if [ -z "$libtorch" ]; then
  py="${python:-python3}"
  command -v "$py" >/dev/null || die 3 "no $py: pass --python PY (a Python with torch installed) or --libtorch DIR"
  # find_spec locates the package without importing it (a CUDA torch imports only with its
  # nvidia/* wheels and takes seconds).
  libtorch="$("$py" -c 'import importlib.util as u; s = u.find_spec("torch"); print(s.submodule_search_locations[0] if s else "")' 2>/dev/null || true)"
  [ -n "$libtorch" ] || die 3 "$py has no torch: pip install torch==VERSION into it, or pass --libtorch DIR"
fi
libtorch="$(cd "$libtorch" 2>/dev/null && pwd)" || die 3 "--libtorch: no such directory"
[ -f "$libtorch/include/torch/csrc/api/include/torch/torch.h" ] \
  || die 3 "$libtorch is not a libtorch: no include/torch/csrc/api/include/torch/torch.h (expected site-packages/torch or an unpacked libtorch)"
for l in libtorch.so libtorch_cpu.so libc10.so; do
  [ -f "$libtorch/lib/$l" ] || die 3 "$libtorch is not a libtorch: no lib/$l"
done
# Version: a pip install's version.py, or a libtorch archive's build-version.
torch_full=""
if [ -f "$libtorch/version.py" ]; then
  torch_full="$(sed -n "s/^__version__ = ['\"]\([^'\"]*\)['\"].*/\1/p" "$libtorch/version.py" | head -1)"
elif [ -f "$libtorch/build-version" ]; then
  torch_full="$(head -1 "$libtorch/build-version")"
fi
[ -n "$torch_full" ] || die 3 "cannot tell the torch version of $libtorch (no version.py or build-version)"
torch_version="${torch_full%%+*}"              # 2.7.1+cu126 -> 2.7.1 (DJL's version pattern)
# CUDA: a build with libtorch_cuda.so is cuXYZ (the suffix, or version.py's cuda = '12.6').
if [ -f "$libtorch/lib/libtorch_cuda.so" ]; then
  case "$torch_full" in
    *+cu*) flavor="${torch_full##*+}" ;;
    *) cuda="$(sed -n "s/^cuda\(: [^=]*\)\{0,1\} = ['\"]\([0-9.]*\)['\"].*/\2/p" "$libtorch/version.py" 2>/dev/null | head -1)"
       [ -n "$cuda" ] || die 3 "$libtorch has libtorch_cuda.so but no CUDA version (version.py cuda or a +cuXYZ suffix)"
       flavor="cu${cuda//./}" ;;
  esac
else
  flavor=cpu
fi
# C++ ABI: what torch's own CMake config tells its users; else the symbols of libc10.
abi="$(sed -n 's/.*_GLIBCXX_USE_CXX11_ABI=\([01]\).*/\1/p' "$libtorch/share/cmake/Torch/TorchConfig.cmake" 2>/dev/null | head -1)"
if [ -z "$abi" ]; then
  if nm -D "$libtorch/lib/libc10.so" 2>/dev/null | grep -q '__cxx11'; then abi=1; else abi=0; fi
fi
runtime_lib="${runtime_lib:-$libtorch/lib}"

# The toolchain is checked after the inputs, so a wrong version or libtorch is reported without one.
# --- toolchain ---------------------------------------------------------------------------------
command -v cmake >/dev/null || die 3 "cmake not found: install it (Debian: apt-get install cmake; or pip install cmake)"
cmake_version="$(cmake --version | sed -n 's/^cmake version \([0-9.]*\).*/\1/p')"
[ "$(printf '%s\n3.13\n' "$cmake_version" | sort -V | head -1)" = 3.13 ] \
  || die 3 "cmake $cmake_version is too old: 3.13 or newer needed"
cxx="${CXX:-}"
if [ -z "$cxx" ]; then
  for c in g++ c++ clang++; do command -v "$c" >/dev/null && { cxx="$(command -v "$c")"; break; }; done
fi
[ -n "$cxx" ] || die 3 "no C++ compiler (g++/c++/clang++; or set CXX): install one (Debian: apt-get install g++)"
# torch's headers need C++17.
echo '#if __cplusplus < 201703L
#error no C++17
#endif
int main() { return 0; }' | "$cxx" -std=c++17 -x c++ -fsyntax-only - 2>/dev/null \
  || die 3 "$cxx cannot compile C++17 (torch's headers need it): use g++ 9 or newer"
generator="Unix Makefiles"
if command -v ninja >/dev/null; then generator=Ninja
elif ! command -v make >/dev/null; then die 3 "neither ninja nor make found: install one"; fi

# JNI headers: a JDK's include/ (a JRE has none).
jni_include=""
for jdk in "${JAVA_HOME:-}" "$(dirname "$(dirname "$(readlink -f "$(command -v javac 2>/dev/null || echo /nonexistent)")")")"; do
  if [ -n "$jdk" ] && [ -f "$jdk/include/jni.h" ] && [ -f "$jdk/include/linux/jni_md.h" ]; then jni_include="$jdk/include"; break; fi
done
[ -n "$jni_include" ] || die 3 "no jni.h: set JAVA_HOME to a JDK (not a JRE), or put its javac on PATH"

say "libtorch: $libtorch (torch $torch_full, flavor $flavor, C++11 ABI $abi); compiler: $cxx; cmake $cmake_version"

# --- build (idempotent: skipped when the same torch and sources built the installed library) ----
mkdir -p "$out" || die 2 "cannot create $out"
out="$(cd "$out" && pwd)"
target_dir="$out/pytorch/$torch_version-$flavor-linux-x86_64"
target="$target_dir/$djl_version-libdjl_torch.so"
cpu_dir="$out/pytorch/$torch_version-cpu-linux-x86_64"
key="djl $djl_version; torch $torch_full $flavor abi $abi at $libtorch; runtime $runtime_lib; $(cd "$jni_src" && cat CMakeLists.txt src/* include/*.h include/djl/*.h | sha256sum | cut -c1-16); $($cxx --version | head -1)"
if [ "$rebuild" = 0 ] && [ -f "$target" ] && [ "$(cat "$target.key" 2>/dev/null)" = "$key" ] \
    && { [ "$flavor" = cpu ] || [ -f "$cpu_dir/$djl_version-libdjl_torch.so" ]; }; then
  say "up to date: $target (built from the same torch and sources; --rebuild to build again)"
else
  build="$out/build/$torch_version-$flavor"
  rm -rf "$build" && mkdir -p "$build"
  say "building libdjl_torch.so (DJL $djl_version) against torch $torch_full with $jobs jobs (a few minutes on a few cores)..."
  start=$SECONDS
  if ! cmake -S "$jni_src" -B "$build" -G "$generator" -DCMAKE_BUILD_TYPE=Release \
      -DCMAKE_CXX_COMPILER="$cxx" -DTORCH_DIR="$libtorch" -DCXX11_ABI="$abi" \
      -DJNI_INCLUDE_DIR="$jni_include" -DTORCH_RUNTIME_LIB_DIR="$runtime_lib" > "$build/configure.log" 2>&1; then
    tail -20 "$build/configure.log" >&2
    die 6 "cmake configure failed; log: $build/configure.log"
  fi
  if ! cmake --build "$build" -j "$jobs" > "$build/build.log" 2>&1; then
    grep -m 20 -E 'error|Error' "$build/build.log" >&2 || tail -20 "$build/build.log" >&2
    die 6 "compile failed; log: $build/build.log"
  fi
  built="$build/libdjl_torch.so"
  # Every native method the engine declares must be exported, and every library must resolve.
  exported="$(nm -D --defined-only "$built" | grep -c ' T Java_ai_djl_pytorch_jni_PyTorchLibrary_' || true)"
  [ "$exported" = "$header_natives" ] || die 6 "$built exports $exported of the $header_natives JNI functions"
  # Resolved against the libtorch built against (its RUNPATH may name where torch will be later).
  if LD_LIBRARY_PATH="$libtorch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$built" | grep -q 'not found'; then
    LD_LIBRARY_PATH="$libtorch/lib${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}" ldd "$built" | grep 'not found' >&2
    die 6 "$built needs libraries that are not found (above)"
  fi
  mkdir -p "$target_dir"
  cp "$built" "$target.tmp" && mv -f "$target.tmp" "$target"   # replaced in one step
  echo "$key" > "$target.key"
  if [ "$flavor" != cpu ]; then
    # The same library serves this CUDA build as flavor cpu on a machine without the NVIDIA
    # driver (djl-env.sh picks the flavor); DJL looks for it under the flavor's directory.
    mkdir -p "$cpu_dir"
    cp "$built" "$cpu_dir/$djl_version-libdjl_torch.so.tmp" && mv -f "$cpu_dir/$djl_version-libdjl_torch.so.tmp" "$cpu_dir/$djl_version-libdjl_torch.so"
  fi
  say "built in $((SECONDS - start)) s: $exported JNI functions exported, all libraries resolve"
fi

# DJL counts GPUs with JNA -> libcudart.so (CudaUtils), not with torch; a pip install ships only
# libcudart.so.NN, so link the one torch uses under the unversioned name on LD_LIBRARY_PATH.
jna_dir="$out/jna"
rm -rf "$jna_dir" && mkdir -p "$jna_dir"
if [ "$flavor" != cpu ]; then
  cudart="$(ldd "$libtorch/lib/libtorch_cuda.so" 2>/dev/null | sed -n 's/.*libcudart\.so[^ ]* => \([^ ]*\) .*/\1/p' | head -1)"
  if [ -n "$cudart" ]; then
    # Relative to torch's lib/, re-rooted at --runtime-lib (the same place unless torch moves).
    ln -s "$runtime_lib/$(realpath --relative-to="$libtorch/lib" "$(readlink -f "$cudart")")" "$jna_dir/libcudart.so"
  else
    say "warning: libtorch_cuda.so's libcudart was not found: DJL may count 0 GPUs unless libcudart.so is on LD_LIBRARY_PATH"
  fi
fi

cat > "$out/djl-env.sh" <<EOF
# DJL $djl_version on torch $torch_full ($flavor) without downloads: source this before starting the worker.
export PYTORCH_LIBRARY_PATH="$runtime_lib"
export PYTORCH_VERSION="$torch_version"
export PYTORCH_FLAVOR="$flavor"
EOF
if [ "$flavor" != cpu ]; then
  cat >> "$out/djl-env.sh" <<'EOF'
# A CUDA flavor makes DJL preload libcaffe2_nvrtc.so, which links the NVIDIA driver's libcuda.so.1:
# without the driver (a machine with no GPU) the same libraries run as flavor cpu.
_djl_driver=""
if ldconfig -p 2>/dev/null | grep -q 'libcuda\.so\.1 '; then _djl_driver=1; fi
for _djl_d in $(echo "${LD_LIBRARY_PATH:-}" | tr ':' ' '); do [ -e "$_djl_d/libcuda.so.1" ] && _djl_driver=1; done
[ -n "$_djl_driver" ] || export PYTORCH_FLAVOR=cpu
unset _djl_driver _djl_d
EOF
fi
cat >> "$out/djl-env.sh" <<EOF
export ENGINE_CACHE_DIR="$out"
export DJL_OFFLINE=true
export LD_LIBRARY_PATH="$jna_dir\${LD_LIBRARY_PATH:+:\$LD_LIBRARY_PATH}"
EOF
echo "$target"
echo "$out/djl-env.sh"
